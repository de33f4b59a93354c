import { createCard, listProfiles, profileInfo } from '../../sim/emv/catalog.js';
import { ReplayCard } from '../../sim/replay-card.js';
import { loadTranscript } from '../../sim/replay-transcript.js';
import type { VirtualCard } from '../../sim/virtual-card.js';
import { VpcdCardClient } from '../../sim/vpcd-client.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';

/** `posbridge sim card`: lists the virtual card profiles, or puts one (or a replay card) in a vpcd reader until Ctrl-C. */
export async function simCardCommand(ctx: CliContext, opts: { profile?: string; transcript?: string; vpcd?: string; list?: boolean; json?: boolean }, signal?: AbortSignal): Promise<number> {
  if (opts.profile && opts.transcript) throw new UsageError('--profile and --transcript exclude each other');
  if (opts.list || (!opts.profile && !opts.transcript)) {
    const profiles = listProfiles().map((n) => profileInfo(n));
    if (opts.json) ctx.out(JSON.stringify({ profiles }));
    else for (const p of profiles) ctx.out(`${p.name.padEnd(34)} PIN ${p.pin.padEnd(6)} → ${p.expected.padEnd(9)} ${p.description}`);
    return EXIT.OK;
  }
  if (opts.profile && !listProfiles().includes(opts.profile)) throw new UsageError(`unknown profile "${opts.profile}"; see --list`);
  const [host, portText] = (opts.vpcd ?? '127.0.0.1:35963').split(':');
  const port = Number(portText);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--vpcd must be HOST:PORT, got "${opts.vpcd}"`);
  const client = new VpcdCardClient({ host, port, connectTimeoutMs: 10_000 });
  const card: VirtualCard = opts.transcript ? new ReplayCard(await loadTranscript(opts.transcript)) : createCard(opts.profile ?? '');
  await client.insert(card);
  if (opts.transcript) ctx.out(opts.json ? JSON.stringify({ inserted: 'replay', transcript: opts.transcript, vpcd: `${host}:${port}` }) : `Replay card of "${opts.transcript}" inserted in vpcd ${host}:${port}. Ctrl-C removes it.`);
  else {
    const info = profileInfo(opts.profile ?? '');
    ctx.out(opts.json ? JSON.stringify({ inserted: info.name, vpcd: `${host}:${port}` }) : `Card "${info.name}" inserted in vpcd ${host}:${port} (PIN ${info.pin}). Ctrl-C removes it.`);
  }
  await new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await client.remove();
  return EXIT.OK;
}
