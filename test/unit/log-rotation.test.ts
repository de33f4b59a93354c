// Logs a shop can keep: the JSON log file rotated by size with a retention count, journald's form when systemd runs
// the daemon (detected from JOURNAL_STREAM naming stderr), and the `log` config section — all through the one
// redacting formatter, so a PAN logged never reaches a file, rotated or not.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../../src/daemon/config.js';
import { daemonLoggerOptions, parseLogSection } from '../../src/daemon/log-config.js';
import { stderrIsJournal } from '../../src/log/journald.js';
import { createLogger, type Logger } from '../../src/log/logger.js';

const PAN = '4761739001010119';
const MASKED = '476173******0119';
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'posbridge-logrot-'));
  dirs.push(d);
  return d;
}

/** Ends the logger and resolves once its transports have finished writing. */
function closeLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    logger.once('finish', () => resolve());
    logger.end();
  });
}

describe('the rotated JSON log file', () => {
  test('a burst past the size leaves `keep` files, each within the size, the newest lines in the current one, no PAN', async () => {
    const dir = tempDir();
    const path = join(dir, 'posbridge.log');
    const logger = createLogger({ consoleLevel: 'silent', file: { path, maxSizeBytes: 4096, keep: 3 } });
    for (let i = 0; i < 400; i++) logger.info(`line ${i} card ${PAN} read`, { pan: PAN, i });
    await closeLogger(logger);
    assert.deepEqual(readdirSync(dir).sort(), ['posbridge.log', 'posbridge.log.1', 'posbridge.log.2']);
    const lines = (f: string): Record<string, unknown>[] =>
      readFileSync(join(dir, f), 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const f of readdirSync(dir)) {
      assert.ok(statSync(join(dir, f)).size <= 4096, `${f} is within the size`);
      assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, `${f} is readable by the daemon's user only`);
      const text = readFileSync(join(dir, f), 'utf8');
      assert.ok(!text.includes(PAN), `no full PAN in ${f}`);
      assert.ok(text.includes(MASKED), `the masked PAN in ${f}`);
    }
    // Order: .2 holds older lines than .1, which holds older than the current file; the last line logged is last.
    const current = lines('posbridge.log');
    const first = lines('posbridge.log.1');
    const second = lines('posbridge.log.2');
    assert.equal(current[current.length - 1].i, 399);
    assert.equal(Number(first[first.length - 1].i) + 1, current[0].i, 'no line lost between .1 and the current file');
    assert.equal(Number(second[second.length - 1].i) + 1, first[0].i, 'no line lost between .2 and .1');
    assert.ok(Number(second[0].i) > 0, 'the oldest lines were deleted (retention)');
  });

  test('keep 1: the file is emptied when full, no rotated copy', async () => {
    const dir = tempDir();
    const path = join(dir, 'one.log');
    const logger = createLogger({ consoleLevel: 'silent', file: { path, maxSizeBytes: 1000, keep: 1 } });
    for (let i = 0; i < 50; i++) logger.info(`line ${i}`, { i });
    await closeLogger(logger);
    assert.deepEqual(readdirSync(dir), ['one.log']);
    assert.ok(statSync(path).size <= 1000);
    assert.match(readFileSync(path, 'utf8'), /"i":49/);
  });

  test('a restart appends to the file and counts what is there toward the size', async () => {
    const dir = tempDir();
    const path = join(dir, 'posbridge.log');
    writeFileSync(path, `${'{"level":"info","message":"before"}\n'.repeat(20)}`);
    const before = statSync(path).size;
    const logger = createLogger({ consoleLevel: 'silent', file: { path, maxSizeBytes: before + 200, keep: 2 } });
    for (let i = 0; i < 5; i++) logger.info(`after ${i}`);
    await closeLogger(logger);
    assert.match(readFileSync(`${path}.1`, 'utf8'), /before/, 'the old content was rotated, not truncated');
    assert.match(readFileSync(path, 'utf8'), /after 4/);
  });
});

describe('journald', () => {
  test('JOURNAL_STREAM names stderr only when its device and inode are stderr’s', () => {
    const dir = tempDir();
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    writeFileSync(a, '');
    writeFileSync(b, '');
    const fd = openSync(a, 'r');
    try {
      const st = fstatSync(fd);
      assert.equal(stderrIsJournal({ JOURNAL_STREAM: `${st.dev}:${st.ino}` }, fd), true);
      const other = statSync(b);
      assert.equal(stderrIsJournal({ JOURNAL_STREAM: `${other.dev}:${other.ino}` }, fd), false, 'another file: inherited, not ours');
      assert.equal(stderrIsJournal({}, fd), false);
      assert.equal(stderrIsJournal({ JOURNAL_STREAM: 'garbage' }, fd), false);
    } finally {
      closeSync(fd);
    }
  });

  test('journald lines: "<priority>message {meta}" on stderr, no timestamp, one line per record, PAN masked', () => {
    const logger = pathToFileURL(join(process.cwd(), 'dist', 'src', 'log', 'logger.js')).href;
    const script = `import { createLogger } from '${logger}';
const l = createLogger({ consoleLevel: 'info', journald: true });
l.info('card ${PAN} read', { pan: '${PAN}', lane: 'A' });
l.warn('two\\nlines');
l.error('failed');
l.debug('below the level');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stderr.trimEnd().split('\n'), [`<6>card ${MASKED} read {"pan":"${MASKED}","lane":"A"}`, '<4>two\\nlines', '<3>failed']);
  });

  test('the daemon under journald writes no file unless `log.file` asks; elsewhere the file is on', () => {
    const defaults = parseLogSection(undefined);
    assert.deepEqual(defaults, { maxSizeMB: 10, keep: 5, level: 'info' });
    assert.equal(daemonLoggerOptions(defaults, '/var/lib/posbridge', true).file, null);
    assert.equal(daemonLoggerOptions(defaults, '/var/lib/posbridge', true).journald, true);
    assert.deepEqual(daemonLoggerOptions(defaults, '/var/lib/posbridge', false).file, { path: '/var/lib/posbridge/logs/posbridge.log', maxSizeBytes: 10 * 1024 * 1024, keep: 5 });
    const kept = parseLogSection({ file: true, maxSizeMB: 0.5, keep: 3, level: 'debug' });
    assert.deepEqual(daemonLoggerOptions(kept, '/d', true).file, { path: '/d/logs/posbridge.log', maxSizeBytes: 524288, keep: 3 });
    assert.equal(daemonLoggerOptions(kept, '/d', true).level, 'debug');
    assert.deepEqual(daemonLoggerOptions(parseLogSection({ file: '/var/log/posbridge/pb.log' }), '/d', false).file?.path, '/var/log/posbridge/pb.log');
    assert.equal(daemonLoggerOptions(parseLogSection({ file: false }), '/d', false).file, null);
  });
});

describe('the `log` config section', () => {
  const base = { lanes: [{ name: 'A', reader: 'R' }], demo: true };
  test('parsed into the config with its defaults', () => {
    assert.deepEqual(parseConfig(base).log, { maxSizeMB: 10, keep: 5, level: 'info' });
    assert.deepEqual(parseConfig({ ...base, log: { keep: 2 } }).log, { maxSizeMB: 10, keep: 2, level: 'info' });
  });
  test('a bad value names its key', () => {
    for (const [log, key] of [
      [{ keep: 0 }, 'log.keep'],
      [{ keep: 1.5 }, 'log.keep'],
      [{ maxSizeMB: 0 }, 'log.maxSizeMB'],
      [{ maxSizeMB: '10' }, 'log.maxSizeMB'],
      [{ level: 'loud' }, 'log.level'],
      [{ file: '' }, 'log.file'],
      [{ rotate: true }, 'log.rotate'],
      ['big', 'log'],
    ] as const) {
      assert.throws(() => parseConfig({ ...base, log }), (err: Error) => err.message.includes(key), `${JSON.stringify(log)} → ${key}`);
    }
  });
});
