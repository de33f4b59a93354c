// `posbridge init` as a technician runs it (the real binary, against a private pcscd with two vpcd slots): the
// scripted form writes a configuration `posbridge doctor --config` accepts, lists the vpcd slots it found, refuses to
// overwrite without --force, names a missing flag; an interactive run answered on standard input writes one too.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pcscSkip, startStack, type StackFixture } from '../helpers/pcsc.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(ROOT, 'dist', 'bin', 'posbridge.js');

/** Runs the CLI to its end, `stdin` written to it (then closed). */
function posbridge(args: readonly string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.stdin.end(stdin);
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface DoctorCheck {
  name: string;
  status: string;
  detail: string;
}

describe('posbridge init', { skip: pcscSkip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-init-'));
  const env = { ...process.env, POSBRIDGE_DATA_DIR: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'xdg') };
  let fx: StackFixture;
  before(async () => {
    fx = await startStack(36860);
  });
  after(async () => {
    await fx?.stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const flags = (out: string): string[] => ['init', '--non-interactive', '--json', '--host', 'acquirer.example:7001', '--terminal-id', 'TILL0042', '--merchant-id', 'SHOP00000000042', '--merchant-name', 'Corner Shop', '--reader', fx.readers[0], '--contactless-reader', fx.readers[1], '--printer', 'tcp://127.0.0.1:9100', '--data-dir', join(dir, 'data'), '--out', out];

  /** `posbridge doctor --config FILE --json`: its config checks (devices may be missing; the configuration must pass). */
  async function doctor(file: string): Promise<DoctorCheck[]> {
    const r = await posbridge(['doctor', '--config', file, '--json'], env);
    return (JSON.parse(r.stdout) as { checks: DoctorCheck[] }).checks;
  }

  test('--non-interactive --json: the file written (0640/0600), the vpcd slots found, doctor --config accepts it', async () => {
    const out = join(dir, 'till', 'config.json');
    const r = await posbridge(flags(out), env);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { found: { readers: { name: string; slot: string }[]; serialPorts: unknown; hid: unknown }; file: string; config: Record<string, unknown> };
    assert.deepEqual(result.found.readers.map((x) => x.name), fx.readers, 'the readers found are the vpcd slots');
    assert.ok('method' in (result.found.serialPorts as object) || 'error' in (result.found.serialPorts as object));
    assert.equal(result.file, out);
    const written = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(written, result.config);
    assert.deepEqual(written.host, { host: 'acquirer.example', port: 7001 });
    assert.deepEqual(written.merchant, { name: 'Corner Shop', address: [], terminalId: 'TILL0042', merchantId: 'SHOP00000000042' });
    assert.deepEqual(written.lanes, [{ name: 'A', reader: fx.readers[0], contactless: fx.readers[1] }]);
    assert.ok(!JSON.stringify(written).includes('virtual') && !JSON.stringify(written).includes('simulator'), 'no simulator in a production configuration');
    const mode = statSync(out).mode & 0o777;
    assert.ok(mode === 0o640 || mode === 0o600, `mode ${mode.toString(8)}`);
    const checks = await doctor(out);
    const config = checks.find((c) => c.name === 'config');
    assert.equal(config?.status, 'ok', JSON.stringify(checks));
    assert.equal(checks.find((c) => c.name === 'lane A')?.status, 'ok', 'the lane\'s reader is present');
  });

  // The package's /etc/posbridge is root:posbridge 0750: `sudo posbridge init` must leave a file the service can read.
  test("the file takes its directory's group (a config written as root is readable by the service's group)", { skip: process.getuid?.() !== 0 ? 'needs root to give the directory another group' : false }, async () => {
    const etc = join(dir, 'etc-posbridge');
    mkdirSync(etc, { mode: 0o750 });
    chownSync(etc, 0, 4242);
    const out = join(etc, 'config.json');
    const r = await posbridge(flags(out), env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(out).gid, 4242);
    assert.equal(statSync(out).uid, 0);
    assert.doesNotMatch(r.stderr, /note:/);
  });

  test('an existing file is not overwritten without --force (exit 2, left as it was); --force replaces it', async () => {
    const out = join(dir, 'existing.json');
    writeFileSync(out, '{"keep": true}\n');
    const refused = await posbridge(flags(out), env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /exists: --force replaces it/);
    assert.equal(readFileSync(out, 'utf8'), '{"keep": true}\n');
    const forced = await posbridge([...flags(out), '--force'], env);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((JSON.parse(readFileSync(out, 'utf8')) as { merchant: { terminalId: string } }).merchant.terminalId, 'TILL0042');
    assert.ok([0o640, 0o600].includes(statSync(out).mode & 0o777));
  });

  test('a missing required flag is a usage error naming it; nothing is written', async () => {
    const out = join(dir, 'missing.json');
    for (const [flag, drop] of [['--host', 2], ['--terminal-id', 2], ['--merchant-name', 2]] as const) {
      const args = flags(out);
      const at = args.indexOf(flag);
      args.splice(at, drop);
      const r = await posbridge(args, env);
      assert.equal(r.code, 2, `${flag}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^posbridge: USAGE: ${flag} is required`), r.stderr);
    }
    // Two readers found and none chosen: which one is the chip reader is not guessed.
    const args = flags(out);
    args.splice(args.indexOf('--reader'), 2);
    const r = await posbridge(args, env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--reader is required with --non-interactive: 2 readers found/);
    assert.throws(() => statSync(out), /ENOENT/);
  });

  test('a simulator is refused: --pinpad virtual, --stripe virtual write nothing (exit 2, the option named); a bad printer URL too', async () => {
    const out = join(dir, 'virtual.json');
    for (const [flag, value, said] of [['--pinpad', 'virtual', /--pinpad: "virtual" is a simulator, for the demo only/], ['--stripe', 'virtual', /--stripe: "virtual" is a simulator/], ['--printer', 'http://printer', /--printer: must be one of/]] as const) {
      const r = await posbridge([...flags(out), flag, value], env);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, said);
    }
    assert.throws(() => statSync(out), /ENOENT/);
  });

  test('TLS to the acquirer: --tls-ca\'s PEM text and --tls-pin go into host.tls; a file that is no PEM is refused', async () => {
    const ca = join(dir, 'ca.pem');
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    writeFileSync(ca, pem);
    const pin = 'ab'.repeat(32);
    const out = join(dir, 'tls.json');
    const r = await posbridge([...flags(out), '--tls-ca', ca, '--tls-pin', pin], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(readFileSync(out, 'utf8')) as { host: unknown }).host, { host: 'acquirer.example', port: 7001, tls: { ca: pem, pinSha256: pin } });
    writeFileSync(ca, 'not a certificate');
    const bad = await posbridge([...flags(join(dir, 'tls2.json')), '--tls-ca', ca], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--tls-ca: .* holds no PEM certificate/);
  });

  test('interactive, answered on standard input: a wrong answer asked again; the default path; doctor accepts it', async () => {
    const answers = [
      'acquirer-no-port', // wrong: asked again
      'acquirer.example:7002',
      'no', // TLS
      'TILL0007',
      '', // merchant ID: the default
      'Interactive Shop',
      '', // lane: A
      fx.readers[0],
      'none', // contactless
      'virtual', // refused: asked again
      '', // PIN pad: reader
      'none', // printer
      'none', // stripe
      join(dir, 'data'),
      '', // the default file: $XDG_CONFIG_HOME/posbridge/config.json
    ];
    const r = await posbridge(['init', '--json'], env, answers.join('\n') + '\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /--host must be HOST:PORT, got "acquirer-no-port"/);
    assert.match(r.stderr, /--pinpad: "virtual" is a simulator/);
    const out = join(dir, 'xdg', 'posbridge', 'config.json');
    const result = JSON.parse(r.stdout) as { file: string; config: { lanes: unknown[]; host: unknown; merchant: { terminalId: string } } };
    assert.equal(result.file, out);
    assert.deepEqual(result.config.lanes, [{ name: 'A', reader: fx.readers[0] }]);
    assert.deepEqual(result.config.host, { host: 'acquirer.example', port: 7002 });
    assert.equal(result.config.merchant.terminalId, 'TILL0007');
    const checks = await doctor(out);
    assert.equal(checks.find((c) => c.name === 'config')?.status, 'ok', JSON.stringify(checks));
  });

  test('interactive input that ends early is a usage error; nothing is written', async () => {
    const r = await posbridge(['init', '--out', join(dir, 'early.json')], env, 'acquirer.example:7001\n');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /the input ended before/);
    assert.throws(() => statSync(join(dir, 'early.json')), /ENOENT/);
  });
});
