// The host channel over TLS on 127.0.0.1 with a self-signed certificate: trusted by CA, by key pin, refused otherwise.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServer, type Server } from 'node:tls';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { TcpHostChannel } from '../../src/host/channel.js';
import { HostError } from '../../src/host/errors.js';
import { encodeFrame, FrameDecoder } from '../../src/host/framing.js';

const openssl = existsSync('/usr/bin/openssl') ? '/usr/bin/openssl' : null;

describe('TLS host channel', { skip: openssl ? undefined : 'openssl is not installed (it makes the test certificate)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-tls-'));
  let server: Server;
  let port = 0;
  let certPem = '';
  let pin = '';
  before(async () => {
    const r = spawnSync(openssl ?? 'openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    assert.equal(r.status, 0, 'openssl made the test certificate');
    certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
    pin = createHash('sha256').update(spki).digest('hex');
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: certPem }, (s) => {
      const d = new FrameDecoder();
      s.on('data', (c: Buffer) => {
        for (const f of d.push(c)) s.write(encodeFrame(f));
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    const a = server.address();
    port = typeof a === 'object' && a ? a.port : 0;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  async function roundTrip(ch: TcpHostChannel): Promise<string> {
    const got = new Promise<string>((res) => ch.onMessage((m) => res(toHex(m))));
    await ch.send(fromHex('0800AA'));
    return got;
  }

  test('trusted through the CA certificate', async () => {
    const ch = new TcpHostChannel({ host: '127.0.0.1', port, tls: { ca: certPem, servername: 'localhost' } });
    assert.equal(await roundTrip(ch), '0800AA');
    await ch.close();
  });

  test('trusted through the public key pin alone', async () => {
    const ch = new TcpHostChannel({ host: '127.0.0.1', port, tls: { pinSha256: pin } });
    assert.equal(await roundTrip(ch), '0800AA');
    await ch.close();
  });

  test('a wrong pin is refused before anything is sent; no CA and no pin is refused too', async () => {
    const wrong = new TcpHostChannel({ host: '127.0.0.1', port, tls: { pinSha256: '00'.repeat(32) }, backoff: { initialMs: 1, maxMs: 1 } });
    await assert.rejects(wrong.send(fromHex('00')), (e: unknown) => e instanceof HostError && e.code === 'HOST_TLS_PIN_MISMATCH');
    await wrong.close();
    const untrusted = new TcpHostChannel({ host: '127.0.0.1', port, tls: {}, backoff: { initialMs: 1, maxMs: 1 } });
    await assert.rejects(untrusted.send(fromHex('00')), (e: unknown) => e instanceof HostError && e.code === 'HOST_UNREACHABLE');
    await untrusted.close();
  });
});
