// `posbridge init`: the first-run set-up of a till. Finds the readers, serial ports and stripe readers, asks (or takes
// flags for) the acquirer, the terminal's identity and the lane's devices, checks the result exactly as the daemon
// and `posbridge doctor --config` will, and writes it (mode 0640, never over a file without --force).
import { chownSync, linkSync, mkdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaultConfigFile } from '../../config/paths.js';
import { parseConfig } from '../../daemon/config.js';
import { refuseSimulators } from '../../daemon/demo-only.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { checkHost, checkLane, checkMerchantId, checkMerchantName, checkMetricsPort, checkPinPad, checkPrinter, checkStripe, checkTerminalId, configOf, tlsOf, type InitAnswers, type InitOptions } from './init-answers.js';
import { contactlessSlots, contactSlots, discover, foundStripe, type Found } from './init-discover.js';
import { askAnswers } from './init-prompts.js';

export type { InitOptions } from './init-answers.js';

/** The answers from the flags alone (--non-interactive): the required ones named when missing. */
function answersFromFlags(opts: InitOptions, found: Found): InitAnswers {
  const need = (v: string | undefined, flag: string, what: string): string => {
    if (v === undefined || v === '') throw new UsageError(`${flag} is required with --non-interactive (${what})`);
    return v;
  };
  const host = checkHost(need(opts.host, '--host', "the acquirer's HOST:PORT"));
  const terminalId = checkTerminalId(need(opts.terminalId, '--terminal-id', 'the terminal ID the acquirer gave'));
  const merchantName = checkMerchantName(need(opts.merchantName, '--merchant-name', 'the shop name printed on receipts'));
  const contact = contactSlots(found);
  // A reader is taken by itself only when there is no doubt which: exactly one contact slot.
  const reader = opts.reader ?? (contact.length === 1 ? contact[0] : undefined);
  if (reader === undefined) throw new UsageError(`--reader is required with --non-interactive: ${contact.length ? `${contact.length} readers found (${contact.join(', ')})` : 'no reader found'}`);
  const tap = contactlessSlots(found);
  const contactless = opts.contactlessReader ?? (tap.length === 1 ? tap[0] : undefined);
  const tls = tlsOf(opts);
  const stripe = opts.stripe ?? foundStripe(found) ?? undefined;
  return {
    host: { ...host, ...(tls ? { tls } : {}) },
    terminalId,
    ...(opts.merchantId !== undefined ? { merchantId: checkMerchantId(opts.merchantId) } : {}),
    merchantName,
    lane: checkLane(opts.lane ?? 'A'),
    reader,
    ...(contactless && contactless !== reader ? { contactless } : {}),
    ...(opts.pinpad ? { pinpad: checkPinPad(opts.pinpad) } : {}),
    ...(opts.printer ? { printer: checkPrinter(opts.printer) } : {}),
    ...(stripe ? { stripe: checkStripe(stripe) } : {}),
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.metrics !== undefined ? { metricsPort: checkMetricsPort(opts.metrics) } : {}),
  };
}

/**
 * Gives the new file its directory's group where the two differ (POSIX): a service reading its config through the
 * group (/etc/posbridge is root:posbridge 0750 in the package) can read what root wrote. Null when done or not
 * needed, else the command that does it.
 */
function takeDirectoryGroup(tmp: string, file: string): string | null {
  if (process.platform === 'win32') return null;
  const dirGid = statSync(dirname(file)).gid;
  const own = statSync(tmp);
  if (own.gid === dirGid) return null;
  try {
    chownSync(tmp, own.uid, dirGid);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EACCES') throw err;
    return `chgrp ${dirGid} ${file}`;
  }
}

/**
 * Writes `text` to `file` with mode 0640 and its directory's group: atomically, and never over an existing file
 * unless `force`. Returns the command still to run when the group could not be given.
 */
function writeConfig(file: string, text: string, force: boolean): string | null {
  mkdirSync(dirname(file), { recursive: true, mode: 0o750 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o640, flag: 'wx' });
  let todo: string | null;
  try {
    todo = takeDirectoryGroup(tmp, file);
    // link() fails when the name exists: no window in which another writer's file could be replaced.
    if (force) renameSync(tmp, file);
    else linkSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} exists: --force replaces it (or --out another file)`);
    throw err;
  }
  if (!force) unlinkSync(tmp);
  return todo;
}

/**
 * `posbridge init [--non-interactive] [--json] [flags]`: finds the devices, asks for (or takes) the rest, and writes a
 * configuration `posbridge daemon --config` and `posbridge doctor --config` accept. With --json, one object
 * {found, file, config} on standard output.
 */
export async function initCommand(ctx: CliContext, opts: InitOptions, input: NodeJS.ReadableStream = process.stdin): Promise<number> {
  const found = await discover(ctx);
  const defaultOut = defaultConfigFile();
  const { answers, out } = opts.nonInteractive ? { answers: answersFromFlags(opts, found), out: opts.out ?? defaultOut } : await askAnswers(ctx, opts, found, defaultOut, input);
  const withMetrics = !opts.nonInteractive && opts.metrics !== undefined ? { ...answers, metricsPort: checkMetricsPort(opts.metrics) } : answers;
  const config = configOf(withMetrics);
  // Checked as the daemon will read it: a ConfigError (exit 2) names the key; a simulator is refused.
  refuseSimulators(parseConfig(config));
  const todo = writeConfig(out, `${JSON.stringify(config, null, 2)}\n`, opts.force === true);
  // Not fatal (the file is written), but the service may not read it until this is done.
  if (todo) ctx.err(`note: ${out} could not take its directory's group; run: sudo ${todo}`);
  if (opts.json) ctx.out(JSON.stringify({ found, file: out, config }));
  else {
    ctx.out(`wrote ${out} (lane ${answers.lane}: reader "${answers.reader}"${answers.contactless ? `, contactless "${answers.contactless}"` : ''}; host ${answers.host.host}:${answers.host.port})`);
    ctx.out(`check it: posbridge doctor --config ${out}`);
    ctx.out(`run it:   posbridge daemon --config ${out}`);
  }
  return EXIT.OK;
}
