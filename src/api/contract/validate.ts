// Params validation from the contract: each method's params schema compiled once (TypeBox's compiler), and the first
// problem turned into INVALID_PARAMS naming the param, with words generated from its schema.
import type { TObject, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ApiError } from '../errors.js';

const compiled = new WeakMap<TObject, TypeCheck<TObject>>();

function checkerOf(schema: TObject): TypeCheck<TObject> {
  let c = compiled.get(schema);
  if (!c) {
    c = TypeCompiler.Compile(schema);
    compiled.set(schema, c);
  }
  return c;
}

function quoteList(values: readonly unknown[]): string {
  const q = values.map((v) => JSON.stringify(v));
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

/** What a param must be, in words, from its schema (e.g. `a non-empty string of at most 40 characters`). */
export function describeSchema(s: TSchema): string {
  const alternatives = s.anyOf as TSchema[] | undefined;
  if (alternatives && alternatives.every((a) => a.const !== undefined)) return quoteList(alternatives.map((a) => a.const));
  if (typeof s.description === 'string' && typeof s.pattern === 'string') return s.description;
  switch (s.type) {
    case 'integer': {
      const min = s.minimum as number | undefined;
      const max = s.maximum as number | undefined;
      if (min !== undefined && max !== undefined) return `an integer from ${min} to ${max}`;
      return min !== undefined ? `an integer of at least ${min}` : 'an integer';
    }
    case 'string': {
      const max = s.maxLength as number | undefined;
      const kind = (s.minLength as number | undefined) ? 'a non-empty string' : 'a string';
      return max !== undefined ? `${kind} of at most ${max} characters` : kind;
    }
    case 'boolean':
      return 'true or false';
    default:
      return typeof s.description === 'string' ? s.description : 'of another type';
  }
}

/**
 * Checks `params` against a method's params schema; returns them typed when they pass, else throws
 * INVALID_PARAMS with `details.param` naming the first wrong, missing or unknown param.
 */
export function validateParams<T extends TObject>(method: string, schema: T, params: Record<string, unknown>): T['static'] {
  const checker = checkerOf(schema);
  if (checker.Check(params)) return params as T['static'];
  const first = checker.Errors(params).First();
  const name = first?.path.split('/')[1] ?? '';
  const prop = (schema.properties as Record<string, TSchema | undefined>)[name];
  if (!prop) {
    const known = Object.keys(schema.properties);
    throw new ApiError('INVALID_PARAMS', `unknown parameter "${name}": ${method} takes ${known.length ? known.join(', ') : 'no parameters'}`, { param: name });
  }
  throw new ApiError('INVALID_PARAMS', `${name} must be ${describeSchema(prop)}`, { param: name });
}
