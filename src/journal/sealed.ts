import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { JournalError } from './errors.js';

/**
 * Encryption at rest for queued host messages (they hold the PAN, track 2 and field 55 until sent): AES-256-GCM,
 * a random 12-byte IV per item, layout IV || tag || ciphertext. The key is a random 32-byte file readable by the
 * service user only; losing it makes queued items unreadable, never readable by others.
 */
export class Sealer {
  private constructor(private readonly key: Buffer) {}

  /** Loads the key file, creating it (mode 0600) on first use. */
  static fromKeyFile(path: string): Sealer {
    return new Sealer(loadKeyFile(path));
  }

  /** A sealer with a given key (tests). */
  static fromKey(key: Uint8Array): Sealer {
    if (key.length !== 32) throw new JournalError('JOURNAL_SEAL_FAILED', 'an AES-256 key is 32 bytes');
    return new Sealer(Buffer.from(key));
  }

  /** Encrypts and authenticates `plain`. */
  seal(plain: Uint8Array): Uint8Array {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain), c.final()]);
    return new Uint8Array(Buffer.concat([iv, c.getAuthTag(), body]));
  }

  /** Decrypts; JOURNAL_SEAL_FAILED when the data was altered or the key is another. */
  open(sealed: Uint8Array): Uint8Array {
    try {
      const b = Buffer.from(sealed);
      const d = createDecipheriv('aes-256-gcm', this.key, b.subarray(0, 12));
      d.setAuthTag(b.subarray(12, 28));
      return new Uint8Array(Buffer.concat([d.update(b.subarray(28)), d.final()]));
    } catch (err) {
      throw new JournalError('JOURNAL_SEAL_FAILED', 'a sealed item could not be opened (altered data or another key)', {}, err);
    }
  }
}

/** A 32-byte secret key from `path`, created with random bytes (mode 0600) on first use. */
export function loadKeyFile(path: string): Buffer {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, randomBytes(32), { mode: 0o600, flag: 'wx' });
  }
  if (process.platform !== 'win32') chmodSync(path, 0o600);
  const key = readFileSync(path);
  if (key.length !== 32) throw new JournalError('JOURNAL_SEAL_FAILED', `the key file ${path} is not 32 bytes`, { path });
  return key;
}
