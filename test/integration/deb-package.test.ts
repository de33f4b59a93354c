// The Debian package (`npm run package`, scripts/package.mjs) built from this checkout's dist/ into a temporary
// directory (uncompressed, so it is quick): its control fields, file list, owners and modes; no private key material,
// no devDependencies; the bundled Node runs the daemon and loads the native addons with no PATH to another Node; the
// example config is one the daemon parses and agrees with the unit; `systemd-analyze verify` passes on the unit.
// Installing it for real (apt-get, the maintainer scripts, upgrade, purge) is `npm run package:check` (root).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/daemon/config.js';
import { privateKeyMaterial } from '../helpers/private-keys.js';

const ROOT = process.cwd();
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; optionalDependencies: Record<string, string>; devDependencies: Record<string, string> };
const has = (cmd: string, arg = '--version'): boolean => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
const skip =
  process.platform !== 'linux' || process.arch !== 'x64'
    ? 'the package is built for Linux amd64'
    : !has('dpkg-deb')
      ? 'dpkg-deb is missing (apt-get install dpkg)'
      : !has('systemd-analyze')
        ? 'systemd-analyze is missing (apt-get install systemd)'
        : false;
/** A clean environment: no PATH entry holding another Node, nothing inherited. */
const BARE_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

describe('the Debian package', { skip, timeout: 300_000 }, () => {
  let work: string;
  let deb: string;
  let stage: string;
  let lib: string;
  /** `dpkg-deb -c` rows by path ("./usr/bin/posbridge" → {mode: "-rwxr-xr-x", owner: "root/root"}). */
  const listing = new Map<string, { mode: string; owner: string }>();

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'posbridge-debtest-'));
    stage = join(work, 'stage');
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), '--out', work, '--compression', 'none', '--stage', stage], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    deb = r.stdout.trim();
    assert.equal(deb, join(work, `posbridge_${pkg.version}_amd64.deb`));
    lib = join(stage, 'usr', 'lib', 'posbridge');
    const c = spawnSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' });
    assert.equal(c.status, 0, c.stderr);
    for (const line of c.stdout.trim().split('\n')) {
      const [mode, owner, , , , path] = line.split(/\s+/);
      listing.set(path.replace(/\/$/, ''), { mode, owner });
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('control: name, version, amd64, depends on pcscd, recommends libccid and the CJK font', () => {
    const field = (f: string): string => spawnSync('dpkg-deb', ['-f', deb, f], { encoding: 'utf8' }).stdout.trim();
    assert.equal(field('Package'), 'posbridge');
    assert.equal(field('Version'), pkg.version);
    assert.equal(field('Architecture'), 'amd64');
    assert.match(field('Depends'), /(^|, )pcscd(,|$)/);
    assert.match(field('Depends'), /adduser/);
    assert.deepEqual(field('Recommends').split(', ').sort(), ['fonts-wqy-microhei', 'libccid']);
    assert.ok(Number(field('Installed-Size')) > 1000, 'Installed-Size in KiB');
    const info = spawnSync('dpkg-deb', ['-I', deb], { encoding: 'utf8' }).stdout;
    for (const script of ['postinst', 'prerm', 'postrm']) assert.match(info, new RegExp(`\\d+ bytes,\\s+\\d+ lines\\s+\\*\\s+${script}\\s`), `${script} is there and executable`);
    assert.equal(readFileSync(join(stage, 'DEBIAN', 'conffiles'), 'utf8'), '/etc/posbridge/config.example.json\n');
  });

  test('files: the command, the runtime, the unit, the udev rule, the example config (0640), all owned by root', () => {
    const expect: [string, string][] = [
      ['./usr/bin/posbridge', '-rwxr-xr-x'],
      ['./usr/lib/posbridge/node/bin/node', '-rwxr-xr-x'],
      ['./usr/lib/posbridge/dist/bin/posbridge.js', '-rw-r--r--'],
      ['./usr/lib/posbridge/web/index.html', '-rw-r--r--'],
      ['./usr/lib/systemd/system/posbridge.service', '-rw-r--r--'],
      ['./usr/lib/udev/rules.d/60-posbridge.rules', '-rw-r--r--'],
      ['./etc/posbridge/config.example.json', '-rw-r-----'],
      ['./usr/share/doc/posbridge/install.md', '-rw-r--r--'],
    ];
    for (const [path, mode] of expect) assert.equal(listing.get(path)?.mode, mode, path);
    assert.ok(!listing.has('./etc/posbridge/config.json'), 'no config.json: the service starts only once the admin writes one');
    assert.ok(!listing.has('./var/lib/posbridge'), 'the data directory is made by postinst (0700, posbridge)');
    const owners = new Set([...listing.values()].map((e) => e.owner));
    assert.deepEqual([...owners], ['root/root']);
    const launcher = readFileSync(join(stage, 'usr', 'bin', 'posbridge'), 'utf8');
    assert.match(launcher, /^exec \/usr\/lib\/posbridge\/node\/bin\/node \/usr\/lib\/posbridge\/dist\/bin\/posbridge\.js "\$@"$/m);
    assert.match(launcher, /POSBRIDGE_CONFIG_DIR:=\/etc\/posbridge/, "the CLI finds the backup key and config in /etc/posbridge");
    const udev = readFileSync(join(stage, 'usr', 'lib', 'udev', 'rules.d', '60-posbridge.rules'), 'utf8');
    assert.match(udev, /SUBSYSTEM=="hidraw", ATTRS\{idVendor\}=="0801", GROUP="posbridge", MODE="0660"/);
  });

  test('no private key material, no test key file, no type declarations or source maps', () => {
    const offending: string[] = [];
    (function scan(dir: string): void {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, entry.name);
        if (entry.isDirectory()) scan(p);
        else {
          const rel = relative(stage, p);
          if (/test-keys|\.pem$|\.key$/.test(entry.name)) offending.push(`${rel}: key file`);
          if (rel.startsWith('usr/lib/posbridge/dist/') && /\.(d\.ts|map)$/.test(entry.name)) offending.push(`${rel}: build leftover`);
          if (/\.(js|mjs|cjs|json|txt|html)$/.test(entry.name)) for (const what of privateKeyMaterial(readFileSync(p, 'utf8'))) offending.push(`${rel}: ${what}`);
        }
      }
    })(stage);
    assert.deepEqual(offending, []);
  });

  test('the production dependencies are there, the devDependencies are not', () => {
    const modules = join(lib, 'node_modules');
    for (const dep of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies)]) assert.ok(existsSync(join(modules, dep, 'package.json')), dep);
    for (const dep of Object.keys(pkg.devDependencies)) assert.ok(!existsSync(join(modules, dep)), `devDependency ${dep} is not shipped`);
    assert.ok(!existsSync(join(modules, 'better-sqlite3', 'deps')), 'the addons ship their binary, not their sources');
  });

  test('the bundled Node runs the command and loads every native addon, with no other Node on the PATH', () => {
    const node = join(lib, 'node', 'bin', 'node');
    assert.ok(statSync(node).size > 10_000_000, 'a whole Node binary');
    const v = spawnSync(node, [join(lib, 'dist', 'bin', 'posbridge.js'), '--version'], { encoding: 'utf8', env: BARE_ENV });
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout.trim(), pkg.version);
    const load = `const r = require('node:module').createRequire(${JSON.stringify(join(lib, 'package.json'))});
const Database = r('better-sqlite3'); if (new Database(':memory:').prepare('select 2 as x').get().x !== 2) throw new Error('sqlite');
r('smartcard'); r('@serialport/bindings-cpp').autoDetect(); r('node-hid').devices(); r('@resvg/resvg-js');
console.log(process.version);`;
    const a = spawnSync(node, ['-e', load], { encoding: 'utf8', env: BARE_ENV });
    assert.equal(a.status, 0, a.stderr);
    assert.equal(a.stdout.trim(), process.version, 'the runtime is the Node that built the package');
  });

  test('the example config parses, and its data directory is the unit’s', () => {
    const example = parseConfig(JSON.parse(readFileSync(join(stage, 'etc', 'posbridge', 'config.example.json'), 'utf8')));
    assert.equal(example.dataDir, '/var/lib/posbridge');
    assert.equal(example.demo, false);
    const unit = readFileSync(join(stage, 'usr', 'lib', 'systemd', 'system', 'posbridge.service'), 'utf8');
    assert.match(unit, /^ReadWritePaths=\/var\/lib\/posbridge$/m);
    assert.match(unit, /^Environment=POSBRIDGE_DATA_DIR=\/var\/lib\/posbridge$/m);
    assert.match(unit, /^ExecStart=\/usr\/bin\/posbridge daemon --config \/etc\/posbridge\/config\.json$/m);
    assert.match(unit, /^ConditionPathExists=\/etc\/posbridge\/config\.json$/m);
  });

  test('the unit has a payment service’s hardening and systemd-analyze verify passes on it, without a warning', () => {
    const unit = readFileSync(join(stage, 'usr', 'lib', 'systemd', 'system', 'posbridge.service'), 'utf8');
    for (const line of ['User=posbridge', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'NoNewPrivileges=yes', 'Restart=on-failure', 'CapabilityBoundingSet=', 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK']) {
      assert.match(unit, new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), line);
    }
    assert.match(unit, /^After=.*\bpcscd\.socket\b/m);
    // Offline, with no systemd running: a root holding the system's units (the targets it names), the unit and the
    // command it runs.
    const root = join(work, 'sa-root');
    mkdirSync(join(root, 'usr', 'lib', 'systemd'), { recursive: true });
    cpSync('/usr/lib/systemd/system', join(root, 'usr', 'lib', 'systemd', 'system'), { recursive: true, verbatimSymlinks: true });
    cpSync(join(stage, 'usr', 'lib', 'systemd', 'system', 'posbridge.service'), join(root, 'usr', 'lib', 'systemd', 'system', 'posbridge.service'));
    cpSync(join(stage, 'usr', 'bin'), join(root, 'usr', 'bin'), { recursive: true });
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', `--root=${root}`, '/usr/lib/systemd/system/posbridge.service'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), '', 'no warning (an unknown key or a bad value is only a warning)');
  });
});
