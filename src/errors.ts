/**
 * The base of every error posbridge throws on purpose. Each layer has its own errors module
 * with a subclass and a fixed list of stable `code`s; docs/errors.md documents every code.
 */
export class PosbridgeError extends Error {
  /** Stable, documented, SCREAMING_SNAKE identifier; callers branch on this, never on `message`. */
  readonly code: string;
  /** True when the same call may succeed if simply tried again later. */
  readonly retriable: boolean;
  /** Structured context (offsets, step names, hex) safe to log: never PINs or full PANs. */
  readonly details: Readonly<Record<string, unknown>>;

  /** Builds an error with a stable code and a human message. */
  constructor(
    code: string,
    message: string,
    options: { retriable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details ?? {};
  }
}

/** True when `err` is a PosbridgeError, optionally with the given code. */
export function isPosbridgeError(err: unknown, code?: string): err is PosbridgeError {
  return err instanceof PosbridgeError && (code === undefined || err.code === code);
}

/** The line printed for an error (stderr, doctor): code and message. */
export function errorLine(err: unknown): string {
  if (err instanceof PosbridgeError) return `posbridge: ${err.code}: ${err.message}`;
  return `posbridge: ${err instanceof Error ? err.message : String(err)}`;
}
