// The nexo endpoint driven by Adyen's own Node library (@adyen/api-library, unmodified, in local mode) against a
// demo daemon: a sale, a repeated request, a decline (the host simulator declines amounts ending in .51), the
// status of a transaction, an abort, a reversal, a diagnosis, and wrong keys answered 401 while the endpoint keeps
// serving. The virtual card is put in and its PIN typed through the WebSocket API's sim.* methods, on its events.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import adyen from '@adyen/api-library';
import winston from 'winston';
import { parseConfig } from '../../src/daemon/config.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/log/logger.js';
import { encryptMessage } from '../../src/nexo/nexo-crypto.js';
import { RpcSession } from '../helpers/rpc-session.js';

type Json = Record<string, unknown>;
const KEY = { keyIdentifier: 'posbridge-test', keyVersion: 3, passphrase: 'a test passphrase, not a secret' };
const FULL_PAN = '4761739001010119';

const at = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Json)[k] : undefined), o);

describe('nexo endpoint with Adyen\'s Node library (local mode)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-nexo-'));
  const logged = new PassThrough();
  let logText = '';
  logged.on('data', (c: Buffer) => (logText += c.toString()));
  let d: RunningDaemon;
  let ws: RpcSession;
  let api: InstanceType<typeof adyen.TerminalLocalAPI>;
  let nexoUrl = '';
  const securityKey = (over: Partial<{ KeyIdentifier: string; KeyVersion: number; Passphrase: string }> = {}) => ({ KeyIdentifier: KEY.keyIdentifier, KeyVersion: KEY.keyVersion, Passphrase: KEY.passphrase, AdyenCryptoVersion: 1, ...over });
  const message = (category: string, serviceId: string, body: Json, poiId = 'till-A-poi') => ({
    SaleToPOIRequest: { MessageHeader: { ProtocolVersion: '3.0', MessageClass: 'Service', MessageCategory: category, MessageType: 'Request', SaleID: 'cash-register-1', ServiceID: serviceId, POIID: poiId }, [`${category}Request`]: body },
  });
  const send = async (category: string, serviceId: string, body: Json, key = securityKey(), poiId?: string): Promise<Json> => (await api.request(message(category, serviceId, body, poiId) as never, key)) as unknown as Json;
  const payment = (serviceId: string, amount: number, type = 'Normal') => ({ SaleData: { SaleTransactionID: { TransactionID: `order-${serviceId}`, TimeStamp: new Date().toISOString() } }, PaymentTransaction: { AmountsReq: { Currency: 'EUR', RequestedAmount: amount } }, PaymentData: { PaymentType: type } });

  /** Sends a PaymentRequest and, once the lane waits for a card, inserts `profile` and types its PIN when asked. */
  async function pay(serviceId: string, amount: number, profile = 'visa-sda-pse', pin = '1234'): Promise<Json> {
    const from = ws.inbox.length;
    const answer = send('Payment', serviceId, payment(serviceId, amount));
    const waiting = await ws.waitFor((m) => ws.inbox.indexOf(m) >= from && m.method === 'payment.progress' && m.params?.step === 'waiting-for-card');
    await ws.call('sim.insertCard', { lane: 'A', profile });
    await ws.waitFor((m) => m.method === 'payment.progress' && m.params?.step === 'pin-entry' && m.params.paymentId === waiting.params?.paymentId);
    await ws.call('sim.enterPin', { lane: 'A', pin });
    const r = await answer;
    await ws.call('sim.removeCard', { lane: 'A' });
    return r;
  }

  before(async () => {
    const config = parseConfig({ port: 0, dataDir: dir, readers: 'virtual', demo: true, lanes: [{ name: 'A', reader: 'Virtual A', poiId: 'till-A-poi' }], nexo: { port: 0, ...KEY } });
    d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent', transports: [new winston.transports.Stream({ stream: logged })] }));
    assert.ok(d.nexo);
    nexoUrl = d.nexo.url;
    // Adyen's library always appends ":8443/nexo/" to terminalApiLocalEndpoint; the test's endpoint listens on a free
    // port instead, so the appended part is made a query string (the endpoint reads the path only).
    const config2 = new adyen.Config({ environment: 'TEST' as never, apiKey: 'ignored-by-a-local-terminal', certificatePath: d.nexo.certificatePath, terminalApiLocalEndpoint: `https://127.0.0.1:${d.nexo.port}/nexo?` });
    api = new adyen.TerminalLocalAPI(new adyen.Client(config2));
    ws = await RpcSession.open(d.url, d.pair('sim driver', 'supervisor'));
  });
  after(async () => {
    ws.ws.close();
    await d.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let approvedId = '';
  test('a sale: Success with the POI transaction, masked card, amount, approval code and both receipts', async () => {
    const r = await pay('s1', 12.34);
    const body = at(r, 'SaleToPOIResponse', 'PaymentResponse') as Json;
    assert.equal(at(body, 'Response', 'Result'), 'Success', JSON.stringify(at(body, 'Response')));
    approvedId = String(at(body, 'POIData', 'POITransactionID', 'TransactionID'));
    assert.equal((await ws.call('payment.status', { paymentId: approvedId })).result?.state, 'completed');
    assert.equal((await ws.call('payment.status', { reference: 'nexo:cash-register-1:s1' })).result?.paymentId, approvedId, 'the payment reference is SaleID+ServiceID');
    const card = at(body, 'PaymentResult', 'PaymentInstrumentData', 'CardData') as Json;
    assert.deepEqual([card.MaskedPan, card.PaymentBrand, card.EntryMode], ['476173******0119', 'visa', ['ICC']]);
    assert.deepEqual([at(body, 'PaymentResult', 'AmountsResp', 'Currency'), at(body, 'PaymentResult', 'AmountsResp', 'AuthorizedAmount')], ['EUR', 12.34]);
    assert.match(String(at(body, 'PaymentResult', 'PaymentAcquirerData', 'ApprovalCode')), /^\w+$/);
    const receipts = body.PaymentReceipt as { DocumentQualifier: string; OutputContent: { OutputText: { Text: string }[] } }[];
    assert.deepEqual(receipts.map((x) => x.DocumentQualifier), ['CashierReceipt', 'CustomerReceipt']);
    const customer = receipts[1]?.OutputContent.OutputText.map((l) => l.Text).join('\n') ?? '';
    for (const t of ['APPROVED', 'CUSTOMER COPY', '12.34 EUR', '476173******0119']) assert.ok(customer.includes(t), customer);
    assert.equal(at(r, 'SaleToPOIResponse', 'MessageHeader', 'ServiceID'), 's1');
    assert.ok(!JSON.stringify(r).includes(FULL_PAN));
  });

  test('the same SaleID+ServiceID again is the same payment (no second charge); for another amount it is refused', async () => {
    const before = ((await ws.call('payment.list', {})).result?.payments as unknown[]).length;
    const again = await send('Payment', 's1', payment('s1', 12.34));
    assert.equal(at(again, 'SaleToPOIResponse', 'PaymentResponse', 'POIData', 'POITransactionID', 'TransactionID'), approvedId);
    const other = await send('Payment', 's1', payment('s1', 99));
    assert.deepEqual([at(other, 'SaleToPOIResponse', 'PaymentResponse', 'Response', 'Result'), at(other, 'SaleToPOIResponse', 'PaymentResponse', 'Response', 'ErrorCondition')], ['Failure', 'NotAllowed']);
    assert.equal(((await ws.call('payment.list', {})).result?.payments as unknown[]).length, before);
  });

  let declinedId = '';
  test('a decline (host simulator: amounts ending .51) is Failure/Refusal, with receipts', async () => {
    const r = await pay('s2', 10.51);
    const body = at(r, 'SaleToPOIResponse', 'PaymentResponse') as Json;
    assert.deepEqual([at(body, 'Response', 'Result'), at(body, 'Response', 'ErrorCondition')], ['Failure', 'Refusal']);
    assert.equal(at(body, 'PaymentResult', 'AmountsResp', 'AuthorizedAmount'), 0);
    assert.equal((body.PaymentReceipt as unknown[]).length, 2);
    declinedId = String(at(body, 'POIData', 'POITransactionID', 'TransactionID'));
  });

  test('TransactionStatus repeats a named transaction\'s response, and the last one\'s without a reference', async () => {
    const named = await send('TransactionStatus', 's3', { MessageReference: { MessageCategory: 'Payment', SaleID: 'cash-register-1', ServiceID: 's1' } });
    const body = at(named, 'SaleToPOIResponse', 'TransactionStatusResponse') as Json;
    assert.equal(at(body, 'Response', 'Result'), 'Success');
    const repeated = at(body, 'RepeatedMessageResponse', 'RepeatedResponseMessageBody', 'PaymentResponse') as Json;
    assert.deepEqual([at(repeated, 'Response', 'Result'), at(repeated, 'POIData', 'POITransactionID', 'TransactionID')], ['Success', approvedId]);
    assert.equal(at(body, 'RepeatedMessageResponse', 'MessageHeader', 'ServiceID'), 's1');
    const last = await send('TransactionStatus', 's4', {});
    assert.equal(at(last, 'SaleToPOIResponse', 'TransactionStatusResponse', 'RepeatedMessageResponse', 'RepeatedResponseMessageBody', 'PaymentResponse', 'POIData', 'POITransactionID', 'TransactionID'), declinedId);
    const none = await send('TransactionStatus', 's5', { MessageReference: { MessageCategory: 'Payment', ServiceID: 'never' } });
    assert.equal(at(none, 'SaleToPOIResponse', 'TransactionStatusResponse', 'Response', 'ErrorCondition'), 'NotFound');
  });

  test('an AbortRequest is answered empty, and the payment it names ends Failure/Aborted (cancelled before authorisation)', async () => {
    const from = ws.inbox.length;
    const answer = send('Payment', 's6', payment('s6', 5));
    const waiting = await ws.waitFor((m) => ws.inbox.indexOf(m) >= from && m.method === 'payment.progress' && m.params?.step === 'waiting-for-card');
    const aborted = (await send('Abort', 's7', { AbortReason: 'MerchantAbort', MessageReference: { MessageCategory: 'Payment', SaleID: 'cash-register-1', ServiceID: 's6' } })) as Json;
    assert.equal(aborted.SaleToPOIResponse, undefined, 'an empty 200');
    const r = await answer;
    assert.deepEqual([at(r, 'SaleToPOIResponse', 'PaymentResponse', 'Response', 'Result'), at(r, 'SaleToPOIResponse', 'PaymentResponse', 'Response', 'ErrorCondition')], ['Failure', 'Aborted']);
    assert.equal((await ws.call('payment.status', { paymentId: waiting.params?.paymentId })).result?.state, 'cancelled');
  });

  test('an AbortRequest after the authorisation request left: the payment ends Failure/Aborted and is reversed', async () => {
    await ws.call('sim.setHost', { mode: 'late' }); // the host answers 2 s late: the abort comes while the payment is authorising
    const from = ws.inbox.length;
    const answer = send('Payment', 's6b', payment('s6b', 7));
    const waiting = await ws.waitFor((m) => ws.inbox.indexOf(m) >= from && m.method === 'payment.progress' && m.params?.step === 'waiting-for-card');
    const id = waiting.params?.paymentId;
    await ws.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' });
    await ws.waitFor((m) => m.method === 'payment.progress' && m.params?.step === 'pin-entry' && m.params.paymentId === id);
    await ws.call('sim.enterPin', { lane: 'A', pin: '1234' });
    await ws.waitFor((m) => m.method === 'payment.progress' && m.params?.step === 'authorizing' && m.params.paymentId === id);
    await send('Abort', 's7b', { AbortReason: 'MerchantAbort', MessageReference: { MessageCategory: 'Payment', SaleID: 'cash-register-1', ServiceID: 's6b' } });
    const r = await answer;
    await ws.call('sim.setHost', { mode: 'normal' });
    await ws.call('sim.removeCard', { lane: 'A' });
    assert.deepEqual([at(r, 'SaleToPOIResponse', 'PaymentResponse', 'Response', 'Result'), at(r, 'SaleToPOIResponse', 'PaymentResponse', 'Response', 'ErrorCondition')], ['Failure', 'Aborted']);
    assert.ok(['reversal-pending', 'reversed'].includes(String((await ws.call('payment.status', { paymentId: id })).result?.state)));
  });

  test('a ReversalRequest voids the approved sale (again: still Success); a declined one cannot be reversed', async () => {
    const body = { OriginalPOITransaction: { POITransactionID: { TransactionID: approvedId, TimeStamp: new Date().toISOString() } }, ReversalReason: 'MerchantCancel' };
    const r = await send('Reversal', 's8', body);
    assert.equal(at(r, 'SaleToPOIResponse', 'ReversalResponse', 'Response', 'Result'), 'Success');
    assert.equal(at(r, 'SaleToPOIResponse', 'ReversalResponse', 'ReversedAmount'), 12.34);
    assert.ok(['reversal-pending', 'reversed'].includes(String((await ws.call('payment.status', { paymentId: approvedId })).result?.state)));
    assert.equal(at(await send('Reversal', 's9', body), 'SaleToPOIResponse', 'ReversalResponse', 'Response', 'Result'), 'Success');
    const declined = await send('Reversal', 's10', { ...body, OriginalPOITransaction: { POITransactionID: { TransactionID: declinedId, TimeStamp: '' } } });
    assert.deepEqual([at(declined, 'SaleToPOIResponse', 'ReversalResponse', 'Response', 'Result'), at(declined, 'SaleToPOIResponse', 'ReversalResponse', 'Response', 'ErrorCondition')], ['Failure', 'NotAllowed']);
  });

  test('a DiagnosisRequest reports the lane\'s reader; an unknown POIID is NotAllowed', async () => {
    const r = await send('Diagnosis', 's11', { HostDiagnosisFlag: false });
    assert.deepEqual([at(r, 'SaleToPOIResponse', 'DiagnosisResponse', 'Response', 'Result'), at(r, 'SaleToPOIResponse', 'DiagnosisResponse', 'POIStatus', 'GlobalStatus')], ['Success', 'OK']);
    const other = await send('Diagnosis', 's12', {}, securityKey(), 'nobody');
    assert.equal(at(other, 'SaleToPOIResponse', 'DiagnosisResponse', 'Response', 'ErrorCondition'), 'NotAllowed');
  });

  test('what posbridge does not do is answered, not dropped: another category UnavailableService, a pre-authorisation NotAllowed', async () => {
    const login = await send('Login', 's20', { DateTime: new Date().toISOString(), SaleSoftware: { ManufacturerID: 'x', ApplicationName: 'y', SoftwareVersion: '1', CertificationCode: 'z' }, OperatorLanguage: 'en' });
    assert.deepEqual([at(login, 'SaleToPOIResponse', 'LoginResponse', 'Response', 'Result'), at(login, 'SaleToPOIResponse', 'LoginResponse', 'Response', 'ErrorCondition')], ['Failure', 'UnavailableService']);
    const preauth = await send('Payment', 's21', payment('s21', 5, 'FirstReservation'));
    assert.equal(at(preauth, 'SaleToPOIResponse', 'PaymentResponse', 'Response', 'ErrorCondition'), 'NotAllowed');
  });

  test('a wrong passphrase, key identifier or key version: 401 "crypto error (N)", logged without the message; the endpoint keeps serving', async () => {
    await assert.rejects(send('Diagnosis', 's13', {}, securityKey({ Passphrase: 'not the passphrase' })), /"errors":\["Nexo Service: crypto error \(3\)"\]/);
    await assert.rejects(send('Diagnosis', 's14', {}, securityKey({ KeyIdentifier: 'someone-else' })), /crypto error \(1\)/);
    await assert.rejects(send('Diagnosis', 's15', {}, securityKey({ KeyVersion: 9 })), /crypto error \(2\)/);
    // The status code itself, on a raw request encrypted under another passphrase.
    const secured = encryptMessage({ SaleID: 'x', ServiceID: 'y' }, '{"SaleToPOIRequest":{}}', { ...KEY, passphrase: 'another passphrase' });
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(nexoUrl, { method: 'POST', rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ SaleToPOIRequest: secured }));
    });
    assert.equal(status, 401);
    const clear = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(nexoUrl, { method: 'POST', rejectUnauthorized: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(JSON.stringify(message('Diagnosis', 's17', {})));
    });
    assert.deepEqual(clear, { status: 401, body: '{"errors":["Nexo Service: crypto error (4)"]}' }, 'an unencrypted request is refused');
    assert.equal(at(await send('Diagnosis', 's16', {}), 'SaleToPOIResponse', 'DiagnosisResponse', 'Response', 'Result'), 'Success');
    assert.match(logText, /NEXO_HMAC_INVALID/);
    for (const secret of [FULL_PAN, 'NexoBlob', KEY.passphrase]) assert.ok(!logText.includes(secret), `${secret} in the log: ${logText.split('\n').filter((l) => l.includes(secret)).join('\n').slice(0, 600)}`);
  });

  test('the certificate also verifies by host name through NODE_EXTRA_CA_CERTS (SAN localhost)', async () => {
    const url = nexoUrl.replace('127.0.0.1', 'localhost');
    const script = `require('https').get(${JSON.stringify(url)}, (r) => { console.log(r.statusCode); r.resume(); }).on('error', (e) => { console.log(e.code); });`;
    const out = await new Promise<string>((resolve, reject) => execFile(process.execPath, ['-e', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: d.nexo?.certificatePath ?? '' } }, (err, stdout) => (err ? reject(err) : resolve(stdout.trim()))));
    assert.equal(out, '405', 'GET answered (405): the TLS handshake verified');
  });
});

test('the nexo port taken: the daemon does not start (PORT_IN_USE) and leaves nothing running', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-nexo-busy-'));
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const addr = blocker.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  try {
    const config = parseConfig({ port: 0, dataDir: dir, readers: 'virtual', demo: true, lanes: [{ name: 'A', reader: 'Virtual A' }], nexo: { port, ...KEY } });
    await assert.rejects(startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' })), (e: unknown) => e instanceof Error && 'code' in e && e.code === 'PORT_IN_USE');
    // Started again on a free port, the same data directory opens: the failed start closed its journal.
    const d = await startDaemon(parseConfig({ port: 0, dataDir: dir, readers: 'virtual', demo: true, lanes: [{ name: 'A', reader: 'Virtual A' }], nexo: { port: 0, ...KEY } }), createLogger({ dataDir: dir, consoleLevel: 'silent' }));
    await d.stop();
  } finally {
    await new Promise((r) => blocker.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});
