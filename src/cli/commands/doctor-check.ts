// What each of `posbridge doctor`'s checks reports (doctor.ts runs the machine's, doctor-devices.ts the configured devices').

/** One diagnostic result: what was checked, how it went, and what to do about a problem. */
export interface Check {
  readonly name: string;
  readonly status: 'ok' | 'warn' | 'fail';
  readonly detail: string;
  readonly fix?: string;
}
