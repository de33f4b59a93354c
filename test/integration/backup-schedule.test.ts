// The daemon's scheduled backups go through the same code as `posbridge backup now`: encrypted with the configured
// key (made on first use) and copied to copyTo. A running in-process daemon with a schedule of a fraction of a second;
// the test waits for the copy to appear in the share (a file-system event), then opens it with the key.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseConfig } from '../../src/daemon/config.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { verifyBackup } from '../../src/journal/backup.js';
import { createLogger } from '../../src/log/logger.js';
import { HostSimulator } from '../../src/sim/host/host-simulator.js';

const root = mkdtempSync(join(tmpdir(), 'posbridge-bsched-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a scheduled backup is encrypted with the configured key and copied to copyTo', { timeout: 60_000 }, async () => {
  const share = join(root, 'share');
  mkdirSync(share);
  const keyFile = join(root, 'keys', 'backup.key');
  const host = new HostSimulator({ port: 0 });
  const hostPort = await host.start();
  const appeared = new Promise<string>((resolve) => {
    const w = watch(share, (_event, name) => {
      if (name && /^posbridge-.*\.backup$/.test(name)) {
        w.close();
        resolve(join(share, name));
      }
    });
  });
  const config = parseConfig({ port: 0, dataDir: join(root, 'data'), readers: 'virtual', demo: true, host: { host: '127.0.0.1', port: hostPort }, lanes: [{ name: 'A', reader: 'Virtual A' }], backup: { everyHours: 0.0002, keep: 2, copyTo: share, keyFile } });
  const d = await startDaemon(config, createLogger({ dataDir: join(root, 'data'), consoleLevel: 'silent' }));
  try {
    const file = await appeared;
    const { report } = verifyBackup(readFileSync(file), readFileSync(keyFile));
    assert.equal(report.integrity, 'ok');
    assert.ok(report.files.includes('journal.db') && report.files.includes('saf.key'));
  } finally {
    await d.stop();
    await host.stop();
  }
});
