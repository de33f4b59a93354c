// Crash safety of the host link for real: a child process authorises against the simulator (which never answers)
// and is SIGKILLed once the 0200 has reached the simulator; this process then opens the same journal, recovers and
// runs the worker: exactly one 0400 goes out for that sale, and nothing after its 0410. Also: a shutdown with a
// request in flight keeps its reversal. Both use real SQLite files in a temp dir and real sockets on 127.0.0.1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { reversalsOf, saleFor, sleep, stackFor, startSimulator, tempDir, TestClock } from '../helpers/host-fixture.js';

const CHILD = fileURLToPath(new URL('../helpers/host-crash-child.js', import.meta.url));

describe('crash between "request sent" and "response stored"', { timeout: 20_000 }, () => {
  test('SIGKILL while waiting for the answer → after restart the reversal goes out exactly once', async () => {
    const tmp = tempDir('crash');
    const sim = await startSimulator();
    await sim.setMode('timeout');
    const clock = new TestClock();
    try {
      const child = spawn(process.execPath, [CHILD, tmp.dir, String(sim.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      const died = exited.then((e) => Promise.reject(new Error(`the child exited early (${JSON.stringify(e)}): ${output}`)));
      died.catch(() => undefined);
      const sale = await Promise.race([sim.waitFor((r) => r.mti === '0200', 10_000), died]);
      assert.ok(child.kill('SIGKILL'));
      assert.deepEqual(await exited, { code: null, signal: 'SIGKILL' });
      assert.equal(sale.answer, null, 'the simulator never answered');

      await sim.setMode('normal');
      const stack = stackFor(sim, tmp.dir, clock);
      assert.deepEqual(stack.queue.list().map((i) => [i.status, i.ref]), [['armed', 'crash-sale-1']], 'the child armed the reversal before sending');
      assert.equal(stack.queue.recover(clock.now()), 1);
      assert.equal(stack.queue.list()[0].reason, 'restart: no stored answer');
      await stack.worker.drain();
      const reversals = reversalsOf(sim, sale.stan!);
      assert.deepEqual(reversals.map((r) => [r.mti, r.answer?.responseCode]), [['0400', '00']]);
      assert.equal(reversals[0].amount, 1234);
      await stack.worker.drain();
      await sleep(100);
      await stack.close();

      // A second restart finds nothing to do.
      const again = stackFor(sim, tmp.dir, clock);
      assert.equal(again.queue.recover(clock.now()), 0);
      await again.worker.drain();
      await again.close();
      assert.deepEqual(sim.received().map((r) => r.mti), ['0200', '0400'], 'nothing after the 0410');
    } finally {
      await sim.stop();
      tmp.remove();
    }
  });

  test('closing the link with a request in flight fires its reversal instead of dropping it', async () => {
    const tmp = tempDir('shutdown');
    const sim = await startSimulator();
    const clock = new TestClock();
    try {
      await sim.setMode('timeout');
      let stack = stackFor(sim, tmp.dir, clock, { link: { authTimeoutMs: 10_000 } });
      const pending = stack.link.authorize(saleFor('visa-issuer-scripts', 2500, 'shutdown-sale'));
      const sale = await sim.waitFor((r) => r.mti === '0200');
      await stack.close();
      const r = await pending;
      assert.deepEqual([r.outcome, r.error, r.reversalQueued], ['unable', 'HOST_CLOSED', true]);

      await sim.setMode('normal');
      stack = stackFor(sim, tmp.dir, clock);
      assert.deepEqual(stack.queue.list().map((i) => [i.status, i.reason]), [['pending', 'HOST_CLOSED']]);
      await stack.worker.drain();
      assert.deepEqual(reversalsOf(sim, sale.stan!).map((x) => [x.mti, x.answer?.responseCode]), [['0400', '00']]);
      await stack.close();
    } finally {
      await sim.stop();
      tmp.remove();
    }
  });
});
