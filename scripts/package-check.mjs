#!/usr/bin/env node
// `npm run package:check` (root, Debian/Ubuntu): the Debian package's whole life on this machine — build, install with
// apt-get, `posbridge --version` from the PATH on the package's own Node (the system's hidden), `posbridge doctor`,
// the user, groups, owners and modes, `systemd-analyze verify` on the installed unit, an upgrade to a second build
// with a higher version (config and data kept), remove (config and data kept), purge (gone). It leaves the machine as
// it found it: the package purged, the posbridge user removed again when this script made it.
//
//   node scripts/package-check.mjs [--compression xz|zstd|gzip|none] [--root DIR]
//
// --root DIR: install into a Debian root instead of this machine (a fresh Debian 12 from
// `debootstrap --variant=minbase bookworm DIR`, with no Node at all): apt-get and every command run there by chroot;
// the unit's `systemd-analyze verify` is then the package test's (a minimal root holds no systemd).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const compression = arg('compression');
const sysroot = arg('root') ? resolve(arg('root')) : undefined;
/** A path of the system checked (this machine's, or under --root). */
const at = (p) => (sysroot ? join(sysroot, p) : p);
const BARE = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
/**
 * Under --root (a root without systemd): what the maintainer scripts ask of systemd, recorded by a stand-in
 * systemctl that answers "enabled"; the real deb-systemd-invoke calls it (dpkg runs the scripts without /usr/local).
 */
const SYSTEMD_CALLS = '/var/log/posbridge-check-systemd.log';
const SYSTEMCTL = '/usr/bin/systemctl';
const SYSTEMCTL_STUB = `#!/bin/sh\necho "systemctl $*" >> ${SYSTEMD_CALLS}\ncase "$*" in *is-enabled*) echo enabled ;; *--version*) echo "systemd 252" ;; esac\nexit 0\n`;
const results = [];

function fail(message) {
  throw new Error(message);
}
/** Runs a command; returns {status, stdout, stderr, seconds}. */
function run(cmd, args, opts = {}) {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
/** Runs a command on the system checked (by chroot under --root). */
function sys(cmd, args, opts = {}) {
  return sysroot ? run('chroot', [sysroot, cmd, ...args], opts) : run(cmd, args, opts);
}
/** Runs a command on the system checked that must succeed. */
function must(cmd, args, opts = {}) {
  const r = sys(cmd, args, opts);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r;
}
function check(what, ok, detail = '') {
  results.push({ what, ok, detail });
  console.error(`${ok ? 'ok  ' : 'FAIL'}  ${what}${detail ? `: ${detail}` : ''}`);
  if (!ok) fail(what);
}
/** "owner:group mode" of a path. */
function ownership(path) {
  return must('stat', ['-c', '%U:%G %a', path]).stdout.trim();
}

if (process.platform !== 'linux' || process.getuid?.() !== 0) {
  console.error('package:check installs a package: run it as root on Debian/Ubuntu');
  process.exit(2);
}
if (sys('dpkg-query', ['-W', 'posbridge']).status === 0) {
  console.error('posbridge is installed already: this check starts from a machine without it (apt-get purge posbridge)');
  process.exit(2);
}
for (const p of ['/etc/posbridge', '/var/lib/posbridge'].map(at)) {
  if (existsSync(p)) {
    console.error(`${p} exists: this check starts from a machine without it`);
    process.exit(2);
  }
}
const userExisted = sys('getent', ['passwd', 'posbridge']).status === 0;
if (sysroot && !existsSync(join(sysroot, 'usr', 'bin', 'apt-get'))) {
  console.error(`--root ${sysroot}: not a Debian root (debootstrap --variant=minbase bookworm ${sysroot})`);
  process.exit(2);
}
// The packages are built where the system checked can read them.
const work = mkdtempSync(join(at('/tmp'), 'posbridge-pkgcheck-'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const v1 = pkg.version;
const v2 = `${pkg.version}+check1`;
let installed = false;
let procMounted = false;

try {
  if (sysroot) {
    // The root's own /proc (Node reads /proc/self/exe), a resolver, and the mirror's package lists.
    must('mount', ['-t', 'proc', 'proc', '/proc']);
    procMounted = true;
    if (!existsSync(at('/etc/resolv.conf'))) writeFileSync(at('/etc/resolv.conf'), readFileSync('/etc/resolv.conf'));
    const update = must('apt-get', ['update', '-q'], { env: APT_ENV });
    check(`apt-get update in ${sysroot}`, true, `${update.seconds.toFixed(1)} s`);
    // The root looks booted with systemd to the maintainer scripts; what they ask of it is recorded, not done.
    if (existsSync(at(SYSTEMCTL)) || existsSync(at('/run/systemd'))) fail(`${sysroot} has systemd: give a root without it (debootstrap --variant=minbase)`);
    mkdirSync(at('/run/systemd/system'), { recursive: true });
    writeFileSync(at(SYSTEMCTL), SYSTEMCTL_STUB, { mode: 0o755 });
  }
  /** The posbridge lines the stand-ins recorded since the last call (under --root). */
  const systemdCalls = () => {
    if (!sysroot || !existsSync(at(SYSTEMD_CALLS))) return [];
    const lines = readFileSync(at(SYSTEMD_CALLS), 'utf8').trim().split('\n');
    rmSync(at(SYSTEMD_CALLS));
    return lines.filter((l) => l.includes('posbridge') || l.includes('daemon-reload'));
  };
  // 1. Two builds: the version of package.json, and a higher one for the upgrade.
  const builds = {};
  for (const [name, version] of [['first', v1], ['second', v2]]) {
    const args = [join(root, 'scripts', 'package.mjs'), '--out', join(work, name), '--version', version, ...(compression ? ['--compression', compression] : [])];
    const r = run(process.execPath, args);
    if (r.status !== 0) fail(`package.mjs: ${r.stderr}`);
    builds[name] = r.stdout.trim().slice(sysroot ? sysroot.length : 0);
    check(`build ${version}`, existsSync(at(builds[name])), `${(statSync(at(builds[name])).size / 1048576).toFixed(1)} MiB in ${r.seconds.toFixed(1)} s`);
  }
  check('the second version is higher', run('dpkg', ['--compare-versions', v2, 'gt', v1]).status === 0, `${v2} > ${v1}`);

  // 2. Install.
  const install = must('apt-get', ['install', '-y', '-q', builds.first], { env: APT_ENV });
  installed = true;
  check('apt-get install ./posbridge_*.deb', true, `${install.seconds.toFixed(1)} s`);
  if (sysroot) {
    const calls = systemdCalls();
    check('install without config.json: enabled, not started', calls.some((l) => /daemon-reload/.test(l) || /posbridge/.test(l)) && !calls.some((l) => /\b(start|restart) posbridge/.test(l)), calls.join('; ') || 'nothing asked');
  }
  const which = must('sh', ['-c', 'command -v posbridge'], { env: BARE }).stdout.trim();
  check('posbridge on the PATH', which === '/usr/bin/posbridge', which);
  const version = must('posbridge', ['--version'], { env: BARE }).stdout.trim();
  check('posbridge --version', version === v1, version);
  // The system's Node hidden (bind-mounted over in a private mount namespace; under --root there is none at all):
  // the command runs all the same.
  const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].filter((p) => existsSync(at(p)));
  const hide = systemNode.map((p) => `mount --bind /dev/null ${p}`).join(' && ');
  const script = `${hide ? `${hide} && ` : ''}if node --version >/dev/null 2>&1; then echo "a Node is still usable" >&2; exit 1; fi; posbridge --version`;
  const hidden = sysroot ? sys('sh', ['-c', script], { env: BARE }) : run('unshare', ['-m', 'sh', '-c', script], { env: BARE });
  check('runs on the package’s Node with no other Node usable', hidden.status === 0 && hidden.stdout.trim() === v1, hidden.status === 0 ? (sysroot ? `no Node in ${sysroot}` : `hidden: ${systemNode.join(', ') || 'none installed'}`) : hidden.stderr.trim());
  const runtime = must('/usr/lib/posbridge/node/bin/node', ['-p', 'process.execPath + " " + process.version'], { env: BARE }).stdout.trim();
  check('the bundled runtime', runtime.startsWith('/usr/lib/posbridge/node/bin/node v'), runtime);

  // 3. The user, its groups, the directories.
  const passwd = must('getent', ['passwd', 'posbridge']).stdout.trim().split(':');
  check('posbridge is a system user without a login', Number(passwd[2]) < 1000 && passwd[6] === '/usr/sbin/nologin', `uid ${passwd[2]}, home ${passwd[5]}, shell ${passwd[6]}`);
  const groups = must('id', ['-nG', 'posbridge']).stdout.trim().split(' ');
  const wanted = ['posbridge', 'dialout', 'lp', ...(sys('getent', ['group', 'plugdev']).status === 0 ? ['plugdev'] : [])];
  check('its groups open serial ports, printers, HID', wanted.every((g) => groups.includes(g)), groups.join(' '));
  check('/etc/posbridge', ownership('/etc/posbridge') === 'root:posbridge 750', ownership('/etc/posbridge'));
  check('/etc/posbridge/config.example.json', ownership('/etc/posbridge/config.example.json') === 'root:posbridge 640', ownership('/etc/posbridge/config.example.json'));
  check('no /etc/posbridge/config.json: the service is not started', !existsSync(at('/etc/posbridge/config.json')));
  check('/var/lib/posbridge', ownership('/var/lib/posbridge') === 'posbridge:posbridge 700', ownership('/var/lib/posbridge'));

  check('/etc/posbridge/backup.key: 32 bytes, readable by the service only', ownership('/etc/posbridge/backup.key') === 'root:posbridge 640' && statSync(at('/etc/posbridge/backup.key')).size === 32, ownership('/etc/posbridge/backup.key'));
  const keyBefore = readFileSync(at('/etc/posbridge/backup.key'));

  // 4. doctor, as the service's user with the example config (no reader here: it names what is missing).
  const doctor = sys('runuser', ['-u', 'posbridge', '--', 'posbridge', 'doctor', '--config', '/etc/posbridge/config.example.json'], { env: BARE });
  const lines = doctor.stdout.trim().split('\n');
  check('posbridge doctor runs', /^ok\s+node: Node\.js /m.test(doctor.stdout) && /^ok\s+config: /m.test(doctor.stdout) && /^ok\s+data directory: \/var\/lib\/posbridge$/m.test(doctor.stdout), `exit ${doctor.status}, ${lines.filter((l) => l.startsWith('ok')).length} ok, ${lines.filter((l) => l.startsWith('FAIL')).length} FAIL`);
  console.error(doctor.stdout.replace(/^/gm, '      | '));

  // A backup as the service's user with the example config (its journal made by a first read; the key from /etc).
  sys('runuser', ['-u', 'posbridge', '--', 'posbridge', 'journal', 'list', '--json'], { env: BARE });
  const backup = sys('runuser', ['-u', 'posbridge', '--', 'posbridge', 'backup', 'now', '--config', '/etc/posbridge/config.example.json', '--json'], { env: BARE });
  let backupFile = '';
  try {
    backupFile = JSON.parse(backup.stdout).backup ?? '';
  } catch {
    backupFile = '';
  }
  check('posbridge backup now (as posbridge, key from /etc/posbridge)', backup.status === 0 && backupFile.startsWith('/var/lib/posbridge/backups/'), backup.status === 0 ? backupFile : backup.stderr.trim());

  // 5. The installed unit.
  const verify = sysroot ? { status: 0, stderr: '' } : sys('systemd-analyze', ['verify', '--man=no', '/usr/lib/systemd/system/posbridge.service']);
  if (!sysroot) check('systemd-analyze verify posbridge.service', verify.status === 0 && verify.stderr.trim() === '', verify.stderr.trim() || 'no warning');

  // 6. Upgrade with the admin's config and the daemon's data in place.
  // The config written by `sudo posbridge init` (the launcher's /etc/posbridge), readable by the service as it is.
  const init = sys('posbridge', ['init', '--non-interactive', '--json', '--host', 'acquirer.example:7001', '--terminal-id', 'TILL0001', '--merchant-name', 'Package Check Shop', '--reader', 'Any Reader 00 00'], { env: BARE });
  check('sudo posbridge init writes /etc/posbridge/config.json for the service', init.status === 0 && ownership('/etc/posbridge/config.json') === 'root:posbridge 640', init.status === 0 ? ownership('/etc/posbridge/config.json') : init.stderr.trim());
  const initDoctor = sys('runuser', ['-u', 'posbridge', '--', 'posbridge', 'doctor', '--config', '/etc/posbridge/config.json'], { env: BARE });
  check('the service user reads it: doctor --config accepts it', /^ok\s+config: \/etc\/posbridge\/config\.json: 1 lane/m.test(initDoctor.stdout), initDoctor.stdout.split('\n').find((l) => / config/.test(l)) ?? initDoctor.stderr.trim());
  must('runuser', ['-u', 'posbridge', '--', 'sh', '-c', 'echo kept > /var/lib/posbridge/marker']);
  const configBefore = readFileSync(at('/etc/posbridge/config.json'), 'utf8');
  const upgrade = must('apt-get', ['install', '-y', '-q', builds.second], { env: APT_ENV });
  check('upgrade (apt-get install the higher version)', must('posbridge', ['--version'], { env: BARE }).stdout.trim() === v2, `${upgrade.seconds.toFixed(1)} s`);
  check('upgrade keeps the config', readFileSync(at('/etc/posbridge/config.json'), 'utf8') === configBefore && ownership('/etc/posbridge/config.json') === 'root:posbridge 640');
  check('upgrade keeps the backup key', readFileSync(at('/etc/posbridge/backup.key')).equals(keyBefore));
  check('upgrade keeps the data', readFileSync(at('/var/lib/posbridge/marker'), 'utf8') === 'kept\n' && ownership('/var/lib/posbridge') === 'posbridge:posbridge 700');
  if (sysroot) {
    const calls = systemdCalls();
    const stop = calls.findIndex((l) => /\bstop posbridge\.service$/.test(l));
    const restart = calls.findIndex((l) => /\brestart posbridge\.service$/.test(l));
    check('upgrade: the old daemon stopped before the unpack, the new one restarted', stop >= 0 && restart > stop, calls.join('; '));
  } else {
    const said = /systemd is not running/.test(upgrade.stdout + upgrade.stderr);
    check('upgrade: postinst restarts the service where systemd runs', existsSync('/run/systemd/system') || said, existsSync('/run/systemd/system') ? 'systemd runs' : 'systemd is not running here: postinst said so (--root tries the restart)');
  }

  // 7. Remove: the program goes, the config and data stay.
  must('apt-get', ['remove', '-y', '-q', 'posbridge'], { env: APT_ENV });
  if (sysroot) check('remove: the service stopped', systemdCalls().some((l) => /\bstop posbridge\.service$/.test(l)));
  check('remove: /usr/bin/posbridge and /usr/lib/posbridge gone', !existsSync(at('/usr/bin/posbridge')) && !existsSync(at('/usr/lib/posbridge')));
  check('remove: config and data kept', existsSync(at('/etc/posbridge/config.json')) && existsSync(at('/etc/posbridge/config.example.json')) && existsSync(at('/var/lib/posbridge/marker')));

  // 8. Purge: the config and data go too.
  must('apt-get', ['purge', '-y', '-q', 'posbridge'], { env: APT_ENV });
  installed = false;
  check('purge: /etc/posbridge and /var/lib/posbridge gone', !existsSync(at('/etc/posbridge')) && !existsSync(at('/var/lib/posbridge')));
  check('purge: no trace in dpkg', sys('dpkg-query', ['-W', 'posbridge']).status !== 0);
} catch (err) {
  console.error(`package:check failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  if (installed) sys('apt-get', ['purge', '-y', '-q', 'posbridge'], { env: APT_ENV });
  // The package keeps its system user on purge (Debian's way); this check removes the one it made.
  if (!userExisted && sys('getent', ['passwd', 'posbridge']).status === 0) sys('userdel', ['posbridge']);
  if (!userExisted && sys('getent', ['group', 'posbridge']).status === 0) sys('groupdel', ['posbridge']);
  rmSync(work, { recursive: true, force: true });
  if (procMounted) run('umount', [at('/proc')]);
  if (sysroot) for (const f of [SYSTEMCTL, SYSTEMD_CALLS, '/run/systemd']) rmSync(at(f), { recursive: true, force: true });
}
console.error(`package:check: ${results.filter((r) => r.ok).length}/${results.length} checks passed`);
