// The demo's virtual PIN pads (sim.enterPin): no simulator module here, so the composition root may hold one in any run.
/** PINs typed on the virtual PIN pads, per lane, until the payment asks for them. */
export class VirtualPinPads {
  private readonly waiting = new Map<string, Array<(pin: string | null) => void>>();
  private readonly typed = new Map<string, string[]>();

  /** The PIN for `lane`: one already typed, or the next one typed within `timeoutMs` (null: cancelled/timeout). */
  next(lane: string, timeoutMs: number, signal?: AbortSignal): Promise<string | null> {
    const q = this.typed.get(lane);
    if (q?.length) return Promise.resolve(q.shift() ?? null);
    return new Promise((resolve) => {
      const list = this.waiting.get(lane) ?? [];
      const give = (pin: string | null): void => {
        clearTimeout(t);
        signal?.removeEventListener('abort', stop);
        this.waiting.set(lane, (this.waiting.get(lane) ?? []).filter((w) => w !== give));
        resolve(pin);
      };
      const stop = (): void => give(null);
      const t = setTimeout(stop, timeoutMs);
      signal?.addEventListener('abort', stop, { once: true });
      list.push(give);
      this.waiting.set(lane, list);
    });
  }

  /** Forgets PINs typed ahead on the lane's pad (a new payment starts: they were not for it). */
  clear(lane: string): void {
    this.typed.delete(lane);
  }

  /** Types a PIN on the lane's pad. */
  type(lane: string, pin: string): void {
    const w = this.waiting.get(lane)?.shift();
    if (w) w(pin);
    else this.typed.set(lane, [...(this.typed.get(lane) ?? []), pin]);
  }
}
