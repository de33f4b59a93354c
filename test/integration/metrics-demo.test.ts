// `posbridge demo --metrics 0 --auto-card` as a real process: its ready line names the endpoint, two sales through the
// API (one approved, one declined by the host simulator's .51 rule) are counted on its /metrics, with none of the
// card's data, the references or the token in the scrape; a bad --metrics value is a usage error.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { PosbridgeClient, type WebSocketFactory } from '../../src/client/index.js';

const BIN = join(process.cwd(), 'dist', 'bin', 'posbridge.js');

test('demo --metrics: the sales made through the API are on its /metrics, without card data', async () => {
  const child = spawn(process.execPath, [BIN, 'demo', '--json', '--port', '0', '--metrics', '0', '--auto-card', 'visa-sda-pse:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let client: PosbridgeClient | null = null;
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      child.once('exit', (code) => reject(new Error(`demo exited ${code}`)));
    });
    const ready = JSON.parse(line) as { url: string; token: string; metrics: string };
    assert.match(ready.metrics, /^http:\/\/127\.0\.0\.1:\d+$/);
    client = new PosbridgeClient({ url: ready.url, token: ready.token, WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
    await client.connect();
    const approved = await client.pay({ lane: 'A', type: 'sale', amount: 1200, currency: 'EUR', reference: 'demo-metrics-1' });
    const declined = await client.pay({ lane: 'A', type: 'sale', amount: 1351, currency: 'EUR', reference: 'demo-metrics-2' });
    assert.deepEqual([approved.result, declined.result], ['approved', 'declined']);
    const res = await fetch(`${ready.metrics}/metrics`);
    assert.equal(res.status, 200);
    const scrape = await res.text();
    assert.match(scrape, /^posbridge_payments_total\{outcome="approved",entry_mode="chip",scheme="visa",type="sale",lane="A"\} 1$/m);
    assert.match(scrape, /^posbridge_payments_total\{outcome="declined",entry_mode="chip",scheme="visa",type="sale",lane="A"\} 1$/m);
    assert.match(scrape, /^posbridge_authorisation_duration_seconds_count\{lane="A"\} 2$/m);
    for (const secret of ['4761739001010119', '476173******0119', 'demo-metrics-1', 'demo-metrics-2', ready.token]) assert.ok(!scrape.includes(secret), secret.slice(0, 6));
    assert.equal((await fetch(`${ready.metrics}/healthz`)).status, 200);
    assert.equal((await fetch(`${ready.metrics}/readyz`)).status, 200);
  } finally {
    client?.close();
    child.kill('SIGTERM');
    await exited;
  }
});

test('demo --metrics with a bad port: exit 2 naming the option', async () => {
  const r = await new Promise<{ code: number; stderr: string }>((resolve) => execFile(process.execPath, [BIN, 'demo', '--port', '0', '--metrics', 'abc'], (err, _out, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stderr })));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--metrics must be a port 0\.\.65535, got "abc"/);
});
