// Shared set-up for the demo page's end-to-end tests: a demo-mode daemon in this process (on pcscd + vpcd when this
// machine can run a private pcscd, else the in-process reader) with the emulated printer, and Debian's Chromium
// driven by playwright-core.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseConfig } from '../../src/daemon/config.js';
import type { CardSlot } from '../../src/daemon/sim-methods.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/log/logger.js';
import { EscPosEmulator } from '../../src/sim/printer/escpos-emulator.js';
import { createCard } from '../../src/sim/emv/catalog.js';
import { pcscSkip, startStack, type StackFixture } from '../helpers/pcsc.js';
import { freePort } from '../helpers/daemon-process.js';

/** Debian's browser (installed by `npm run setup`). */
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined. */
export const chromiumSkip: string | undefined = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is absent: run npm run setup (it installs Debian's chromium) to run the browser tests`;

/** Where screenshots go (git-ignored). */
export const RESULTS_DIR = join(process.cwd(), 'test-results');

export { freePort } from '../helpers/daemon-process.js';

/** A demo daemon that can be stopped and started again on the same port and data directory. */
export class DemoDaemon {
  private daemon: RunningDaemon | null = null;
  private stack: StackFixture | null = null;
  private readonly printer = new EscPosEmulator();
  private printerPort = 0;
  private port = 0;
  /** The data directory (the journal and the paired tokens survive restarts). */
  readonly dataDir = mkdtempSync(join(tmpdir(), 'posbridge-e2e-'));
  /** The supervisor token paired on the first start. */
  token = '';
  /** 'pcscd + vpcd' or 'in-process'. */
  readerKind = '';

  /** Starts (or restarts) the daemon. */
  async start(): Promise<void> {
    if (!this.port) {
      this.port = await freePort();
      this.printerPort = await this.printer.listen(0);
      if (!pcscSkip) this.stack = await startStack(36420);
      this.readerKind = this.stack ? 'pcscd + vpcd' : 'in-process';
    }
    const stack = this.stack;
    const config = parseConfig({
      port: this.port,
      dataDir: this.dataDir,
      readers: stack ? 'pcsc' : 'virtual',
      demo: true,
      printer: `tcp://127.0.0.1:${this.printerPort}`,
      lanes: [{ name: 'A', reader: stack ? stack.readers[0] : 'Virtual A', contactless: stack ? stack.readers[1] : 'Virtual A contactless' }],
    });
    const slots: Map<string, CardSlot> | undefined = stack
      ? new Map([['A', { insert: (profile: string) => stack.slots[0].insert(createCard(profile)), remove: () => stack.slots[0].remove(), contactless: { insert: (profile: string) => stack.slots[1].insert(createCard(profile)), remove: () => stack.slots[1].remove() } }]])
      : undefined;
    this.daemon = await startDaemon(config, createLogger({ dataDir: this.dataDir, consoleLevel: 'silent' }), Date.now, slots, this.printer);
    if (!this.token) this.token = this.daemon.pair('e2e page', 'supervisor');
  }

  /** The text lines the emulated printer has printed so far. */
  printedLines(): string[] {
    return this.printer.events.flatMap((e) => (e.kind === 'line' ? [e.text] : []));
  }

  /** The page's address with the token in the fragment, as `posbridge demo` prints it. */
  get pageUrl(): string {
    return `http://127.0.0.1:${this.port}/#token=${encodeURIComponent(this.token)}`;
  }

  /** Stops the daemon (the stack and printer stay for a restart). */
  async stop(): Promise<void> {
    await this.daemon?.stop();
    this.daemon = null;
  }

  /** Stops everything and removes the data directory. */
  async close(): Promise<void> {
    await this.stop();
    await this.stack?.slots[0].remove();
    await this.stack?.slots[1].remove();
    await this.stack?.stack.stop();
    await this.printer.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Launches Chromium headless with a fresh temporary profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic', '--disable-dev-shm-usage'],
  });
}

/** Saves a screenshot (the whole page, or just the viewport) under test-results/. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, name);
  await page.screenshot({ path, fullPage });
  return path;
}
