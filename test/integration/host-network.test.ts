// Echo and sign-on with the simulator; the echo finds a dead line and the link comes back when the host does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep, withHost } from '../helpers/host-fixture.js';

test('sign-on and echo are answered 00; an echo to a host that is down fails, and succeeds once it is back', async () => {
  await withHost(async ({ sim, stack }) => {
    assert.equal(await stack.network.signOn(), true);
    assert.equal(await stack.network.echo(), true);
    assert.deepEqual(sim.received('0800').map((m) => m.present.includes(70)), [true, true]);
    sim.setMode('down');
    await sleep(20);
    assert.equal(await stack.network.echo(), false);
    sim.setMode('normal');
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = await stack.network.echo();
      if (!ok) await sleep(20);
    }
    assert.equal(ok, true, 'the channel reconnected after the host came back');
    assert.ok(stack.network.lastAnswer instanceof Date);
  });
});

test('the echo timer sends 0800 while the line is idle', async () => {
  await withHost(async ({ sim, stack }) => {
    stack.network.start(30);
    await sleep(200);
    stack.network.stop();
    assert.ok(sim.received('0800').length >= 2, `got ${sim.received('0800').length} echoes`);
  });
});
