// The interactive side of `posbridge init`: one question a line, each with a default from the flags or from what was
// found; a wrong answer is said and asked again. Questions go to standard error, so `--json` keeps standard output to
// its one object. Lines are read with readline's iterator, which keeps lines that arrive before their question (a
// script piping every answer at once).
import { createInterface } from 'node:readline/promises';
import { DEFAULT_MERCHANT_ID } from '../../config/terminal-identity.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { checkHost, checkLane, checkMerchantId, checkMerchantName, checkPinPad, checkPrinter, checkStripe, checkTerminalId, tlsOf, type InitAnswers, type InitOptions } from './init-answers.js';
import { contactlessSlots, contactSlots, foundStripe, type Found } from './init-discover.js';

/** Answers that leave an optional device out. */
const NONE = new Set(['none', '-', 'no']);

/** Reads one answer a line from `input`. */
class Prompter {
  private readonly lines: AsyncIterator<string>;
  private readonly rl;

  constructor(
    input: NodeJS.ReadableStream,
    private readonly say: (line: string) => void,
  ) {
    this.rl = createInterface({ input, terminal: false });
    this.lines = this.rl[Symbol.asyncIterator]();
  }

  /** Asks until `check` accepts the answer (the default when the line is empty); UsageError when input ends. */
  async ask<T>(question: string, def: string | undefined, check: (v: string) => T): Promise<T> {
    for (;;) {
      this.say(`${question}${def !== undefined && def !== '' ? ` [${def}]` : ''}:`);
      const next = await this.lines.next();
      if (next.done) throw new UsageError(`the input ended before "${question}" was answered`);
      const line = next.value.trim();
      try {
        return check(line === '' ? (def ?? '') : line);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        this.say(`  ${err.message}`);
      }
    }
  }

  /** Stops reading. */
  close(): void {
    this.rl.close();
  }
}

const isNone = (v: string): boolean => v === '' || NONE.has(v.toLowerCase());
const optional = (v: string): string | undefined => (isNone(v) ? undefined : v);
/** An optional device's answer: none, or what `check` accepts. */
const orNone =
  (check: (v: string) => string) =>
  (v: string): string => (isNone(v) ? '' : check(v));

/** Asks for every answer, offering the flags' values and what was found as defaults. */
export async function askAnswers(ctx: CliContext, opts: InitOptions, found: Found, defaultOut: string, input: NodeJS.ReadableStream): Promise<{ answers: InitAnswers; out: string }> {
  const p = new Prompter(input, ctx.err);
  try {
    const contact = contactSlots(found);
    const tap = contactlessSlots(found);
    if (contact.length + tap.length) ctx.err(`Readers found: ${[...contact.map((r) => `${r} (contact)`), ...tap.map((r) => `${r} (contactless)`)].join(', ')}`);
    else ctx.err('No reader found: type the reader\'s name as `posbridge readers` will show it once plugged in.');
    const host = await p.ask('Acquirer host (HOST:PORT)', opts.host, checkHost);
    const tlsAnswer = await p.ask('TLS to the acquirer? (yes/no)', opts.tls || opts.tlsCa !== undefined || opts.tlsPin !== undefined ? 'yes' : 'no', (v) => {
      if (!/^(y|yes|n|no)$/i.test(v)) throw new UsageError('answer yes or no');
      return /^y/i.test(v);
    });
    const tls = tlsAnswer ? (tlsOf({ ...opts, tls: true }) ?? {}) : undefined;
    const terminalId = await p.ask('Terminal ID (1–8 characters, from the acquirer)', opts.terminalId, checkTerminalId);
    const merchantId = await p.ask('Merchant ID (1–15 characters, from the acquirer)', opts.merchantId ?? DEFAULT_MERCHANT_ID, checkMerchantId);
    const merchantName = await p.ask('Merchant name (printed on receipts)', opts.merchantName, checkMerchantName);
    const lane = await p.ask('Lane name', opts.lane ?? 'A', checkLane);
    const reader = await p.ask('Contact (chip) reader', opts.reader ?? contact[0], (v) => {
      if (v === '') throw new UsageError('a lane needs its chip reader: type its name');
      return v;
    });
    const contactless = optional(await p.ask('Contactless reader (none: no taps)', opts.contactlessReader ?? tap[0] ?? 'none', (v) => v));
    const pinpad = await p.ask('PIN pad ("reader": the reader\'s keypad; serial:///dev/ttyUSB0?baud=9600)', opts.pinpad ?? 'reader', checkPinPad);
    const printer = optional(await p.ask('Receipt printer URL (tcp://HOST:9100, serial:///dev/ttyS0?baud=19200, file:///dev/usb/lp0; none)', opts.printer ?? 'none', orNone(checkPrinter)));
    const stripe = optional(await p.ask('Stripe reader (hid, hid:VVVV:PPPP; none)', opts.stripe ?? foundStripe(found) ?? 'none', orNone(checkStripe)));
    const dataDir = optional(await p.ask('Data directory (empty: the default)', opts.dataDir ?? '', (v) => v));
    const out = await p.ask('Write the configuration to', opts.out ?? defaultOut, (v) => {
      if (v === '') throw new UsageError('give a file name');
      return v;
    });
    const answers: InitAnswers = {
      host: { ...host, ...(tls ? { tls } : {}) },
      terminalId,
      merchantId,
      merchantName,
      lane,
      reader,
      ...(contactless ? { contactless } : {}),
      ...(pinpad !== 'reader' ? { pinpad } : {}),
      ...(printer ? { printer } : {}),
      ...(stripe ? { stripe } : {}),
      ...(dataDir ? { dataDir } : {}),
    };
    return { answers, out };
  } finally {
    p.close();
  }
}
