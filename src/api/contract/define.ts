// Binds a handler to its method's contract: the role and params schema come from METHODS, and the handler receives
// params typed as the schema's `Static<>` (the dispatcher has validated them).
import type { MethodSpec, Session } from '../rpc.js';
import { METHODS, type MethodName, type MethodParams, type MethodResult } from './methods.js';

/** A handler of method N: validated params in, the method's result (or its promise) out. */
export type MethodHandler<N extends MethodName> = (params: MethodParams<N>, session: Session) => Promise<MethodResult<N>> | MethodResult<N>;

/** The [name, spec] entry of method N for a methods map, with the contract's role and params schema. */
export function defineMethod<N extends MethodName>(name: N, handler: MethodHandler<N>): [N, MethodSpec] {
  const contract = METHODS[name];
  return [name, { role: contract.role, params: contract.params, handler: (params, session) => handler(params as MethodParams<N>, session) }];
}
