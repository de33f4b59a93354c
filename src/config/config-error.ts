import { PosbridgeError } from '../errors.js';

/** A configuration problem naming the key. */
export class ConfigError extends PosbridgeError {
  /** Builds a config error for `key`. */
  constructor(key: string, why: string) {
    super('CONFIG_INVALID', `config: ${key}: ${why}`, { details: { key } });
  }
}

/** Every code a ConfigError can carry. */
export const CONFIG_ERROR_CODES = ['CONFIG_INVALID'] as const;
