// The cashier demo page end to end: a demo-mode daemon (pcscd + vpcd when possible), the page in Debian's Chromium,
// driven only through the UI (clicks and keys): a sale with PIN, a decline, the card pulled mid-payment, and the
// page recovering a payment's status after the daemon restarts. Each test saves a screenshot in test-results/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, DemoDaemon, launchChromium, screenshot } from './page-fixture.js';

const T = 20_000;

describe('the demo page in Chromium', { skip: chromiumSkip }, () => {
  const daemon = new DemoDaemon();
  let browser: Browser;
  let page: Page;

  before(async () => {
    await daemon.start();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(daemon.pageUrl);
    await page.locator('#conn').filter({ hasText: 'Connected' }).waitFor({ timeout: T });
    await page.locator('#sim').waitFor({ state: 'visible', timeout: T });
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  });
  after(async () => {
    await browser?.close();
    await daemon.close();
  });

  /** Chooses a virtual card and inserts it, through the simulator panel. */
  async function insertCard(profile: string): Promise<void> {
    await page.selectOption('#profile', profile);
    await page.click('#insert-card');
    await page.locator('#lanes dd', { hasText: 'card in the reader' }).waitFor({ timeout: T });
  }

  /** Types an amount and presses Charge. */
  async function charge(amount: string): Promise<void> {
    await page.fill('#amount', amount);
    await page.click('#pay');
  }

  async function waitForPinPrompt(): Promise<void> {
    await page.locator('#progress').filter({ hasText: 'Enter PIN' }).waitFor({ timeout: T });
  }

  async function removeCard(): Promise<void> {
    await page.click('#remove-card');
    await page.locator('#lanes dd', { hasText: 'no card' }).waitFor({ timeout: T });
  }

  test('a sale with PIN: approved, the receipt preview shown and printed, then reprinted marked COPY', { timeout: 60_000 }, async (t) => {
    t.diagnostic(`card reader: ${daemon.readerKind}`);
    assert.equal(new URL(page.url()).hash, '', 'the token left the address bar');
    assert.ok(!(await page.content()).includes(daemon.token), 'the token is not in the page');
    await insertCard('visa-sda-pse');
    // The form by keyboard: type the amount, Enter submits.
    await page.locator('#amount').focus();
    await page.keyboard.type('12.34');
    await page.keyboard.press('Enter');
    await waitForPinPrompt();
    // The PIN pad's keys, clicked.
    for (const d of '1234') await page.click(`#pin-form button[data-digit="${d}"]`);
    await page.click('#pin-ok');
    const outcome = page.locator('#outcome');
    await outcome.waitFor({ timeout: T });
    assert.equal(await outcome.getAttribute('data-result'), 'approved');
    assert.match(await outcome.innerText(), /Approved[\s\S]*476173\*{6}0119/);
    const img = page.locator('#receipt-img');
    await img.waitFor({ timeout: T });
    assert.match((await img.getAttribute('src')) ?? '', /^data:image\/svg\+xml/);
    const width = await img.evaluate((e) => (e as unknown as { naturalWidth: number }).naturalWidth);
    assert.ok(width > 100, `the SVG rendered (${width} px wide)`);
    await page.click('#print-receipt');
    await page.locator('#print-status').filter({ hasText: 'Printed.' }).waitFor({ timeout: T });
    await page.click('#print-receipt');
    await page.locator('#print-status').filter({ hasText: 'marked COPY' }).waitFor({ timeout: T });
    await page.locator('#payments-body .status[data-state="completed"]').first().waitFor({ timeout: T });
    assert.match(await page.locator('#outcome').innerText(), /PIN checked by the card/);
    await screenshot(page, 'e2e-sale.png');
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'e2e-sale-1280x800.png', false);
    await removeCard();
  });

  test("the day report shows today's sale and prints on the lane's printer", { timeout: 30_000 }, async () => {
    const sales = page.locator('#report-body tr[data-line="sales"][data-currency="EUR"]');
    await sales.filter({ hasText: '12.34 EUR' }).waitFor({ timeout: T });
    await page.locator('#report-body tr[data-line="net"][data-currency="EUR"]').waitFor({ timeout: T });
    const before = daemon.printedLines().length;
    await page.click('#print-report');
    await page.locator('#report-status').filter({ hasText: 'Report printed.' }).waitFor({ timeout: T });
    const lines = daemon.printedLines().slice(before);
    assert.ok(lines.some((l) => l.includes('DAY REPORT')), lines.join('\n'));
    assert.ok(lines.some((l) => /Sales \(1\)\s+12\.34/.test(l)), lines.join('\n'));
    await screenshot(page, 'e2e-day-report.png');
  });

  test('paper out and paper ok from the simulator panel show on the dashboard', { timeout: 30_000 }, async () => {
    await page.click('#paper-out');
    await page.locator('#lanes dd[data-tone="bad"]', { hasText: 'out of paper' }).waitFor({ timeout: T });
    await page.click('#paper-ok');
    await page.locator('#lanes dd[data-tone="ok"]', { hasText: 'paper ok' }).waitFor({ timeout: T });
  });

  test('a decline at 800×600: the page says so in plain words and what to do next', { timeout: 60_000 }, async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    await insertCard('visa-decline-offline');
    await charge('5');
    const outcome = page.locator('#outcome');
    // This card may ask for the PIN first: typed on the keyboard this time.
    const first = await Promise.race([outcome.waitFor({ timeout: T }).then(() => 'outcome'), waitForPinPrompt().then(() => 'pin')]);
    if (first === 'pin') {
      await page.locator('#pin').focus();
      await page.keyboard.type('1234');
      await page.keyboard.press('Enter');
      await outcome.waitFor({ timeout: T });
    }
    assert.equal(await outcome.getAttribute('data-result'), 'declined');
    assert.match(await outcome.innerText(), /Declined[\s\S]*another card/);
    await outcome.scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-decline.png');
    await removeCard();
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('the card removed mid-payment: the failure in plain words', { timeout: 60_000 }, async () => {
    await insertCard('visa-sda-pse');
    await charge('7.50');
    await waitForPinPrompt();
    await removeCard();
    // The customer finishes typing after pulling the card: the next exchange with the card finds it gone.
    await page.locator('#pin').focus();
    await page.keyboard.type('1234');
    await page.keyboard.press('Enter');
    const outcome = page.locator('#outcome');
    await outcome.waitFor({ timeout: T });
    assert.equal(await outcome.getAttribute('data-result'), 'failed');
    assert.match(await outcome.innerText(), /The card was removed before the payment finished[\s\S]*leave the card in/);
    await screenshot(page, 'e2e-card-removed.png');
  });

  test('a swiped stripe card pays, a chip card swiped is told to insert; the cash drawer opens from the dashboard', { timeout: 60_000 }, async () => {
    await charge('3.20');
    await page.locator('#progress').filter({ hasText: 'Insert' }).waitFor({ timeout: T });
    await page.click('#swipe-chip');
    await page.locator('#progress').filter({ hasText: 'Chip card: insert the card' }).waitFor({ timeout: T });
    await page.click('#swipe-stripe');
    const outcome = page.locator('#outcome[data-result="approved"]');
    await outcome.waitFor({ timeout: T });
    assert.match(await outcome.innerText(), /541333\*{6}0010/);
    await page.click('#lanes button[data-drawer="A"]');
    await page.locator('#lanes dd', { hasText: 'drawer open' }).waitFor({ timeout: T });
    await screenshot(page, 'e2e-swipe-drawer.png');
  });

  test('a tapped phone pays: verified on the phone, contactless', { timeout: 60_000 }, async () => {
    await charge('4.50');
    await page.locator('#progress').filter({ hasText: 'Insert' }).waitFor({ timeout: T });
    await page.click('#tap-phone');
    const outcome = page.locator('#outcome[data-result="approved"]', { hasText: '476173******0044' });
    await outcome.waitFor({ timeout: T });
    await page.click('#remove-card');
  });

  test('the daemon restarts: the page shows it reconnecting, then reconnected, and recovers the payment in flight', { timeout: 90_000 }, async () => {
    await charge('3.00');
    await page.locator('#progress').filter({ hasText: 'Insert, tap or swipe' }).waitFor({ timeout: T });
    await daemon.stop();
    await page.locator('#conn[data-state="reconnecting"]').waitFor({ timeout: T });
    await screenshot(page, 'e2e-reconnecting.png');
    await daemon.start();
    await page.locator('#conn[data-state="reconnected"]').waitFor({ timeout: T });
    // The stopping daemon parked the payment (no card yet: cancelled); its notification was lost with the
    // connection, so only payment.status after the reconnect can tell the page.
    const outcome = page.locator('#outcome');
    await outcome.waitFor({ timeout: T });
    assert.equal(await outcome.getAttribute('data-result'), 'cancelled');
    assert.match(await outcome.innerText(), /Reconnected: Cancelled/);
    await page.locator('#payments-body .status[data-state="cancelled"]').first().waitFor({ timeout: T });
    await screenshot(page, 'e2e-reconnected.png');
  });
});
