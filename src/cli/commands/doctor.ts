import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { parseConfig, type DaemonConfig } from '../../daemon/config.js';
import { refuseSimulators } from '../../daemon/demo-only.js';
import { describeAtr, SMARTCARD_LIST_PATH } from '../../apdu/atr-list.js';
import { toHex } from '../../apdu/hex.js';
import { defaultDataDir } from '../../config/paths.js';
import { ReaderError } from '../../drivers/pcsc/errors.js';
import type { ReaderDriver } from '../../drivers/pcsc/types.js';
import type { CliContext } from '../context.js';
import { EXIT, errorLine } from '../exit-codes.js';
import { configDeviceChecks } from './doctor-devices.js';

/** One diagnostic result: what was checked, how it went, and what to do about a problem. */
export interface Check {
  readonly name: string;
  readonly status: 'ok' | 'warn' | 'fail';
  readonly detail: string;
  readonly fix?: string;
}

const LINUX_PCSCD = '/usr/sbin/pcscd';
const LINUX_CCID = '/usr/lib/pcsc/drivers/ifd-ccid.bundle';
const LINUX_SOCKET = '/run/pcscd/pcscd.comm';

function serviceFix(): string {
  if (process.platform === 'win32') return 'start the "Smart Card" service (SCardSvr): `sc start SCardSvr`, or plug a reader in (Windows starts it on demand)';
  if (process.platform === 'darwin') return 'macOS runs the smart card service itself: unplug and replug the reader';
  return 'start it: `sudo systemctl start pcscd.socket` (or run `pcscd` as root); install with `sudo apt-get install pcscd`';
}

function platformChecks(): Check[] {
  const checks: Check[] = [];
  const [major, minor] = process.versions.node.split('.').map(Number);
  checks.push(
    major > 20 || (major === 20 && minor >= 10)
      ? { name: 'node', status: 'ok', detail: `Node.js ${process.versions.node}` }
      : { name: 'node', status: 'fail', detail: `Node.js ${process.versions.node} is too old`, fix: 'install Node.js 20.10 or newer' },
  );
  if (process.platform !== 'linux') return checks;
  checks.push(
    existsSync(LINUX_PCSCD)
      ? { name: 'pcscd installed', status: 'ok', detail: LINUX_PCSCD }
      : { name: 'pcscd installed', status: 'fail', detail: 'pcscd is not installed', fix: 'sudo apt-get install pcscd' },
  );
  checks.push(
    existsSync(LINUX_CCID)
      ? { name: 'CCID driver', status: 'ok', detail: LINUX_CCID }
      : { name: 'CCID driver', status: 'warn', detail: 'the generic USB reader driver (libccid) is missing', fix: 'sudo apt-get install libccid' },
  );
  if (existsSync(LINUX_SOCKET)) {
    try {
      accessSync(LINUX_SOCKET, constants.R_OK | constants.W_OK);
      checks.push({ name: 'PC/SC socket permission', status: 'ok', detail: `${LINUX_SOCKET} is accessible` });
    } catch (err) {
      checks.push({
        name: 'PC/SC socket permission',
        status: 'fail',
        detail: `${LINUX_SOCKET}: ${err instanceof Error ? err.message : String(err)}`,
        fix: 'allow this user through polkit (action org.debian.pcsc-lite.access_pcsc) or run posbridge as the service user',
      });
    }
  }
  checks.push(
    existsSync(SMARTCARD_LIST_PATH)
      ? { name: 'ATR list', status: 'ok', detail: SMARTCARD_LIST_PATH }
      : { name: 'ATR list', status: 'warn', detail: 'card names from ATRs are unavailable', fix: 'sudo apt-get install pcsc-tools' },
  );
  return checks;
}

/** The data directory the daemon would use — the config's `dataDir` when given, else the default — is writable. */
function dataDirCheck(configured: { readonly dir: string; readonly file: string } | null): Check {
  const dir = configured?.dir ?? defaultDataDir();
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return { name: 'data directory', status: 'ok', detail: dir };
  } catch (err) {
    const fix = configured ? `set "dataDir" in ${configured.file} to a writable directory` : 'set POSBRIDGE_DATA_DIR to a writable directory';
    return { name: 'data directory', status: 'fail', detail: `${dir}: ${err instanceof Error ? err.message : String(err)}`, fix };
  }
}

/** The `--config` file parsed, or the check saying why it could not be. */
function loadConfig(path: string): DaemonConfig | Check {
  try {
    const config = parseConfig(JSON.parse(readFileSync(path, 'utf8')) as unknown);
    refuseSimulators(config); // as the daemon would refuse it
    return config;
  } catch (err) {
    return { name: 'config', status: 'fail', detail: errorLine(err), fix: `correct ${path} (example: docs/config.example.json)` };
  }
}

async function readerChecks(ctx: CliContext, driver: ReaderDriver): Promise<Check[]> {
  const checks: Check[] = [];
  const readers = await driver.listReaders();
  checks.push({ name: 'PC/SC service', status: 'ok', detail: 'reachable' });
  if (readers.length === 0) {
    checks.push({ name: 'readers', status: 'fail', detail: 'no reader found', fix: 'plug the reader in; on Linux check `lsusb` and that libccid supports it' });
    return checks;
  }
  checks.push({ name: 'readers', status: 'ok', detail: `${readers.length} found` });
  for (const r of readers) {
    if (!r.cardPresent || !r.atr) {
      checks.push({ name: `reader "${r.name}"`, status: 'ok', detail: 'no card inserted' });
      continue;
    }
    const atr = toHex(r.atr);
    const known = describeAtr(ctx.atrList(), atr);
    checks.push({ name: `reader "${r.name}"`, status: 'ok', detail: `card ATR ${atr}${known.length ? ` (${known[0]})` : ''}` });
    try {
      const conn = await driver.connect(r.name);
      try {
        const features = await conn.features();
        const names = [...features.keys()];
        checks.push({
          name: `reader "${r.name}" features`,
          status: 'ok',
          detail: names.length ? names.join(', ') : 'no PC/SC part 10 features (no secure PIN pad)',
        });
      } finally {
        await conn.disconnect();
      }
    } catch (err) {
      const e = err instanceof ReaderError ? err : null;
      checks.push({
        name: `reader "${r.name}" connect`,
        status: e?.code === 'SHARING_VIOLATION' ? 'warn' : 'fail',
        detail: errorLine(err),
        fix: e?.code === 'SHARING_VIOLATION' ? 'another program holds the card exclusively: close it' : 'reinsert the card; try another card to tell card from reader',
      });
    }
  }
  return checks;
}

/** With `--config`: the file parses, each lane's reader is among the readers found, and its devices answer. */
async function configChecks(path: string | undefined, loaded: DaemonConfig | Check | null, readers: readonly string[] | null): Promise<Check[]> {
  if (!path || !loaded) return [];
  if ('status' in loaded) return [loaded];
  const config = loaded;
  const checks: Check[] = [{ name: 'config', status: 'ok', detail: `${path}: ${config.lanes.length} lane(s), host ${config.host === 'simulator' ? 'simulator' : `${config.host.host}:${config.host.port}`}` }];
  if (config.readers === 'pcsc' && readers) {
    for (const l of config.lanes) {
      checks.push(
        readers.includes(l.reader)
          ? { name: `lane ${l.name}`, status: 'ok', detail: `reader "${l.reader}" present` }
          : { name: `lane ${l.name}`, status: 'fail', detail: `reader "${l.reader}" not found`, fix: `plug it in, or set lanes[].reader to one of: ${readers.join(', ') || '(none)'}` },
      );
    }
  }
  checks.push(...(await configDeviceChecks(config)));
  return checks;
}

/** `posbridge doctor`: checks the PC/SC service, readers, drivers, permissions (and a config); says what to do. */
export async function doctorCommand(ctx: CliContext, opts: { json?: boolean; config?: string }): Promise<number> {
  const checks = platformChecks();
  const loaded = opts.config ? loadConfig(opts.config) : null;
  const configured = opts.config && loaded && !('status' in loaded) && loaded.dataDir ? { dir: loaded.dataDir, file: opts.config } : null;
  checks.push(dataDirCheck(configured));
  let readerNames: string[] | null = null;
  let serviceProblem = false;
  try {
    const driver = await ctx.createReaderDriver();
    checks.push({ name: 'PC/SC binding', status: 'ok', detail: 'loaded' });
    try {
      checks.push(...(await readerChecks(ctx, driver)));
      readerNames = (await driver.listReaders()).map((r) => r.name);
    } finally {
      await driver.close();
    }
  } catch (err) {
    const code = err instanceof ReaderError ? err.code : '';
    serviceProblem = true;
    if (code === 'PCSC_BINDING_MISSING') checks.push({ name: 'PC/SC binding', status: 'fail', detail: errorLine(err), fix: 'run `npm run setup`' });
    else checks.push({ name: 'PC/SC service', status: 'fail', detail: errorLine(err), fix: serviceFix() });
  }
  checks.push(...(await configChecks(opts.config, loaded, readerNames)));
  if (checks.some((c) => c.name === 'readers' && c.status === 'fail')) serviceProblem = true;
  if (opts.json) {
    ctx.out(JSON.stringify({ checks }));
  } else {
    for (const c of checks) {
      ctx.out(`${c.status === 'ok' ? 'ok  ' : c.status === 'warn' ? 'WARN' : 'FAIL'}  ${c.name}: ${c.detail}`);
      if (c.fix) ctx.out(`      fix: ${c.fix}`);
    }
  }
  if (serviceProblem) return EXIT.NO_SERVICE;
  return checks.some((c) => c.status === 'fail') ? EXIT.FAILED : EXIT.OK;
}
