import type { Logger } from '../log/logger.js';
import { nextStan } from '../journal/counters.js';
import type { Db } from '../journal/database.js';
import type { RequestMatcher } from './matcher.js';
import { buildNetworkRequest, type TerminalIdentity } from './messages.js';

/**
 * Network management with the host (0800/0810): sign-on, and an echo test at an interval while the line is idle,
 * so a dead connection is found (and re-made, with the channel's backoff) before a sale needs it.
 */
export class NetworkManager {
  private timer: NodeJS.Timeout | null = null;
  private lastOk: Date | null = null;

  /** Binds to the matcher, the journal (STAN) and the terminal identity. */
  constructor(
    private readonly matcher: RequestMatcher,
    private readonly db: Db,
    private readonly identity: TerminalIdentity,
    private readonly clock: () => Date,
    private readonly timeoutMs: number,
    private readonly logger?: Logger,
  ) {}

  /** When the host last answered a network request. */
  get lastAnswer(): Date | null {
    return this.lastOk;
  }

  /** Sends an echo test (301) now; true when the host answered 00. */
  echo(): Promise<boolean> {
    return this.send('301');
  }

  /** Signs on (001); true when the host answered 00. */
  signOn(): Promise<boolean> {
    return this.send('001');
  }

  /** Echoes every `intervalMs` when no request is in flight. */
  start(intervalMs: number): void {
    this.stop();
    const tick = (): void => {
      if (this.matcher.inFlight === 0) void this.echo();
      this.timer = setTimeout(tick, intervalMs);
      this.timer.unref();
    };
    this.timer = setTimeout(tick, intervalMs);
    this.timer.unref();
  }

  /** Stops the echo timer. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async send(code: '301' | '001'): Promise<boolean> {
    try {
      const r = await this.matcher.request(buildNetworkRequest(code, this.identity, nextStan(this.db), this.clock()), this.timeoutMs);
      const ok = r.text(39) === '00';
      if (ok) this.lastOk = this.clock();
      else this.logger?.warn('host refused a network request', { code, response: r.text(39) });
      return ok;
    } catch (err) {
      this.logger?.warn('host did not answer a network request', { code, err: err instanceof Error ? err.message : String(err) });
      return false;
    }
  }
}
