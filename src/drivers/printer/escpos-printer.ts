import receiptline from 'receiptline';
import { PrinterError } from './errors.js';
import { dleEot, notReadyReasons, parseStatus } from './escpos-status.js';
import { transportFromUrl } from './printer-url.js';
import type { PrinterStatus, PrinterTransport } from './types.js';

/** How a receipt is laid out for a printer (receiptline's printer settings). */
export interface PrinterProfile {
  /** Characters per line: 42 for 80 mm paper with font B off, 32 for 58 mm. */
  readonly cpl: number;
  readonly encoding: 'multilingual' | 'cp437' | 'cp858' | 'cp1252' | 'gb18030';
}

/** A receiptline document as ESC/POS bytes (receiptline does the layout; status and errors are ours). */
export function renderEscPos(doc: string, profile: PrinterProfile): Uint8Array {
  const out = receiptline.transform(doc, { command: 'escpos', cpl: profile.cpl, encoding: profile.encoding });
  return new Uint8Array(Buffer.from(out, 'binary'));
}

/** A receiptline document as an SVG preview. */
export function renderSvg(doc: string, profile: PrinterProfile): string {
  return receiptline.transform(doc, { command: 'svg', cpl: profile.cpl, encoding: profile.encoding });
}

/** An ESC/POS printer: real-time status (DLE EOT 1/2/4) and printing that refuses when the printer cannot print. */
export class EscPosPrinter {
  /** Binds to a transport; answers are awaited for `timeoutMs` each. */
  constructor(
    private readonly transport: PrinterTransport,
    private readonly timeoutMs = 1500,
    private readonly jobTimeoutMs = 15_000,
  ) {}

  /** The printer's status; PRINTER_TIMEOUT when it does not answer. */
  async status(): Promise<PrinterStatus> {
    const answers: number[] = [];
    // Answers still buffered (GS r 1 after the last job, a late answer) would be read as this status: drop them.
    await this.transport.read(4096, 0);
    for (const n of [1, 2, 4] as const) {
      await this.transport.write(dleEot(n));
      const b = await this.transport.read(1, this.timeoutMs);
      if (b.length === 0) throw new PrinterError('PRINTER_TIMEOUT', `no answer to DLE EOT ${n} within ${this.timeoutMs} ms`);
      answers.push(b[0]);
    }
    return parseStatus(answers[0], answers[1], answers[2]);
  }

  /** Prints bytes after checking the printer can (PRINTER_NOT_READY with the status, nothing sent); resolves once the job is confirmed when it asks for confirmation. */
  async print(bytes: Uint8Array): Promise<PrinterStatus> {
    const s = await this.status();
    const why = notReadyReasons(s);
    if (why.length) throw new PrinterError('PRINTER_NOT_READY', `the printer cannot print: ${why.join(', ')}`, { status: s });
    try {
      await this.sendJob(bytes);
    } catch (err) {
      // Past the status check some bytes may have reached the printer: callers must not resend blindly.
      if (err instanceof PrinterError) throw new PrinterError(err.code, err.message, { ...err.details, sent: true });
      throw err;
    }
    return s;
  }

  private async sendJob(bytes: Uint8Array): Promise<void> {
    await this.transport.write(bytes);
    // A job ending in GS r 1 (receiptline ends every job so) is answered once printed: wait for that answer, so
    // the job is known complete and the byte is never read later as a status answer.
    const n = bytes.length;
    if (n >= 3 && bytes[n - 3] === 0x1d && bytes[n - 2] === 0x72 && (bytes[n - 1] === 0x31 || bytes[n - 1] === 0x01)) {
      const done = await this.transport.read(1, this.jobTimeoutMs);
      if (done.length === 0) throw new PrinterError('PRINTER_TIMEOUT', `the printer did not confirm the job within ${this.jobTimeoutMs} ms (it may still print)`);
    }
  }

  /** Closes the transport. */
  close(): Promise<void> {
    return this.transport.close();
  }
}

/** A printer from a URL: tcp://HOST[:PORT], serial:///dev/ttyX?baud=N or file:///dev/usb/lpN. */
export function printerFromUrl(url: string): EscPosPrinter {
  return new EscPosPrinter(transportFromUrl(url));
}

/** The status of the printer at `url`, connecting for the question only. */
export async function printerStatusAt(url: string): Promise<PrinterStatus> {
  const p = printerFromUrl(url);
  try {
    return await p.status();
  } finally {
    await p.close();
  }
}
