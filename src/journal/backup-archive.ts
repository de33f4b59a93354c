// The backup file's format: a small container of named files (the journal snapshot and the data directory's key
// files), encrypted and authenticated with AES-256-GCM under a backup key kept outside the backup.
//
//   header (41 bytes, clear, authenticated as GCM additional data):
//     "PBBACKUP" | format u8 (1) | schema version u32 | created at ms u64 | key id 8 bytes | IV 12 bytes
//   ciphertext of the container | GCM tag 16 bytes
//   container: "PBAR" | count u32 | per file: name length u16 | name (UTF-8) | data length u64 | data
// All integers big-endian. The header is clear so `verify` can say "another key" or "newer schema" before decrypting;
// it is authenticated, so changing it fails like changing any other byte.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { JournalError } from './errors.js';

const MAGIC = Buffer.from('PBBACKUP', 'ascii');
const CONTAINER_MAGIC = Buffer.from('PBAR', 'ascii');
const FORMAT = 1;
const HEADER_BYTES = 8 + 1 + 4 + 8 + 8 + 12;
const TAG_BYTES = 16;
/** A file name in the container: a relative path of at most two plain parts (e.g. `nexo/key.pem`). */
const NAME = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)?$/;

/** One file carried by a backup, named by its path relative to the data directory. */
export interface ArchiveEntry {
  readonly name: string;
  readonly data: Uint8Array;
}

/** What a backup file's clear header says. */
export interface BackupHeader {
  readonly format: number;
  readonly schemaVersion: number;
  readonly createdAt: Date;
  /** Which backup key sealed it (hex of 8 bytes derived from the key; the key itself is never stored). */
  readonly keyId: string;
}

const corrupt = (why: string, cause?: unknown): JournalError => new JournalError('BACKUP_CORRUPT', `the backup is damaged or not a posbridge backup: ${why}`, {}, cause);

/** The id a backup key is known by: 8 bytes of SHA-256 over a label and the key, in hex. */
export function backupKeyId(key: Uint8Array): string {
  return createHash('sha256').update('posbridge backup key id\0').update(key).digest().subarray(0, 8).toString('hex');
}

/** Packs named files into one container (the plaintext of a backup). */
export function packEntries(entries: readonly ArchiveEntry[]): Buffer {
  const parts: Buffer[] = [CONTAINER_MAGIC, u32(entries.length)];
  for (const e of entries) {
    if (!NAME.test(e.name) || e.name.split('/').includes('..')) throw new TypeError(`not a container file name: ${e.name}`);
    const name = Buffer.from(e.name, 'utf8');
    const len = Buffer.alloc(8);
    len.writeBigUInt64BE(BigInt(e.data.length));
    parts.push(u16(name.length), name, len, Buffer.from(e.data.buffer, e.data.byteOffset, e.data.length));
  }
  return Buffer.concat(parts);
}

/** Unpacks a container; BACKUP_CORRUPT when it is malformed (truncated, trailing bytes, a bad name). */
export function unpackEntries(b: Buffer): ArchiveEntry[] {
  if (b.length < 8 || !b.subarray(0, 4).equals(CONTAINER_MAGIC)) throw corrupt('no container inside');
  const count = b.readUInt32BE(4);
  const entries: ArchiveEntry[] = [];
  let at = 8;
  for (let i = 0; i < count; i++) {
    if (at + 2 > b.length) throw corrupt('truncated container');
    const nameLen = b.readUInt16BE(at);
    at += 2;
    if (at + nameLen + 8 > b.length) throw corrupt('truncated container');
    const name = b.subarray(at, at + nameLen).toString('utf8');
    at += nameLen;
    const len = b.readBigUInt64BE(at);
    at += 8;
    if (!NAME.test(name) || name.split('/').includes('..') || len > BigInt(b.length - at)) throw corrupt(`bad entry ${JSON.stringify(name)}`);
    entries.push({ name, data: new Uint8Array(b.subarray(at, at + Number(len))) });
    at += Number(len);
  }
  if (at !== b.length) throw corrupt('trailing bytes after the container');
  return entries;
}

/** Encrypts and authenticates a container under `key` with a header naming the schema version and the key. */
export function sealBackup(plain: Buffer, key: Uint8Array, schemaVersion: number, createdAt: Date): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt8(FORMAT, 8);
  header.writeUInt32BE(schemaVersion, 9);
  header.writeBigUInt64BE(BigInt(createdAt.getTime()), 13);
  Buffer.from(backupKeyId(key), 'hex').copy(header, 21);
  randomBytes(12).copy(header, 29);
  const c = createCipheriv('aes-256-gcm', key, header.subarray(29, 41));
  c.setAAD(header);
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([header, body, c.getAuthTag()]);
}

/** Reads a backup file's clear header (not yet authenticated: `openBackup` checks it); BACKUP_CORRUPT when absent. */
export function readBackupHeader(file: Buffer): BackupHeader {
  if (file.length < HEADER_BYTES + TAG_BYTES || !file.subarray(0, 8).equals(MAGIC)) throw corrupt('no posbridge backup header');
  const format = file.readUInt8(8);
  if (format !== FORMAT) throw corrupt(`unknown format ${format}`);
  return { format, schemaVersion: file.readUInt32BE(9), createdAt: new Date(Number(file.readBigUInt64BE(13))), keyId: file.subarray(21, 29).toString('hex') };
}

/**
 * Decrypts and authenticates a backup file: its header and its files. BACKUP_KEY_WRONG when another key sealed it,
 * BACKUP_CORRUPT when any byte was changed or the file is cut short.
 */
export function openBackup(file: Buffer, key: Uint8Array): { header: BackupHeader; entries: ArchiveEntry[] } {
  const header = readBackupHeader(file);
  const mine = backupKeyId(key);
  if (header.keyId !== mine) {
    throw new JournalError('BACKUP_KEY_WRONG', `the backup was made with backup key ${header.keyId}, not this key (${mine}): give the key it was made with (--key FILE)`, { keyId: header.keyId, given: mine });
  }
  let plain: Buffer;
  try {
    const d = createDecipheriv('aes-256-gcm', key, file.subarray(29, 41));
    d.setAAD(file.subarray(0, HEADER_BYTES));
    d.setAuthTag(file.subarray(file.length - TAG_BYTES));
    plain = Buffer.concat([d.update(file.subarray(HEADER_BYTES, file.length - TAG_BYTES)), d.final()]);
  } catch (err) {
    throw corrupt('its authentication failed (altered or truncated bytes)', err);
  }
  return { header, entries: unpackEntries(plain) };
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
