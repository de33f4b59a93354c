// Demo mode's simulator panel (shown only when sim.profiles answers): insert or remove the virtual card, type the
// PIN on the virtual PIN pad (buttons or keyboard), swipe a stripe or chip card, paper out / paper ok, host timeout /
// normal.
import type { PosbridgeClient } from '../client.js';
import { byId, el, setChildren } from './dom.js';
import type { Notice } from './notice.js';

interface Profile {
  readonly name: string;
  readonly description: string;
  readonly pin: string;
  readonly expected: string;
}

/** The simulator panel. */
export class SimPanel {
  private client: PosbridgeClient | null = null;
  private profiles: Profile[] = [];
  private readonly section = byId('sim', HTMLElement);
  private readonly profile = byId('profile', HTMLSelectElement);
  private readonly pin = byId('pin', HTMLInputElement);
  private readonly state = byId('sim-state', HTMLElement);

  /** Wires the controls; `lane` says which lane the panel acts on. */
  constructor(private readonly notice: Notice, private readonly lane: () => string) {
    const on = (id: string, fn: () => Promise<unknown>): void => byId(id, HTMLButtonElement).addEventListener('click', () => void fn());
    on('insert-card', () => this.act('Inserting the card', 'sim.insertCard', { profile: this.profile.value }, `Card inserted: ${this.profile.value}.`));
    on('remove-card', () => this.act('Removing the card', 'sim.removeCard', {}, 'Card removed.'));
    on('swipe-stripe', () => this.act('Swiping the card', 'sim.swipeCard', { card: 'mastercard-stripe' }, 'Stripe-only card swiped.'));
    on('swipe-chip', () => this.act('Swiping the card', 'sim.swipeCard', { card: 'visa-chip' }, 'Chip card swiped (accepted only after its chip failed).'));
    on('paper-out', () => this.paper(false));
    on('paper-ok', () => this.paper(true));
    on('host-timeout', () => this.host('timeout'));
    on('host-normal', () => this.host('normal'));
    this.profile.addEventListener('change', () => this.describe());
    for (const b of this.section.querySelectorAll<HTMLButtonElement>('button[data-digit]')) {
      b.addEventListener('click', () => {
        if (this.pin.value.length < 12) this.pin.value += b.dataset.digit ?? '';
      });
    }
    byId('pin-clear', HTMLButtonElement).addEventListener('click', () => (this.pin.value = this.pin.value.slice(0, -1)));
    // Only digits reach the field, whether typed or pasted.
    this.pin.addEventListener('input', () => (this.pin.value = this.pin.value.replace(/\D/g, '').slice(0, 12)));
    byId('pin-form', HTMLFormElement).addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.enterPin();
    });
  }

  /** Shows the panel when the daemon is in demo mode (sim.profiles answers); hides it otherwise. */
  async detect(client: PosbridgeClient): Promise<void> {
    this.client = client;
    try {
      const r = await client.call<{ profiles: Profile[] }>('sim.profiles', {});
      this.profiles = r.profiles;
    } catch (err) {
      // Not demo mode (METHOD_NOT_FOUND) is the normal case for a real till: no panel, nothing to report.
      this.section.hidden = true;
      if (!(err instanceof Error && 'code' in err && err.code === 'METHOD_NOT_FOUND')) this.notice.error(err, 'Looking for the simulators');
      return;
    }
    const chosen = this.profile.value;
    setChildren(this.profile, ...this.profiles.map((p) => el('option', { value: p.name }, `${p.name} (${p.expected})`)));
    // The classic first try: a Visa card with an offline PIN that is approved.
    this.profile.value = chosen || (this.profiles.some((p) => p.name === 'visa-sda-pse') ? 'visa-sda-pse' : (this.profiles[0]?.name ?? ''));
    this.describe();
    this.section.hidden = false;
  }

  /** The daemon asks for the PIN: put the keyboard focus on the virtual PIN pad. */
  pinRequested(): void {
    if (this.section.hidden) return;
    // The sale form is locked while the payment runs, so the keyboard can go straight to the pad.
    this.pin.focus();
    this.say('The PIN pad asks for the PIN: type it and press OK (or Enter).');
  }

  private describe(): void {
    const p = this.profiles.find((x) => x.name === this.profile.value);
    byId('profile-info', HTMLElement).textContent = p ? `${p.description}. Test PIN ${p.pin}; expected: ${p.expected}.` : '';
  }

  private async enterPin(): Promise<void> {
    const pin = this.pin.value;
    if (!/^\d{4,12}$/.test(pin)) {
      this.say('A PIN has 4 to 12 digits.');
      this.pin.focus();
      return;
    }
    this.pin.value = '';
    await this.act('Entering the PIN', 'sim.enterPin', { pin }, 'PIN entered.');
  }

  private async host(mode: 'normal' | 'timeout'): Promise<void> {
    if (await this.act('Setting the host simulator', 'sim.setHost', { mode }, mode === 'timeout' ? 'Host: does not answer (timeout).' : 'Host: answers normally.', false)) {
      byId('host-timeout', HTMLButtonElement).setAttribute('aria-pressed', String(mode === 'timeout'));
      byId('host-normal', HTMLButtonElement).setAttribute('aria-pressed', String(mode === 'normal'));
    }
  }

  /** Calls a sim.* method, with the chosen lane unless it is not a lane's (sim.setHost: the API refuses unknown params). */
  private async act(doing: string, method: string, params: Record<string, unknown>, done: string, forLane = true): Promise<boolean> {
    if (!this.client) return false;
    try {
      await this.client.call(method, forLane ? { lane: this.lane(), ...params } : params);
      this.say(done);
      return true;
    } catch (err) {
      this.notice.error(err, doing);
      return false;
    }
  }

  private async paper(ok: boolean): Promise<void> {
    if (await this.act('Setting the printer', 'sim.setPrinter', { status: ok ? 'ready' : 'paper-end' }, ok ? 'Printer: paper loaded, ready.' : 'Printer: out of paper.')) {
      byId('paper-out', HTMLButtonElement).setAttribute('aria-pressed', String(!ok));
      byId('paper-ok', HTMLButtonElement).setAttribute('aria-pressed', String(ok));
    }
  }

  /** Forgets the last simulator message (a new payment starts). */
  clearState(): void {
    this.say('');
  }

  private say(text: string): void {
    this.state.textContent = text;
  }
}
