import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { apduCommand } from './commands/apdu.js';
import { atrCommand } from './commands/atr.js';
import { doctorCommand } from './commands/doctor.js';
import type { EmvPayOptions } from './commands/emv-pay.js';
import { emvReadCommand } from './commands/emv-read.js';
import { settleCommand } from './commands/settle.js';
import { hostQueueCommand } from './commands/host-queue.js';
import { clientsCommand, pairCommand } from './commands/clients.js';
import { daemonCommand } from './commands/daemon.js';
import { payCommand, statusCommand, type ClientCliOptions } from './commands/client-commands.js';
import { journalCommand, type JournalOptions } from './commands/journal.js';
import { backupCommand, type BackupOptions } from './commands/backup.js';
import { reportCommand, type ReportOptions } from './commands/report.js';
import { printerStatusCommand, printerTestCommand, type PrinterCliOptions } from './commands/printer.js';
import type { SimPrinterOptions } from './commands/sim-printer.js';
import type { SimPinPadOptions } from './commands/sim-pinpad.js';
import { printCommand, type PrintOptions } from './commands/print.js';
import { devicesCommand } from './commands/devices.js';
import { readersCommand } from './commands/readers.js';
import { initCommand, type InitOptions } from './commands/init.js';
import { tlvCommand } from './commands/tlv.js';
import { nexoCertCommand, type NexoCertOptions } from './commands/nexo-cert.js';
import type { DemoOptions } from './commands/demo-options.js';
import { watchCommand } from './commands/watch.js';
import type { CliContext } from './context.js';
import { errorLine, EXIT, exitCodeFor } from './exit-codes.js';
import { packageVersion } from './version.js';

function positiveInt(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number of at least 1`);
    return n;
  };
}

function positiveNumber(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number above 0`);
    return n;
  };
}

/** Builds the `posbridge` command tree; each action stores its exit code in `result.code`. */
export function buildProgram(ctx: CliContext, result: { code: number }, signal?: AbortSignal): Command {
  const program = new Command('posbridge')
    .description('posbridge: hardware bridge for shop checkouts — diagnose readers, cards and devices')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.out(s.replace(/\n$/, '')), writeErr: (s) => ctx.err(s.replace(/\n$/, '')) });

  const run = (fn: () => Promise<number>) => async (): Promise<void> => {
    result.code = await fn();
  };

  program
    .command('readers')
    .description('list the readers, whether each holds a card, and the ATR')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => run(() => readersCommand(ctx, opts))());

  program
    .command('watch')
    .description('print reader, card and PC/SC service events as they happen')
    .option('--json', 'one JSON object per line')
    .option('--count <n>', 'stop after N events', positiveInt('--count'))
    .option('--timeout <seconds>', 'stop after S seconds', positiveNumber('--timeout'))
    .action((opts: { json?: boolean; count?: number; timeout?: number }) => run(() => watchCommand(ctx, { ...opts, signal }))());

  program
    .command('apdu')
    .description('send command APDUs (hex) to the card, with T=0 handling, and show the answers')
    .argument('<hex...>', 'command APDUs in hex, sent in order')
    .option('--reader <name>', 'reader to use (default: the only one with a card)')
    .option('--json', 'machine-readable output')
    .action((hex: string[], opts: { reader?: string; json?: boolean }) => run(() => apduCommand(ctx, hex, opts))());

  program
    .command('atr')
    .description('decode an ATR (ISO 7816-3) and name the card from smartcard_list.txt')
    .argument('<hex...>', 'the ATR in hex (spaces allowed)')
    .option('--json', 'machine-readable output')
    .action((hex: string[], opts: { json?: boolean }) => run(() => atrCommand(ctx, hex.join(' '), opts))());

  program
    .command('tlv')
    .description('decode BER-TLV (EMV) data; card numbers are masked')
    .argument('<hex...>', 'the TLV data in hex (spaces allowed)')
    .option('--json', 'machine-readable output')
    .action((hex: string[], opts: { json?: boolean }) => run(() => tlvCommand(ctx, hex.join(' '), opts))());

  program
    .command('doctor')
    .description('check the PC/SC service, readers, drivers and permissions (and a daemon config), and say how to fix problems')
    .option('--config <file>', 'also check this daemon configuration and its lanes’ readers')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean; config?: string }) => run(() => doctorCommand(ctx, opts))());

  const emv = program.command('emv').description('EMV card operations');
  emv
    .command('read')
    .description('read the card: applications, the selected one’s data (PAN masked), ODA, PIN tries')
    .option('--reader <name>', 'reader to use (default: the only one with a card)')
    .option('--contactless', 'select through the PPSE (2PAY.SYS.DDF01)')
    .option('--apdus', 'include the APDU log (card numbers masked)')
    .option('--test-keys', 'also trust the simulators\' test CA keys (virtual cards only: never in a shop)')
    .option('--json', 'machine-readable output')
    .action((opts: { reader?: string; json?: boolean; contactless?: boolean; apdus?: boolean; testKeys?: boolean }) => run(() => emvReadCommand(ctx, opts))());
  emv
    .command('pay')
    .description('TEST STAND: run a whole EMV transaction on the card, authorised by --host or the host simulator')
    .requiredOption('--amount <amount>', 'amount, e.g. 12.34')
    .requiredOption('--currency <code>', 'ISO 4217 numeric currency, e.g. 978')
    .option('--type <type>', 'purchase, refund, cash, cashback or preauth (--contactless: or 00, 01, 09, 20)', 'purchase')
    .option('--reader <name>', 'reader to use (default: the only one with a card)')
    .option('--pin-stdin', 'read the PIN from standard input, one line per prompt')
    .option('--offline', 'no host: the card and terminal decide offline (Y1/Z1, Y3/Z3)')
    .option('--host <host:port>', 'acquirer host (ISO 8583); default: the host simulator, started here')
    .option('--test-keys', 'also trust the simulators\' test CA keys (virtual cards only: never in a shop)')
    .option('--contactless', 'recorded-card stand: Entry Point and the kernel with fixed --un/--date, no host')
    .option('--un <hex>', 'with --contactless: unpredictable number (9F37), 4 bytes hex')
    .option('--date <yyyy-mm-dd>', 'with --contactless: transaction date (9A); certificate expiry judged on it')
    .option('--ttq <hex>', 'with --contactless: TTQ (9F66) for every combination, 4 bytes hex')
    .option('--country <code>', 'with --contactless: terminal country code (9F1A), ISO 3166 numeric')
    .option('--record <file>', 'with --contactless: write the session to FILE as a transcript (card data in clear)')
    .option('--outcome-only', 'with --contactless: print only the kernel\'s outcome')
    .option('--json', 'machine-readable output')
    .action((opts: EmvPayOptions) => run(async () => (await import('./commands/emv-pay.js')).emvPayCommand(ctx, opts))());

  program
    .command('settle')
    .description('forward queued reversals and advices, then settle the batch with the host (0500)')
    .option('--host <host:port>', 'acquirer host (ISO 8583); default: the host simulator, started here')
    .option('--json', 'machine-readable output')
    .action((opts: { host?: string; json?: boolean }) => run(() => settleCommand(ctx, opts))());

  program
    .command('host')
    .description('the acquirer link')
    .command('queue')
    .description('reversals and advices waiting for the host (exit 1 when any needs manual handling)')
    .option('--status <list>', 'comma-separated: armed, pending, in-flight, done, disarmed, manual')
    .option('--json', 'machine-readable output')
    .action((opts: { status?: string; json?: boolean }) => run(() => hostQueueCommand(ctx, opts))());

  program
    .command('daemon')
    .description('run the daemon: the local WebSocket API for cashier apps (until SIGINT/SIGTERM)')
    .option('--config <file>', 'JSON configuration (lanes, host, readers, port…)')
    .action((opts: { config?: string }) => run(() => daemonCommand(ctx, opts, signal))());

  program
    .command('init')
    .description('first-run set-up: find the readers, serial ports and stripe readers, ask for the rest, write a daemon configuration')
    .option('--non-interactive', 'ask nothing: take every answer from the flags (--host, --terminal-id, --merchant-name required)')
    .option('--json', 'one line {"found","file","config"} on standard output (questions go to standard error)')
    .option('--host <host:port>', "the acquirer's host")
    .option('--tls', 'TLS to the acquirer (the system CAs)')
    .option('--tls-ca <file>', "TLS, trusting this PEM CA (its text is written into the configuration)")
    .option('--tls-pin <sha256>', "TLS, pinned to the SHA-256 of the host's public key")
    .option('--terminal-id <id>', 'the terminal ID (1–8 characters, ISO 8583 field 41)')
    .option('--merchant-id <id>', 'the merchant ID (1–15 characters, ISO 8583 field 42)')
    .option('--merchant-name <name>', 'the shop name printed on receipts')
    .option('--lane <name>', 'the lane name (default A)')
    .option('--reader <name>', 'the contact (chip) reader (default: the only contact slot found)')
    .option('--contactless-reader <name>', 'the contactless reader (default: the only contactless slot found)')
    .option('--pinpad <value>', '"reader" (default) or serial:///dev/ttyUSB0?baud=9600')
    .option('--printer <url>', 'the receipt printer: tcp://HOST:9100, serial:///dev/ttyS0?baud=19200 or file:///dev/usb/lp0')
    .option('--stripe <value>', 'the stripe reader: hid, hid:VVVV:PPPP or hid:PATH (default: the stripe reader found, if any)')
    .option('--data-dir <dir>', 'the data directory (default per OS convention)')
    .option('--metrics <port>', 'turn the Prometheus endpoint on, on 127.0.0.1:PORT')
    .option('--out <file>', 'where to write (default per OS convention, see docs/cli.md)')
    .option('--force', 'replace an existing file')
    .action((opts: InitOptions) => run(() => initCommand(ctx, opts))());

  program
    .command('demo')
    .description('the daemon on simulated devices (virtual card, PIN pad, host) with a demo token')
    .option('--port <n>', 'API port (default 17620; 0 picks a free one)')
    .option('--json', 'one line {"url","token","cashiers","lanes","page","dataDir","pid"} once ready')
    .option('--pcsc', 'put the virtual card in a vpcd reader of a private pcscd (needs its own mount namespace)')
    .option('--nexo', 'also serve Adyen\'s local Terminal API on https://127.0.0.1:8443/nexo/ (docs/nexo.md)')
    .option('--nexo-port <n>', 'the nexo endpoint\'s port (default 8443, the one Adyen\'s libraries call; 0 picks a free one)')
    .option('--auto-card <profile[:delayMs]>', 'present this virtual card (and type its PIN) to every payment after the delay (default 1500 ms)')
    .option('--metrics <port>', 'serve Prometheus /metrics, /healthz, /readyz on 127.0.0.1:PORT (0 picks a free one; docs/operations.md)')
    .action((opts: DemoOptions) => run(async () => (await import('./commands/demo.js')).demoCommand(ctx, opts, signal))());

  program
    .command('nexo')
    .description('the nexo endpoint (Adyen Terminal API, local mode)')
    .command('cert')
    .description('make a self-signed TLS certificate Adyen\'s libraries accept (cert.pem, key.pem)')
    .option('--out <dir>', 'where to write them (default <dataDir>/nexo, where the daemon looks)')
    .option('--name <name-serial>', 'the CN\'s terminal part, <letters/digits>-<letters/digits> (default posbridge-terminal)')
    .option('--live', 'CN under .live.terminal.adyen.com instead of .test.')
    .option('--force', 'replace an existing pair')
    .option('--json', 'one line {"certificatePath","keyPath","commonName"}')
    .action((opts: NexoCertOptions) => run(async () => nexoCertCommand(ctx, opts))());

  for (const type of ['sale', 'refund'] as const) {
    program
      .command(type)
      .description(`a ${type} through the running daemon (as a cashier app would)`)
      .requiredOption('--amount <amount>', 'amount, e.g. 12.34')
      .requiredOption('--currency <code>', 'ISO 4217 alpha, e.g. EUR')
      .option('--lane <lane>', 'lane (default: the first)')
      .option('--reference <ref>', 'your unique id (default: a new UUID)')
      .option('--url <url>', 'API URL (default ws://127.0.0.1:17620/v1)')
      .option('--token <token>', 'client token (or POSBRIDGE_TOKEN)')
      .option('--json', 'machine-readable output')
      .action((opts: ClientCliOptions & { amount: string; currency: string; lane?: string; reference?: string }) => run(() => payCommand(ctx, type, opts, signal))());
  }
  program
    .command('status')
    .description('where a payment stands, by your reference')
    .argument('<reference>', 'the reference given at start')
    .option('--url <url>', 'API URL (default ws://127.0.0.1:17620/v1)')
    .option('--token <token>', 'client token (or POSBRIDGE_TOKEN)')
    .option('--json', 'machine-readable output')
    .action((reference: string, opts: ClientCliOptions) => run(() => statusCommand(ctx, reference, opts))());

  program
    .command('journal')
    .description('the payments journal: list, show ID, export --csv (masked PANs only); backup = `posbridge backup now`')
    .argument('<action>', 'list | show | export | backup')
    .argument('[id]', 'payment id for show')
    .option('--from <date>', 'from (ISO 8601)')
    .option('--to <date>', 'to (ISO 8601)')
    .option('--csv', 'CSV output (list, export)')
    .option('--keep <n>', 'backups to keep (default 7)')
    .option('--dir <dir>', 'backup directory (default <data dir>/backups)')
    .option('--json', 'machine-readable output')
    .action((action: string, id: string | undefined, opts: JournalOptions) => run(() => journalCommand(ctx, action, id, opts))());

  program
    .command('backup')
    .description('encrypted backups of the data directory: now, verify FILE, restore FILE (docs/backups.md)')
    .argument('<action>', 'now | verify | restore')
    .argument('[file]', 'the backup file (verify, restore)')
    .option('--config <file>', 'daemon configuration: its dataDir and "backup" section (keep, copyTo, keyFile)')
    .option('--data-dir <dir>', 'data directory (default: the config\'s, else POSBRIDGE_DATA_DIR or the OS convention)')
    .option('--key <file>', 'backup key file (default: the config\'s backup.keyFile, else <config dir>/backup.key)')
    .option('--dir <dir>', 'now: where backups go (default <data dir>/backups)')
    .option('--keep <n>', 'now: backups to keep there and in copyTo (default: the config\'s, else 7)')
    .option('--copy-to <dir>', 'now: also copy the backup to this folder (default: the config\'s backup.copyTo)')
    .option('--force', 'restore: restore over an existing journal (kept aside as journal.db.before-restore-<time>)')
    .option('--json', 'machine-readable output')
    .action((action: string, file: string | undefined, opts: BackupOptions) => run(() => backupCommand(ctx, action, file, opts))());

  program
    .command('report')
    .description("the day's (or a period's) totals per currency and group, and the settlement beside the host's totals (reads the journal)")
    .option('--day <date>', 'YYYY-MM-DD, midnight to midnight in the local time zone')
    .option('--from <time>', 'from (ISO 8601), overrides the day start')
    .option('--to <time>', 'to (ISO 8601, exclusive), overrides the day end')
    .option('--utc', 'day boundaries in UTC instead of local time')
    .option('--lane <lane>', "only this lane's payments")
    .option('--cashier <name>', "only this cashier's (API client's) payments")
    .option('--group-by <keys>', 'comma list of currency, scheme, entryMode, cashier, lane')
    .option('--json', 'machine-readable output (as report.get)')
    .option('--csv', 'one CSV record per payment, for accounting (docs/reports.md)')
    .option('--data-dir <dir>', 'data directory (default: POSBRIDGE_DATA_DIR or the platform default)')
    .action((opts: ReportOptions) => run(async () => reportCommand(ctx, opts))());

  program
    .command('pair')
    .description('pair a cashier app with the API: prints its token once (stored only as a hash)')
    .requiredOption('--role <role>', 'cashier, supervisor or admin')
    .option('--name <name>', 'a name to recognise the client by')
    .option('--json', 'machine-readable output')
    .action((opts: { role: string; name?: string; json?: boolean }) => run(() => pairCommand(ctx, opts))());

  program
    .command('clients')
    .description('list the paired API clients, or revoke one')
    .argument('<action>', 'list | revoke')
    .argument('[id]', 'the client id to revoke')
    .option('--json', 'machine-readable output')
    .action((action: string, id: string | undefined, opts: { json?: boolean }) => run(() => clientsCommand(ctx, action, id, opts))());

  program
    .command('devices')
    .description('everything attached: card readers (with PIN pad / display), serial ports, HID, and printers with their status')
    .option('--printer <url>', 'a printer to check (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--config <file>', 'also every printer of this daemon configuration')
    .option('--json', 'machine-readable output')
    .action((opts: { printer?: string[]; config?: string; json?: boolean }) => run(() => devicesCommand(ctx, opts))());

  const printer = program.command('printer').description('receipt printer diagnostics (ESC/POS, Star)');
  const printerOptions = (c: Command): Command =>
    c
      .requiredOption('--printer <p>', 'printer URL (tcp://HOST[:PORT], serial:///dev/ttyX?baud=N, file:///dev/usb/lpN) or a name in the config\'s "printers"')
      .option('--config <file>', 'daemon configuration whose "printers" name the printer')
      .option('--command-set <set>', 'escpos, generic or star (default: the config\'s, else escpos)')
      .option('--json', 'machine-readable output');
  printerOptions(printer.command('status').description('the printer\'s real-time status (online, cover, paper, drawer); exit 1 when it cannot print')).action((opts: PrinterCliOptions) =>
    run(() => printerStatusCommand(ctx, opts))(),
  );
  printerOptions(printer.command('test').description('print a test page (refused when the printer is offline, open or out of paper)')).action((opts: PrinterCliOptions) =>
    run(() => printerTestCommand(ctx, opts))(),
  );

  program
    .command('print')
    .description('print a receiptline document (or a test page) on a printer URL or a configured printer\'s name')
    .argument('[file]', 'the receiptline document to print')
    .requiredOption('--printer <p>', 'printer URL (tcp://HOST[:PORT], serial:///dev/ttyX?baud=N, file:///dev/usb/lpN) or a name in the config\'s "printers"')
    .option('--encoding <enc>', 'code page: multilingual, cp437, cp858, cp1252, gb18030 (default: the config\'s, else cp858)')
    .option('--command-set <set>', 'escpos, generic or star (default: the config\'s, else escpos)')
    .option('--config <file>', 'daemon configuration whose "printers" name the printer')
    .option('--test', 'print a test page instead of a file')
    .option('--json', 'machine-readable output')
    .action((file: string | undefined, opts: PrintOptions) => run(() => printCommand(ctx, file, opts))());

  const sim = program.command('sim').description('device simulators for cashier-app developers and tests');
  sim
    .command('card')
    .description('put a virtual EMV card in a vpcd reader of pcscd until Ctrl-C (or list the profiles)')
    .option('--profile <name>', 'card profile')
    .option('--transcript <file>', 'a replay card answering a recorded session (emv pay --contactless --record)')
    .option('--vpcd <host:port>', 'vpcd slot to connect to', '127.0.0.1:35963')
    .option('--list', 'list the profiles')
    .option('--json', 'machine-readable output')
    .action((opts: { profile?: string; transcript?: string; vpcd?: string; list?: boolean; json?: boolean }) => run(async () => (await import('./commands/sim-card.js')).simCardCommand(ctx, opts, signal))());

  sim
    .command('host')
    .description('the simulated acquirer host on 127.0.0.1 until Ctrl-C (rules: .51 → 51, .05 → 05, .99 → no answer)')
    .option('--port <n>', 'TCP port (default: a free one)')
    .option('--json', 'machine-readable output')
    .action((opts: { port?: string; json?: boolean }) => run(async () => (await import('./commands/sim-host.js')).simHostCommand(ctx, opts, signal))());

  sim
    .command('printer')
    .description('a software ESC/POS (or Star) printer on 127.0.0.1 or a pty that shows what it prints, until Ctrl-C')
    .option('--tcp <port>', 'TCP port (0: a free one; default 9100)')
    .option('--pty <path>', 'serve on a pty linked at PATH (needs socat) instead of TCP: print with serial://PATH')
    .option('--command-set <set>', 'escpos or star', 'escpos')
    .option('--drawer-closes-after <ms>', 'the drawer closes by itself this long after a kick (default: stays open)')
    .option('--status <s>', 'what DLE EOT reports: ready, paper-near-end, paper-end, cover-open, offline, drawer-open, drawer-closed', 'ready')
    .option('--json', 'machine-readable output: one JSON event per line')
    .action((opts: SimPrinterOptions) => run(async () => (await import('./commands/sim-printer.js')).simPrinterCommand(ctx, opts, signal))());

  sim
    .command('pinpad')
    .description('an emulated serial PIN pad behind a pty linked at PATH (needs socat), until Ctrl-C')
    .requiredOption('--pty <path>', 'link the pty here: the driver opens serial://PATH')
    .option('--pin <digits>', 'the PIN the emulated cardholder types', '1234')
    .option('--aes', 'AES DUKPT and PIN block format 4 (default TDES DUKPT, format 0)')
    .option('--json', 'machine-readable output: one JSON event per line')
    .action((opts: SimPinPadOptions) => run(async () => (await import('./commands/sim-pinpad.js')).simPinPadCommand(ctx, opts, signal))());

  return program;
}

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. Errors go to stderr. */
export async function runCli(ctx: CliContext, argv: readonly string[], signal?: AbortSignal): Promise<number> {
  const result = { code: EXIT.OK as number };
  const program = buildProgram(ctx, result, signal);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return result.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE;
    }
    ctx.err(errorLine(err));
    return exitCodeFor(err);
  }
}
