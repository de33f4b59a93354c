// Crash tests: the daemon SIGKILLs itself at a named point (right after a journal commit) when the environment asks,
// so a test can stop it at each journal state deterministically. Unset in production: a no-op.

/** The environment variable naming the failpoint to crash at, e.g. "payment:authorizing". */
export const FAILPOINT_ENV = 'POSBRIDGE_FAILPOINT';

/** Kills this process with SIGKILL when `name` is the failpoint the environment names. */
export function failpoint(name: string): void {
  if (process.env[FAILPOINT_ENV] === name) process.kill(process.pid, 'SIGKILL');
}
