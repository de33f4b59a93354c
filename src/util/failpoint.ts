// Crash tests: the daemon SIGKILLs itself at a named point (right after a journal commit), so a test can stop it at
// each journal state deterministically. Only code arms a failpoint — the test harness's own entry
// (test/helpers/failpoint-daemon.ts, not in the published package) — never the environment or the config, so a
// production run cannot be made to crash this way (docs/security.md, "Fault injection").

let armed: string | null = null;

/** Arms the failpoint to crash at, e.g. "payment:authorizing" (test harness only). */
export function armFailpoint(name: string): void {
  armed = name;
}

/** Kills this process with SIGKILL when `name` is the armed failpoint; a no-op when none is armed. */
export function failpoint(name: string): void {
  if (armed !== null && armed === name) process.kill(process.pid, 'SIGKILL');
}
