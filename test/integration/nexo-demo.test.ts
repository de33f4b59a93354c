// `posbridge demo --nexo --auto-card` as a real process: its --json ready line carries the nexo URL, POIID, key and
// certificate, and a sale through Adyen's library is paid with no one at the simulator. `posbridge nexo cert`
// writes a pair Adyen's library accepts, and does not overwrite it without --force.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import adyen from '@adyen/api-library';

const BIN = join(process.cwd(), 'dist', 'bin', 'posbridge.js');

interface ReadyLine {
  nexo: { url: string; poiId: string; keyIdentifier: string; keyVersion: number; passphrase: string; certificate: string };
}

test('demo --nexo --auto-card: the ready line names the endpoint, and a sale is paid by the virtual card alone', async () => {
  const child = spawn(process.execPath, [BIN, 'demo', '--json', '--port', '0', '--nexo', '--nexo-port', '0', '--auto-card', 'visa-sda-pse:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      child.once('exit', (code) => reject(new Error(`demo exited ${code}`)));
    });
    const { nexo } = JSON.parse(line) as ReadyLine;
    assert.deepEqual([nexo.poiId, nexo.keyIdentifier, nexo.keyVersion, nexo.passphrase], ['posbridge-A', 'posbridge-demo', 1, 'posbridge-demo-passphrase']);
    assert.match(nexo.url, /^https:\/\/127\.0\.0\.1:\d+\/nexo\/$/);
    assert.match(readFileSync(nexo.certificate, 'utf8'), /BEGIN CERTIFICATE/);
    const port = new URL(nexo.url).port;
    const api = new adyen.TerminalLocalAPI(new adyen.Client(new adyen.Config({ environment: 'TEST' as never, apiKey: 'x', certificatePath: nexo.certificate, terminalApiLocalEndpoint: `https://127.0.0.1:${port}/nexo?` })));
    const r = (await api.request(
      {
        SaleToPOIRequest: {
          MessageHeader: { ProtocolVersion: '3.0', MessageClass: 'Service', MessageCategory: 'Payment', MessageType: 'Request', SaleID: 'app', ServiceID: 'a1', POIID: nexo.poiId },
          PaymentRequest: { SaleData: { SaleTransactionID: { TransactionID: 'o1', TimeStamp: new Date().toISOString() } }, PaymentTransaction: { AmountsReq: { Currency: 'EUR', RequestedAmount: 3.2 } } },
        },
      } as never,
      { KeyIdentifier: nexo.keyIdentifier, KeyVersion: nexo.keyVersion, Passphrase: nexo.passphrase, AdyenCryptoVersion: 1 },
    )) as unknown as { SaleToPOIResponse: { PaymentResponse: { Response: { Result: string } } } };
    assert.equal(r.SaleToPOIResponse.PaymentResponse.Response.Result, 'Success');
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});

function run(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => execFile(process.execPath, [BIN, ...args], (err, stdout) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout })));
}

test('nexo cert: a pair with the CN Adyen\'s library checks, the key readable by this user only; no overwrite without --force', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-cert-'));
  try {
    const made = await run(['nexo', 'cert', '--out', dir, '--name', 'shop-0042', '--json']);
    assert.equal(made.code, 0);
    const r = JSON.parse(made.stdout) as { certificatePath: string; keyPath: string; commonName: string };
    assert.equal(r.commonName, 'shop-0042.test.terminal.adyen.com');
    assert.match(new X509Certificate(readFileSync(r.certificatePath)).subject, /CN=shop-0042\.test\.terminal\.adyen\.com/);
    assert.equal(statSync(r.keyPath).mode & 0o777, 0o600);
    assert.notEqual((await run(['nexo', 'cert', '--out', dir])).code, 0);
    assert.equal((await run(['nexo', 'cert', '--out', dir, '--force', '--json'])).code, 0);
    assert.notEqual((await run(['nexo', 'cert', '--out', dir, '--force', '--name', 'bad_name'])).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
