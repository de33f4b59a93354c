// The WebSocket API's security and protocol rules on a real socket on 127.0.0.1, with a real SQLite client registry.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { ClientRegistry } from '../../src/api/clients.js';
import { ApiServer } from '../../src/api/server.js';
import type { MethodSpec } from '../../src/api/rpc.js';
import { defineMethod } from '../../src/api/contract/define.js';
import { openRpcDocument } from '../../src/api/contract/openrpc.js';
import { ReaderError } from '../../src/drivers/pcsc/errors.js';
import { openDatabase, type Db } from '../../src/journal/database.js';

interface RpcReply {
  id?: string | number | null;
  result?: unknown;
  error?: { code: number; message: string; data: { code: string; retriable: boolean; details?: Record<string, unknown> } };
  method?: string;
  params?: Record<string, unknown>;
}

/** A connected test client that collects every message. */
class TestClient {
  readonly inbox: RpcReply[] = [];
  private seq = 0;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.inbox.push(JSON.parse(d.toString()) as RpcReply));
  }
  static async open(port: number, headers: Record<string, string> = {}): Promise<TestClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1`, { headers });
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    return new TestClient(ws);
  }
  async call(method: string, params?: Record<string, unknown>): Promise<RpcReply> {
    const id = ++this.seq;
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }));
    return this.reply(id);
  }
  async raw(text: string | Buffer, id: string | number | null = null): Promise<RpcReply> {
    this.ws.send(text);
    return this.reply(id);
  }
  private async reply(id: string | number | null): Promise<RpcReply> {
    for (let i = 0; i < 200; i++) {
      const r = this.inbox.find((m) => m.id === id && m.method === undefined);
      if (r) {
        this.inbox.splice(this.inbox.indexOf(r), 1);
        return r;
      }
      await new Promise((res) => setTimeout(res, 5));
    }
    throw new Error(`no reply to ${String(id)}`);
  }
}

/** A plain HTTP GET (or another method) on the API port with the headers given: status, headers and body. */
function http(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The HTTP status of a refused upgrade, or 101 when it went through. */
function upgradeStatus(port: number, headers: Record<string, string>, path = '/v1'): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.close();
    });
    ws.once('error', () => undefined);
  });
}

describe('API server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-api-'));
  let db: Db;
  let server: ApiServer;
  let port = 0;
  let cashier = '';
  let admin = '';
  let registry: ClientRegistry;
  const methods = new Map<string, MethodSpec>([
    ['devices.list', { role: 'cashier', handler: () => ({ readers: [{ name: 'Virtual PCD 00 00', cardPresent: false }] }) }],
    ['payment.reverse', { role: 'supervisor', handler: () => ({ ok: true }) }],
    ['diag.crash', { role: 'cashier', handler: () => { throw new Error('boom 4761739001010119'); } }],
    ['diag.reader', { role: 'cashier', handler: () => { throw new ReaderError('READER_UNAVAILABLE', 'the reader stopped answering'); } }],
    defineMethod('drawer.open', ({ lane }) => ({ lane, drawerOpen: null, realtime: false })),
  ]);

  before(async () => {
    db = openDatabase(join(dir, 'journal.db'));
    registry = new ClientRegistry(db);
    cashier = registry.pair('till 1', 'cashier', Date.now()).token;
    admin = registry.pair('back office', 'admin', Date.now()).token;
    server = new ApiServer({ port: 0, allowedOrigins: ['https://cashier.example'], clients: registry, methods, limits: { maxMessageBytes: 1024, ratePerSecond: 5, burst: 10 } });
    port = await server.start();
  });
  after(async () => {
    await server.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('refuses the upgrade with 403 for a foreign Host (DNS rebinding), a foreign Origin or another path', async () => {
    assert.equal(await upgradeStatus(port, {}), 101);
    assert.equal(await upgradeStatus(port, { host: `evil.example:${port}` }), 403);
    assert.equal(await upgradeStatus(port, { host: `127.0.0.1:${port + 1}` }), 403);
    assert.equal(await upgradeStatus(port, { origin: 'https://evil.example' }), 403);
    assert.equal(await upgradeStatus(port, { origin: 'https://cashier.example' }), 101);
    assert.equal(await upgradeStatus(port, { origin: `http://localhost:${port}`, host: `localhost:${port}` }), 101);
    assert.equal(await upgradeStatus(port, {}, '/other'), 403);
  });

  test('nothing but session.hello before authentication; a bad token closes the connection', async () => {
    const c = await TestClient.open(port);
    const r = await c.call('devices.list');
    assert.equal(r.error?.data.code, 'UNAUTHENTICATED');
    const closed = new Promise<number>((res) => c.ws.once('close', (code) => res(code)));
    const bad = await c.call('session.hello', { token: 'pb_not-a-real-token' });
    assert.equal(bad.error?.data.code, 'UNAUTHENTICATED');
    assert.equal(await closed, 1008);
  });

  test('hello with a token gives the role; roles limit methods', async () => {
    const c = await TestClient.open(port);
    const hello = await c.call('session.hello', { token: cashier });
    assert.deepEqual(hello.result, { role: 'cashier', apiVersion: '1', client: 'till 1', lanes: [] });
    assert.deepEqual((await c.call('devices.list')).result, { readers: [{ name: 'Virtual PCD 00 00', cardPresent: false }] });
    const forbidden = await c.call('payment.reverse', { paymentId: 'x' });
    assert.deepEqual([forbidden.error?.data.code, forbidden.error?.code], ['FORBIDDEN', -32002]);
    assert.equal((await c.call('no.such')).error?.data.code, 'METHOD_NOT_FOUND');
    c.ws.close();
    const a = await TestClient.open(port);
    await a.call('session.hello', { token: admin });
    assert.deepEqual((await a.call('payment.reverse', { paymentId: 'x' })).result, { ok: true });
    a.ws.close();
  });

  test('malformed, oversized and batched messages get clear errors; a failing method leaks nothing', async () => {
    const c = await TestClient.open(port);
    await c.call('session.hello', { token: cashier });
    assert.deepEqual(Object.values((await c.raw('{not json')).error?.data ?? {}), ['PARSE_ERROR', false]);
    assert.equal((await c.raw(JSON.stringify([{ jsonrpc: '2.0', id: 9, method: 'devices.list' }]))).error?.data.code, 'INVALID_REQUEST');
    assert.equal((await c.raw(JSON.stringify({ jsonrpc: '1.0', id: 7, method: 'devices.list' }), 7)).error?.data.code, 'INVALID_REQUEST');
    const big = JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'devices.list', params: { pad: 'x'.repeat(2000) } });
    assert.equal((await c.raw(big, 8)).error?.data.code, 'MESSAGE_TOO_LARGE');
    const crash = await c.call('diag.crash');
    assert.equal(crash.error?.data.code, 'INTERNAL_ERROR');
    assert.ok(!JSON.stringify(crash).includes('4761739001010119'));
    c.ws.close();
  });

  test('a client sending too fast is rate limited (retriable), and can go on later', async () => {
    const c = await TestClient.open(port);
    await c.call('session.hello', { token: cashier });
    const replies = await Promise.all(Array.from({ length: 20 }, () => c.call('devices.list')));
    const limited = replies.filter((r) => r.error?.data.code === 'RATE_LIMITED');
    assert.ok(limited.length >= 5, `${limited.length} limited`);
    assert.equal(limited[0].error?.data.retriable, true);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok((await c.call('devices.list')).result);
    c.ws.close();
  });

  test('a revoked token is refused; notifications reach authenticated clients only', async () => {
    const { id, token } = registry.pair('temp', 'cashier', Date.now());
    const anon = await TestClient.open(port);
    const c = await TestClient.open(port);
    await c.call('session.hello', { token });
    assert.equal(server.notify('card.inserted', { lane: 'A' }), 1);
    for (let i = 0; i < 100 && !c.inbox.some((m) => m.method === 'card.inserted'); i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(c.inbox.find((m) => m.method === 'card.inserted')?.params, { lane: 'A' });
    assert.equal(anon.inbox.length, 0);
    assert.equal(registry.revoke(id, Date.now()), true);
    const again = await TestClient.open(port);
    assert.equal((await again.call('session.hello', { token })).error?.data.code, 'UNAUTHENTICATED');
    c.ws.close();
    anon.ws.close();
  });

  test("params are checked against the method's schema before its handler runs; a device's error keeps its retriable", async () => {
    const c = await TestClient.open(port);
    await c.call('session.hello', { token: cashier });
    assert.deepEqual((await c.call('drawer.open', { lane: 'A' })).result, { lane: 'A', drawerOpen: null, realtime: false });
    const missing = await c.call('drawer.open', {});
    assert.deepEqual([missing.error?.code, missing.error?.data.code, missing.error?.data.details?.param], [-32602, 'INVALID_PARAMS', 'lane']);
    assert.equal(missing.error?.message, 'lane must be a non-empty string of at most 40 characters');
    const unknown = await c.call('drawer.open', { lane: 'A', force: true });
    assert.deepEqual([unknown.error?.data.code, unknown.error?.data.details?.param], ['INVALID_PARAMS', 'force']);
    const reader = await c.call('diag.reader');
    assert.deepEqual([reader.error?.data.code, reader.error?.data.retriable, reader.error?.data.details], ['DEVICE_UNAVAILABLE', true, { device: 'reader', deviceCode: 'READER_UNAVAILABLE' }]);
    c.ws.close();
  });

  test('GET /openrpc.json serves the generated OpenRPC document under the same Host and Origin rules, without a token', async () => {
    const own = await http(port, '/openrpc.json');
    assert.equal(own.status, 200);
    assert.match(String(own.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(own.body), JSON.parse(JSON.stringify(openRpcDocument())));
    assert.equal(own.headers['cache-control'], 'no-store');
    assert.equal((await http(port, '/openrpc.json', { host: `evil.example:${port}` })).status, 403);
    assert.equal((await http(port, '/openrpc.json', { origin: 'https://evil.example' })).status, 403);
    const allowed = await http(port, '/openrpc.json', { origin: 'https://cashier.example' });
    assert.deepEqual([allowed.status, allowed.headers['access-control-allow-origin']], [200, 'https://cashier.example']);
    assert.equal((await http(port, '/openrpc.json', {}, 'HEAD')).status, 200);
    assert.equal((await http(port, '/openrpc.json', {}, 'POST')).status, 405);
    assert.equal((await http(port, '/openrpc.json.bak')).status, 404);
  });

  test('the token is stored only as a hash', () => {
    const row = db.prepare('SELECT * FROM api_clients WHERE name = ?').get('till 1') as Record<string, unknown>;
    assert.ok(!Object.values(row).includes(cashier));
    assert.match(String(row.token_hash), /^[0-9a-f]{64}$/);
  });
});
