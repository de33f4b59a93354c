// The connection to the daemon: one PosbridgeClient on ws://<this page's host>/v1 (same origin), its state shown
// in the header, and "ready" callbacks after the first hello and after every reconnect.
import { PosbridgeClient } from '../client.js';

/** Called when a session is ready: `again` is true after a reconnect. */
export type ReadyHandler = (client: PosbridgeClient, again: boolean) => void;

const WORDS: Readonly<Record<string, string>> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnected: 'Reconnected',
  disconnected: 'Connection lost',
  reconnecting: 'Connection lost — reconnecting…',
  closed: 'Not connected',
};

/** Owns the client and shows its state. */
export class Connection {
  private client: PosbridgeClient | null = null;
  private readonly handlers: ReadyHandler[] = [];

  /** Binds to the header's status element. */
  constructor(private readonly pill: HTMLElement) {}

  /** Registers a ready handler. */
  onReady(h: ReadyHandler): void {
    this.handlers.push(h);
  }

  /** Connects with a token (closing any previous client); rejects with the daemon's error (e.g. UNAUTHENTICATED). */
  async open(token: string): Promise<PosbridgeClient> {
    this.client?.close();
    const client = new PosbridgeClient({ url: `ws://${location.host}/v1`, token });
    this.client = client;
    let sessions = 0;
    let refused = false;
    client.on('connection', (c) => {
      if (this.client !== client || refused) return;
      if (c.state === 'connected') {
        const again = sessions++ > 0;
        this.show(again ? 'reconnected' : 'connected', client.session?.role);
        for (const h of this.handlers) h(client, again);
      } else this.show(c.state);
    });
    this.show('connecting');
    try {
      await client.connect();
    } catch (err) {
      // A refused token is final; a daemon that is not up yet is retried by the client on its own.
      if (err instanceof Error && 'code' in err && err.code === 'UNAUTHENTICATED') {
        refused = true;
        this.show('closed');
      }
      throw err;
    }
    return client;
  }

  private show(state: string, role?: string): void {
    this.pill.dataset.state = state;
    this.pill.textContent = role ? `${WORDS[state] ?? state} · ${role}` : (WORDS[state] ?? state);
  }
}
