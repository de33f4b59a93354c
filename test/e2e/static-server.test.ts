// The daemon's HTTP side over a real socket on 127.0.0.1: the demo page's files with their security headers, a
// foreign Host refused (403, DNS rebinding), no path escaping the page's directories (404), GET/HEAD only.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ClientRegistry } from '../../src/api/clients.js';
import { ApiServer } from '../../src/api/server.js';
import { openDatabase, type Db } from '../../src/journal/database.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw HTTP request: the path is sent exactly as given (no normalisation of "..", unlike URL-based clients). */
function get(port: number, path: string, opts: { host?: string; method?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: { host: opts.host ?? `127.0.0.1:${port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the demo page over HTTP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-static-'));
  let db: Db;
  let server: ApiServer;
  let builtPage: ApiServer;
  let port = 0;
  let builtPort = 0;

  before(async () => {
    // A page directory with a secret next to it: nothing outside the page's files may be served.
    mkdirSync(join(dir, 'web', 'app'), { recursive: true });
    writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(dir, 'web', 'style.css'), 'body{}');
    writeFileSync(join(dir, 'web', 'app', 'main.js'), 'export {};');
    writeFileSync(join(dir, 'client.js'), 'export class PosbridgeClient {}');
    writeFileSync(join(dir, 'secret.js'), 'SECRET');
    db = openDatabase(join(dir, 'journal.db'));
    const clients = new ClientRegistry(db);
    server = new ApiServer({ port: 0, allowedOrigins: [], clients, methods: new Map(), web: { pageDir: join(dir, 'web'), appDir: join(dir, 'web', 'app'), clientJs: join(dir, 'client.js') } });
    port = await server.start();
    // The default: the page built next to the package (npm run setup builds it).
    builtPage = new ApiServer({ port: 0, allowedOrigins: [], clients, methods: new Map() });
    builtPort = await builtPage.start();
  });
  after(async () => {
    await server.stop();
    await builtPage.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves the page, its modules and the client with content types, no-store and the security headers', async () => {
    const page = await get(port, '/');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /img-src 'self' data:/);
    assert.ok(csp.includes(`connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`), csp);
    assert.equal((await get(port, '/style.css')).headers['content-type'], 'text/css; charset=utf-8');
    const client = await get(port, '/client.js');
    assert.deepEqual([client.status, client.headers['content-type'], client.body], [200, 'text/javascript; charset=utf-8', 'export class PosbridgeClient {}']);
    assert.equal((await get(port, '/app/main.js')).status, 200);
    const head = await get(port, '/index.html', { method: 'HEAD' });
    assert.deepEqual([head.status, head.body], [200, '']);
  });

  test('a foreign Host gets 403 (DNS rebinding), on the page as on the API', async () => {
    for (const host of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, 'localhost', `127.0.0.1.evil.example:${port}`]) {
      const r = await get(port, '/', { host });
      assert.equal(r.status, 403, `Host "${host}"`);
      assert.ok(!r.body.includes('<!doctype'), 'no page content with a 403');
    }
    assert.equal((await get(port, '/', { host: `localhost:${port}` })).status, 200);
    // No Host at all (HTTP/1.0 over a raw socket).
    const raw = await new Promise<string>((resolve, reject) => {
      const sock = connect(port, '127.0.0.1', () => sock.end('GET / HTTP/1.0\r\n\r\n'));
      let text = '';
      sock.on('data', (c: Buffer) => (text += c.toString('latin1')));
      sock.on('end', () => resolve(text));
      sock.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.[01] 403 /);
  });

  test('no path leaves the page: traversal, encoded traversal and unknown files are 404', async () => {
    for (const path of ['/app/../../secret.js', '/app/..%2f..%2fsecret.js', '/app/%2e%2e/%2e%2e/secret.js', '/../secret.js', '/secret.js', '/app/main.js/', '/app/Main.js', '/app/main.js%00.html', '/journal.db', '/web/index.html', '/app/', '//etc/passwd']) {
      const r = await get(port, path);
      assert.equal(r.status, 404, path);
      assert.ok(!r.body.includes('SECRET'), path);
    }
  });

  test('only GET and HEAD', async () => {
    const r = await get(port, '/', { method: 'POST' });
    assert.deepEqual([r.status, r.headers.allow], [405, 'GET, HEAD']);
  });

  test('by default it serves the page built next to the package (web/ and dist/web/)', async () => {
    const page = await get(builtPort, '/');
    assert.equal(page.status, 200, 'web/index.html is found from dist/src/api/');
    assert.match(page.body, /src="\/app\/main\.js"/);
    assert.ok(!/pb_[A-Za-z0-9_-]{20,}/.test(page.body), 'the served page carries no token');
    assert.equal((await get(builtPort, '/app/main.js')).status, 200, 'dist/web/main.js (npm run setup builds it)');
    assert.match((await get(builtPort, '/client.js')).body, /class PosbridgeClient/);
  });
});
