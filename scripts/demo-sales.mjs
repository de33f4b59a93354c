#!/usr/bin/env node
// A soak check of the demo as a user runs it: starts `npm run demo`'s daemon (scripts/demo.mjs --json), then N sales
// in a row, each with the virtual card inserted 0.5 s before payment.start (the order that once froze the daemon
// inside SCardDisconnect), the PIN typed on the virtual pad, the card pulled after. Every sale must end within 30 s
// and the API must keep answering; prints one line per sale and a summary, exits 1 on any hang or failure.
// Usage (after `npm run setup`): node scripts/demo-sales.mjs [N=50]
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket from 'ws';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { PosbridgeClient } = await import(pathToFileURL(join(root, 'dist', 'src', 'client', 'index.js')).href);
const total = Number(process.argv[2] ?? 50);

const port = await new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const env = { ...process.env };
delete env.POSBRIDGE_PCSC_NS;
const demo = spawn(process.execPath, [join(root, 'scripts', 'demo.mjs'), '--json', '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const info = await new Promise((resolve, reject) => {
  let out = '';
  demo.stdout.on('data', (d) => {
    out += d.toString();
    const line = out.split('\n').find((l) => l.startsWith('{'));
    if (line) resolve(JSON.parse(line));
  });
  demo.once('exit', (code) => reject(new Error(`demo exited ${code}: ${out}`)));
});
const client = new PosbridgeClient({ url: info.url, token: info.token, WebSocket, reconnect: false });
await client.connect();
client.on('payment.progress', (m) => {
  if (m.step === 'pin-entry') client.call('sim.enterPin', { lane: 'A', pin: '1234' }).catch(() => undefined);
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let failures = 0;
const times = [];
for (let i = 1; i <= total; i++) {
  await client.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' });
  await sleep(500);
  const t0 = Date.now();
  const pay = client.pay({ lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference: `soak-${Date.now()}-${i}` });
  const result = await Promise.race([pay.then((p) => p.result), sleep(30_000).then(() => 'HANG')]);
  const ms = Date.now() - t0;
  times.push(ms);
  // The API answers between sales too (a frozen daemon would not).
  const ping = await Promise.race([client.call('payment.list', {}).then(() => 'ok'), sleep(5000).then(() => 'API HANG')]);
  console.log(`sale ${i}: ${result} in ${ms} ms, api ${ping}`);
  if (result !== 'approved' || ping !== 'ok') failures++;
  if (result === 'HANG' || ping !== 'ok') break;
  await client.call('sim.removeCard', { lane: 'A' });
}
client.close();
const t0 = Date.now();
demo.kill('SIGTERM');
await new Promise((r) => demo.once('exit', r));
times.sort((a, b) => a - b);
console.log(`${times.length} sales, ${failures} failed or hung; median ${times[Math.floor(times.length / 2)]} ms, max ${times.at(-1)} ms; demo stopped ${Date.now() - t0} ms after SIGTERM`);
process.exit(failures === 0 && times.length === total ? 0 : 1);
