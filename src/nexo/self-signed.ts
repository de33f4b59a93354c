// A self-signed TLS certificate for the nexo endpoint, built with node's crypto alone (node signs but has no
// certificate builder, so the X.509 structure is written here in DER: RFC 5280 §4.1). Its subject CN has the form
// Adyen's library checks when an app sets `certificatePath` (<name>-<serial>.test.terminal.adyen.com), and its
// subjectAltName names 127.0.0.1 and localhost, so the same file also works as NODE_EXTRA_CA_CERTS with host checks.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/** A certificate and its private key, both PEM. */
export interface CertificatePair {
  readonly certificate: string;
  readonly key: string;
  /** The subject CN written. */
  readonly commonName: string;
}

/** What the certificate names. */
export interface CertificateOptions {
  /** The "<name>-<serial>" part of the CN: letters and digits either side of one hyphen. */
  readonly terminalName: string;
  /** "test" (default) or "live", as Adyen's terminal certificates. */
  readonly environment?: 'test' | 'live';
  /** Validity from now, in days (default 3650). */
  readonly days?: number;
  /** Extra DNS names and IP addresses for the subjectAltName, beside localhost and 127.0.0.1. */
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly now?: Date;
}

/** The form Adyen's library accepts for a terminal's CN ("<name>-<serial>"). */
export const TERMINAL_NAME = /^[a-zA-Z0-9]+-[a-zA-Z0-9]+$/;

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);
const set = (...c: Buffer[]): Buffer => tlv(0x31, ...c);
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const v of rest) {
    const groups: number[] = [];
    for (let x = v; ; x = Math.floor(x / 128)) {
      groups.unshift(x % 128);
      if (x < 128) break;
    }
    out.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  // UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5).
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

function ipBytes(ip: string): Buffer {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new RangeError(`not an IPv4 address: ${ip}`);
  return Buffer.from(parts);
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

/** Makes a new P-256 key and a self-signed certificate for it (CA:true, serverAuth, SAN localhost/127.0.0.1). */
export function selfSignedCertificate(o: CertificateOptions): CertificatePair {
  if (!TERMINAL_NAME.test(o.terminalName)) throw new RangeError(`the terminal name must be <letters/digits>-<letters/digits>, got "${o.terminalName}"`);
  const commonName = `${o.terminalName}.${o.environment ?? 'test'}.terminal.adyen.com`;
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const now = o.now ?? new Date();
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + (o.days ?? 3650) * 86_400_000);
  const name = seq(set(seq(oid('2.5.4.3'), utf8(commonName))), set(seq(oid('2.5.4.10'), utf8('posbridge'))));
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // a positive INTEGER
  const altNames = [
    ...['localhost', ...(o.dnsNames ?? [])].map((d) => tlv(0x82, Buffer.from(d, 'ascii'))),
    ...['127.0.0.1', ...(o.ipAddresses ?? [])].map((ip) => tlv(0x87, ipBytes(ip))),
  ];
  const ext = (id: string, critical: boolean, value: Buffer): Buffer => seq(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));
  const extensions = seq(
    ext('2.5.29.19', true, seq(tlv(0x01, Buffer.from([0xff])))), // basicConstraints CA:true (it is its own trust anchor)
    ext('2.5.29.15', true, tlv(0x03, Buffer.from([0x02, 0x84]))), // keyUsage digitalSignature, keyCertSign
    ext('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage serverAuth
    ext('2.5.29.17', false, seq(...altNames)),
  );
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // v3
    tlv(0x02, serial),
    ECDSA_SHA256,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.from([0]), signature));
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  return { certificate: pem, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), commonName };
}
