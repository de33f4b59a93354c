// The page's one error banner: a sentence, what to do next, and the daemon's own words folded away.
import { el, setChildren } from './dom.js';
import { explainError, type Explained } from './errors.js';

/** Shows and clears the error banner (role=alert, so screen readers announce it). */
export class Notice {
  /** Binds to the banner element. */
  constructor(private readonly box: HTMLElement) {}

  /** Shows an error in plain words. */
  error(err: unknown, doing?: string): void {
    this.show(explainError(err), doing);
  }

  /** Shows an already explained problem. */
  show(e: Explained, doing?: string): void {
    setChildren(
      this.box,
      el('p', { class: 'notice-text' }, doing ? `${doing}: ${e.text}` : e.text),
      el('p', { class: 'notice-next' }, e.next),
      e.detail ? el('details', {}, el('summary', {}, 'Details'), el('p', {}, e.detail)) : null,
      el('button', { type: 'button', class: 'link', 'data-action': 'dismiss' }, 'Dismiss'),
    );
    this.box.hidden = false;
    this.box.querySelector('button')?.addEventListener('click', () => this.clear(), { once: true });
  }

  /** Hides the banner. */
  clear(): void {
    this.box.hidden = true;
    this.box.replaceChildren();
  }
}
