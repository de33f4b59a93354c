// `posbridge daemon` run by systemd's journal: systemd sets JOURNAL_STREAM to its stream's "device:inode"; here the
// daemon's stderr is a real file and JOURNAL_STREAM names it, exactly as the journal's socket would be named. The
// daemon then logs "<priority>message" lines and writes no log file unless `log.file` asks; without the variable it
// writes its rotated JSON file and timestamped lines.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort } from '../helpers/daemon-process.js';

const BIN = join(process.cwd(), 'dist', 'bin', 'posbridge.js');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs the daemon until it listens, stops it with SIGTERM, and returns what it wrote to stderr and its data directory. */
async function runDaemon(opts: { journal: boolean; log?: Record<string, unknown> }): Promise<{ stderr: string; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'posbridge-journald-'));
  dirs.push(dataDir);
  const configPath = join(dataDir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ port: await freePort(), dataDir, readers: 'virtual', demo: true, backup: false, lanes: [{ name: 'A', reader: 'Virtual A' }], ...(opts.log ? { log: opts.log } : {}) }));
  const errPath = join(dataDir, 'stderr.txt');
  const errFd = openSync(errPath, 'w');
  const st = fstatSync(errFd);
  const env: Record<string, string | undefined> = { ...process.env, JOURNAL_STREAM: opts.journal ? `${st.dev}:${st.ino}` : undefined };
  const child = spawn(process.execPath, [BIN, 'daemon', '--config', configPath], { env, stdio: ['ignore', 'pipe', errFd] });
  closeSync(errFd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('posbridge daemon on')) resolve();
    });
    void exited.then((code) => reject(new Error(`the daemon exited ${code}: ${readFileSync(errPath, 'utf8')}`)));
  });
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  return { stderr: readFileSync(errPath, 'utf8'), dataDir };
}

describe('the daemon and the journal', { timeout: 60_000 }, () => {
  test('JOURNAL_STREAM naming stderr: "<priority>message" lines, no timestamp, no log file', async () => {
    const { stderr, dataDir } = await runDaemon({ journal: true });
    const lines = stderr.split('\n').filter((l) => l !== '');
    assert.ok(lines.length > 0, 'the daemon logged');
    for (const l of lines) assert.match(l, /^<[3-7]>\S/, `a journald line: ${l}`);
    assert.ok(lines.some((l) => l.startsWith('<6>')), 'info records have priority 6');
    assert.ok(!existsSync(join(dataDir, 'logs')), 'no log file under the journal');
  });

  test('with log.file true under the journal: both', async () => {
    const { stderr, dataDir } = await runDaemon({ journal: true, log: { file: true, maxSizeMB: 1, keep: 2 } });
    assert.match(stderr, /^<6>/m);
    const file = readFileSync(join(dataDir, 'logs', 'posbridge.log'), 'utf8');
    const first = JSON.parse(file.split('\n')[0]) as Record<string, unknown>;
    assert.equal(typeof first.timestamp, 'string');
  });

  test('without the journal: timestamped lines on stderr and the JSON file', async () => {
    const { stderr, dataDir } = await runDaemon({ journal: false });
    assert.doesNotMatch(stderr, /^<\d>/m);
    assert.match(stderr, /^\d{4}-\d\d-\d\dT\S+Z info: /m);
    assert.ok(existsSync(join(dataDir, 'logs', 'posbridge.log')), 'the JSON log file');
  });
});
