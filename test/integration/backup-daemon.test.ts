// Disaster recovery with a real daemon (a child process, virtual readers, the host simulator on 127.0.0.1): an
// approved sale settled in a closed batch, an approved sale and a refund in the open batch, a declined sale, a sale
// whose answer was lost with its reversal still queued (host down) → `posbridge backup now` while the daemon runs →
// a restore into the running daemon's data directory is refused → daemon stopped, data directory deleted → restore
// from the share's copy → daemon started: every payment (ids, states, masked PANs), every queue item and batch is
// back, the old token still logs in, and the queued reversal is delivered once the host is back (its sealed payload
// opened with the restored key, the host matching it to the original authorisation).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { processContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { HostSimulator } from '../../src/sim/host/host-simulator.js';
import { freePort, pairToken, startDaemonProcess } from '../helpers/daemon-process.js';
import { RpcSession } from '../helpers/rpc-session.js';

async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli({ ...processContext(), out: (l) => out.push(l), err: (l) => err.push(l) }, argv);
  return { code, out, err };
}

/** What a restore must bring back, read straight from a journal file. */
function journalRows(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    return {
      payments: db.prepare('SELECT id, reference, type, amount, state, result, masked_pan, pan_hash, auth_code FROM payments ORDER BY id').all(),
      queue: db.prepare('SELECT id, kind, ref, mti, status, hex(payload) AS payload FROM host_queue ORDER BY id').all(),
      batches: db.prepare('SELECT id, status, opened_at, closed_at FROM batches ORDER BY id').all(),
      batchItems: db.prepare('SELECT id, batch_id, ref, kind, amount, stan, reversed, hex(request) AS request FROM batch_items ORDER BY id').all(),
      clients: db.prepare('SELECT id, name, role, token_hash FROM api_clients ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}

async function stop(daemon: ChildProcess): Promise<void> {
  if (daemon.exitCode !== null || daemon.signalCode !== null) return;
  const gone = new Promise((r) => daemon.once('exit', r));
  daemon.kill('SIGTERM');
  await gone;
}

describe('backup and restore with a real daemon', { timeout: 120_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'posbridge-dr-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  test('payments → backup → data directory destroyed → restore → everything back, the pending reversal delivered', async () => {
    const dataDir = join(root, 'data');
    const share = join(root, 'share');
    process.env.POSBRIDGE_CONFIG_DIR = join(root, 'config-dir');
    const host = new HostSimulator({ port: 0 });
    const hostPort = await host.start();
    const port = await freePort();
    const configPath = join(root, 'config.json');
    writeFileSync(configPath, JSON.stringify({ port, dataDir, readers: 'virtual', demo: true, host: { host: '127.0.0.1', port: hostPort }, lanes: [{ name: 'A', reader: 'Virtual A' }], backup: { everyHours: 24, keep: 3, copyTo: share, keyFile: join(root, 'keys', 'backup.key') } }));
    let daemon = await startDaemonProcess(configPath, dataDir);
    const sessions: RpcSession[] = [];
    try {
      const cashierToken = pairToken(dataDir, 'cashier');
      const cashier = await RpcSession.open(port, cashierToken);
      const sup = await RpcSession.open(port, pairToken(dataDir, 'supervisor'));
      sessions.push(cashier, sup);
      await cashier.call('sim.insertCard', { lane: 'A', profile: 'visa-contactless' });
      const pay = async (type: string, amount: number, reference: string): Promise<Record<string, unknown>> => {
        const id = (await cashier.call('payment.start', { lane: 'A', type, amount, currency: 'EUR', reference })).result?.paymentId;
        assert.ok(id, `payment ${reference} started`);
        return (await cashier.waitFor((m) => m.method === 'payment.completed' && m.params?.paymentId === id)).params ?? {};
      };
      const outcome = (p: Record<string, unknown>): unknown[] => [p.state, p.result];
      assert.deepEqual(outcome(await pay('sale', 1500, 'settled-sale')), ['completed', 'approved']);
      assert.equal((await sup.call('settlement.close')).result?.closed, true, 'a closed batch');
      assert.deepEqual(outcome(await pay('sale', 2000, 'open-sale')), ['completed', 'approved']);
      assert.deepEqual(outcome(await pay('refund', 700, 'open-refund')), ['completed', 'approved']);
      assert.deepEqual(outcome(await pay('sale', 1005, 'declined')), ['declined', 'declined']);
      // The answer lost: the reversal is queued, and the host goes down before it can be delivered.
      await host.setMode('drop-mid-response', { only: ['0200', '0400'] });
      const lost = await pay('sale', 2500, 'lost-answer');
      assert.deepEqual(outcome(lost), ['reversal-pending', null]);
      await host.setMode('down');

      // A backup while the daemon runs (the CLI reads the journal through a read-only connection of its own).
      const made = await cli(['backup', 'now', '--config', configPath, '--json']);
      assert.equal(made.code, 0, made.err.join('\n'));
      const backup = JSON.parse(made.out[0]) as { backup: string; files: string[]; copy: { file: string } };
      assert.deepEqual(backup.files, ['journal.db', 'saf.key', 'pan-hash.key']);
      const verified = await cli(['backup', 'verify', backup.copy.file, '--config', configPath, '--json']);
      assert.equal(verified.code, 0, verified.err.join('\n'));
      const counts = (JSON.parse(verified.out[0]) as { counts: { payments: number; hostQueue: Record<string, number>; batches: Record<string, number> } }).counts;
      assert.equal(counts.payments, 5);
      assert.equal((counts.hostQueue.pending ?? 0) + (counts.hostQueue['in-flight'] ?? 0), 1, 'the reversal waits in the backup');
      assert.deepEqual(counts.batches, { closed: 1, open: 1 });

      const refused = await cli(['backup', 'restore', backup.copy.file, '--config', configPath, '--force']);
      assert.equal(refused.code, 2);
      assert.match(refused.err.join('\n'), /BACKUP_TARGET_IN_USE/);

      const statuses = async (s: RpcSession): Promise<unknown[]> => {
        const out: unknown[] = [];
        for (const ref of ['settled-sale', 'open-sale', 'open-refund', 'declined', 'lost-answer']) {
          const p = (await s.call('payment.status', { reference: ref })).result ?? {};
          out.push([p.paymentId, p.reference, p.type, p.amount, p.state, p.result, p.maskedPan]);
        }
        return out;
      };
      const before = await statuses(cashier);
      for (const s of sessions.splice(0)) s.ws.close();
      await stop(daemon);
      const rowsBefore = journalRows(join(dataDir, 'journal.db'));
      assert.deepEqual((rowsBefore.queue as { kind: string; ref: string; status: string }[]).filter((q) => q.status === 'pending').map((q) => q.kind), ['reversal'], 'one reversal waits for the host');

      // The disaster: the whole data directory (its backups folder with it) is gone.
      rmSync(dataDir, { recursive: true, force: true });
      const restored = await cli(['backup', 'restore', backup.copy.file, '--config', configPath, '--json']);
      assert.equal(restored.code, 0, restored.err.join('\n'));
      assert.deepEqual(journalRows(join(dataDir, 'journal.db')), rowsBefore, 'payments, queue items with their sealed payloads, batches, API clients');
      assert.ok(existsSync(join(dataDir, 'saf.key')) && existsSync(join(dataDir, 'pan-hash.key')));

      daemon = await startDaemonProcess(configPath, dataDir);
      const again = await RpcSession.open(port, cashierToken);
      sessions.push(again);
      assert.deepEqual(await statuses(again), before, 'the same ids, states, results and masked PANs');
      // The host is back: the restored reversal is opened with the restored key and delivered.
      await host.setMode('normal');
      const update = await again.waitFor((m) => m.method === 'payment.updated' && m.params?.paymentId === lost.paymentId);
      assert.deepEqual([update.params?.state, update.params?.result], ['reversed', 'failed']);
      const original = host.received('0200').find((m) => m.amount === 2500);
      const reversal = host.received().filter((m) => m.mti !== null && ['0400', '0401', '0420', '0421'].includes(m.mti) && m.delivery === 'sent').at(-1);
      assert.ok(original && reversal, JSON.stringify(host.received().map((m) => [m.mti, m.delivery, m.answer])));
      assert.deepEqual([reversal.originalStan, reversal.answer?.responseCode], [original.stan, '00'], 'the restored payload is the real reversal of the lost authorisation');
    } finally {
      for (const s of sessions) s.ws.close();
      await stop(daemon);
      await host.stop();
    }
  });
});
