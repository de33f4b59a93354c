// The backup file's format and settings: the container round-trips, the header says the schema version, time and
// key id and is authenticated, the `backup` config section names its mistakes, the config directory by OS.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { defaultConfigDir } from '../../src/config/paths.js';
import { ConfigError, parseConfig } from '../../src/daemon/config.js';
import { backupKeyId, openBackup, packEntries, readBackupHeader, sealBackup, unpackEntries } from '../../src/journal/backup-archive.js';
import { JournalError } from '../../src/journal/errors.js';

const code = (c: string) => (e: unknown): boolean => e instanceof JournalError && e.code === c;

test('a sealed container opens to the same files, its header naming schema version, time and key', () => {
  const key = randomBytes(32);
  const files = [{ name: 'journal.db', data: new Uint8Array([1, 2, 3]) }, { name: 'nexo/key.pem', data: new Uint8Array(0) }, { name: 'saf.key', data: new Uint8Array(randomBytes(32)) }];
  const at = new Date(Date.UTC(2026, 11, 6, 7, 30));
  const sealed = sealBackup(packEntries(files), key, 42, at);
  assert.deepEqual(readBackupHeader(sealed), { format: 1, schemaVersion: 42, createdAt: at, keyId: backupKeyId(key) });
  const opened = openBackup(sealed, key);
  assert.deepEqual(opened.entries, files);
  assert.throws(() => openBackup(sealed, randomBytes(32)), code('BACKUP_KEY_WRONG'));
  // The header is authenticated: a schema version changed in it fails like any other byte.
  const edited = Buffer.from(sealed);
  edited.writeUInt32BE(41, 9);
  assert.throws(() => openBackup(edited, key), code('BACKUP_CORRUPT'));
  assert.throws(() => readBackupHeader(Buffer.from('SQLite format 3\0'.padEnd(80, '\0'))), code('BACKUP_CORRUPT'));
});

test('the container refuses names that leave the data directory and malformed input', () => {
  assert.throws(() => packEntries([{ name: '../etc/passwd', data: new Uint8Array(0) }]), TypeError);
  assert.throws(() => packEntries([{ name: '/abs', data: new Uint8Array(0) }]), TypeError);
  const good = packEntries([{ name: 'a.key', data: new Uint8Array([9]) }]);
  assert.throws(() => unpackEntries(good.subarray(0, good.length - 1)), code('BACKUP_CORRUPT'));
  assert.throws(() => unpackEntries(Buffer.concat([good, Buffer.from([0])])), code('BACKUP_CORRUPT'));
  const evil = Buffer.from(good);
  evil.write('../', 10, 'latin1'); // the name "a.key" (at byte 10) becomes "../ey"
  assert.throws(() => unpackEntries(evil), code('BACKUP_CORRUPT'));
});

test('the backup section: copyTo and keyFile are paths, unknown keys are named', () => {
  const lanes = [{ name: 'A', reader: 'R' }];
  assert.deepEqual(parseConfig({ lanes, backup: { everyHours: 6, keep: 4, copyTo: '/mnt/share/posbridge', keyFile: '/etc/posbridge/backup.key' } }).backup, { everyHours: 6, keep: 4, copyTo: '/mnt/share/posbridge', keyFile: '/etc/posbridge/backup.key' });
  assert.equal(parseConfig({ lanes, backup: false }).backup, null);
  for (const [backup, key] of [[{ everyHours: 6, keep: 4, copyTo: '' }, 'backup.copyTo'], [{ everyHours: 6, keep: 4, keyFile: 7 }, 'backup.keyFile'], [{ everyHours: 6, keep: 4, copyto: '/x' }, 'backup.copyto'], [{ everyHours: 0, keep: 4 }, 'backup']] as const) {
    assert.throws(() => parseConfig({ lanes, backup }), (e: unknown) => e instanceof ConfigError && e.details.key === key, key);
  }
});

test('the configuration directory by OS, POSBRIDGE_CONFIG_DIR first', () => {
  assert.equal(defaultConfigDir({ platform: 'linux', env: { POSBRIDGE_CONFIG_DIR: '/etc/posbridge' }, home: '/home/u' }), '/etc/posbridge');
  assert.equal(defaultConfigDir({ platform: 'linux', env: {}, home: '/home/u' }), '/home/u/.config/posbridge');
  assert.equal(defaultConfigDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '/x' }, home: '/home/u' }), '/x/posbridge');
  assert.equal(defaultConfigDir({ platform: 'darwin', env: {}, home: '/Users/u' }), '/Users/u/Library/Preferences/posbridge');
});
