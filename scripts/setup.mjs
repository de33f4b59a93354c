#!/usr/bin/env node
// `npm run setup`: idempotent set-up for the demo and the tests.
// 1. Debian/Ubuntu packages (apt-get when root or through passwordless sudo; otherwise prints the command).
// 2. npm dependencies (`npm ci` when package-lock.json changed since the last run, or native addons are unbuilt).
// 3. Build (tsc, incremental): the daemon, then the demo page (tsconfig.web.json).
// Plain Node with no dependencies, so it runs on a fresh clone.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const log = (m) => {
  if (!quiet) console.error(`[setup] ${m}`);
};

// Packages: the PC/SC stack with the virtual reader driver (tests, demo), its headers (the native binding),
// pcsc-tools (ATR list), socat (serial pty pairs), iproute2/util-linux (private test namespace), chromium (the e2e
// tests drive the demo page in Debian's browser through playwright-core; no browser download), fonts-wqy-microhei
// (a CJK font: Chinese receipts for printers without a Chinese font are printed as an image).
export const APT_PACKAGES = ['pcscd', 'libpcsclite-dev', 'vsmartcard-vpcd', 'pcsc-tools', 'socat', 'iproute2', 'util-linux', 'python3', 'make', 'g++', 'chromium', 'fonts-wqy-microhei'];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function missingPackages() {
  return APT_PACKAGES.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function systemPackages() {
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get') || !existsSync('/usr/bin/dpkg-query')) {
    log('not a Debian/Ubuntu system: skipping system packages (the in-process reader is used where pcscd is absent)');
    return;
  }
  const missing = missingPackages();
  if (missing.length === 0) return log('system packages present');
  const isRoot = process.getuid?.() === 0;
  const sudoOk = !isRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  const cmd = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (!isRoot && !sudoOk) {
    console.error(`[setup] missing system packages: ${missing.join(' ')}\n[setup] run:  sudo apt-get update && sudo ${cmd}`);
    return;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => (isRoot ? run('apt-get', args, { env }) : run('sudo', ['-n', 'apt-get', ...args], { env }));
  log(`installing ${missing.join(' ')}`);
  if (apt(['update', '-qq']) !== 0) log('apt-get update failed; trying the install anyway');
  const status = apt(['install', '-y', '--no-install-recommends', '-qq', ...missing]);
  if (status !== 0) throw new Error(`apt-get install failed (exit ${status}); run: sudo ${cmd}`);
}

function lockHash() {
  const h = createHash('sha256');
  h.update(readFileSync(join(root, 'package-lock.json')));
  h.update(readFileSync(join(root, 'package.json')));
  h.update(process.version);
  return h.digest('hex');
}

// Native addons and the file each build produces. The PC/SC binding is optional (it needs libpcsclite-dev):
// when its package is there it must be built. better-sqlite3 compiles from source here (~1 minute).
const NATIVE = [
  ['smartcard', 'smartcard_napi.node'],
  ['better-sqlite3', 'better_sqlite3.node'],
];

function unbuiltAddons() {
  return NATIVE.filter(([name, file]) => {
    const pkg = join(root, 'node_modules', name);
    return existsSync(pkg) && !existsSync(join(pkg, 'build', 'Release', file));
  }).map(([name]) => name);
}

function nativeBuilt() {
  return unbuiltAddons().length === 0;
}

function npmDependencies() {
  const stamp = join(root, 'node_modules', '.posbridge-setup');
  const want = lockHash();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want && nativeBuilt()) return log('npm dependencies up to date');
  log('installing npm dependencies (npm ci)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  if (run(npm, ['ci', '--no-audit', '--no-fund'], { shell: process.platform === 'win32' }) !== 0) throw new Error('npm ci failed');
  const unbuilt = unbuiltAddons();
  if (unbuilt.length) {
    log(`building native addons: ${unbuilt.join(', ')}`);
    run(npm, ['rebuild', ...unbuilt], { shell: process.platform === 'win32' });
  }
  writeFileSync(stamp, want);
}

function build() {
  log('building (tsc)');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (run(process.execPath, [tsc, '-p', 'tsconfig.json']) !== 0) throw new Error('TypeScript build failed');
  // The demo page's modules (browser target) import the client's declarations, so they build after it.
  if (run(process.execPath, [tsc, '-p', 'tsconfig.web.json']) !== 0) throw new Error('TypeScript build of the demo page failed');
  const bin = join(root, 'dist', 'bin', 'posbridge.js');
  if (existsSync(bin) && process.platform !== 'win32') chmodSync(bin, 0o755);
}

try {
  systemPackages();
  npmDependencies();
  build();
} catch (err) {
  console.error(`[setup] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
