#!/usr/bin/env node
// `npm run package`: the Debian package posbridge_<version>_amd64.deb (docs/install.md).
// It holds the built daemon (dist/), its production dependencies copied from node_modules with their native addons
// (built for this Node's ABI), and this Node binary itself under /usr/lib/posbridge/node: the system's Node does not
// matter and nothing is fetched at install time. The control files, unit, udev rule and maintainer scripts are in
// packaging/debian/.
//
//   node scripts/package.mjs [--out DIR] [--version V] [--compression xz|zstd|gzip|none] [--stage DIR]
//
// --stage DIR: assemble the package's tree in DIR (new or empty) and keep it (the tests read it).
//
// Plain Node (no dependencies). Needs dpkg-deb; `npm run package` runs `npm run setup` (dependencies, build) first.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packaging = join(root, 'packaging', 'debian');
const MIN_NODE = [20, 10];

/** The default compression, chosen by measurement (docs/decisions.md): xz, the smallest, read by every dpkg. */
const DEFAULT_COMPRESSION = 'xz';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function fail(message) {
  console.error(`[package] ${message}`);
  process.exit(1);
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = option('version', pkg.version);
const outDir = option('out', join(root, 'dist'));
const compression = option('compression', DEFAULT_COMPRESSION);
if (!/^[0-9][A-Za-z0-9.+~-]*$/.test(version)) fail(`not a Debian version: ${version}`);
if (!['xz', 'zstd', 'gzip', 'none'].includes(compression)) fail(`--compression: xz, zstd, gzip or none (not ${compression})`);
if (process.platform !== 'linux' || process.arch !== 'x64') fail(`builds the amd64 package on Linux x64 (this is ${process.platform} ${process.arch})`);
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) fail(`Node ${process.versions.node} is older than ${MIN_NODE.join('.')}: run this with the Node the package should carry`);
if (spawnSync('dpkg-deb', ['--version'], { stdio: 'ignore' }).status !== 0) fail('dpkg-deb is missing (apt-get install dpkg)');
for (const f of ['dist/bin/posbridge.js', 'dist/src/index.js', 'dist/web']) {
  if (!existsSync(join(root, f))) fail(`${f} is missing: build first (npm run setup, or npx tsc -p tsconfig.json && npx tsc -p tsconfig.web.json)`);
}

const stageOption = option('stage', null);
if (stageOption && existsSync(stageOption) && readdirSync(stageOption).length) fail(`--stage ${stageOption}: not empty`);
const stage = stageOption ?? mkdtempSync(join(tmpdir(), 'posbridge-deb-'));
mkdirSync(stage, { recursive: true });
const lib = join(stage, 'usr', 'lib', 'posbridge');

/** Files never shipped: private test keys (as package.json's `files` excludes them), type declarations, source maps. */
function shippable(name) {
  return !/(^|[-.])test-keys\.json$/.test(name) && !name.endsWith('.d.ts') && !name.endsWith('.map') && !name.endsWith('.tsbuildinfo');
}

/** Copies a tree, keeping the files `keep(relativePath, isDirectory)` accepts. */
function copyTree(from, to, keep, base = from) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const rel = relative(base, src);
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && statSync(src).isDirectory());
    if (!keep(rel, isDir)) continue;
    if (isDir) copyTree(src, join(to, entry.name), keep, base);
    else copyFileSync(src, join(to, entry.name));
  }
}

// 1. The daemon: what package.json's `files` ships to run it (not the scripts, not the docs).
for (const dir of ['dist/src', 'dist/bin', 'dist/web']) {
  copyTree(join(root, dir), join(lib, dir), (rel, isDir) => isDir || shippable(rel.split('/').pop()));
}
for (const f of ['web/index.html', 'web/style.css']) {
  mkdirSync(dirname(join(lib, f)), { recursive: true });
  copyFileSync(join(root, f), join(lib, f));
}
const runtimePkg = { name: pkg.name, version, description: pkg.description, license: pkg.license, type: pkg.type, bin: pkg.bin, dependencies: pkg.dependencies, optionalDependencies: pkg.optionalDependencies };
writeFileSync(join(lib, 'package.json'), `${JSON.stringify(runtimePkg, null, 2)}\n`);

// 2. The production dependency closure, walked from package.json as Node resolves it (nested node_modules first).
const modules = join(root, 'node_modules');
if (!existsSync(modules)) fail('node_modules is missing: npm run setup');
/** Where `name` resolves from the package directory `from` (relative to the root), or null. */
function resolvePackage(name, from) {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(root, candidate, 'package.json'))) return candidate;
    if (dir === '' || dir === '.') return null;
    const up = dir.lastIndexOf('node_modules');
    dir = up <= 0 ? '' : dir.slice(0, up).replace(/\/$/, '');
  }
}
const closure = new Set();
const queue = [['', { ...pkg.dependencies, ...pkg.optionalDependencies }, new Set(Object.keys(pkg.optionalDependencies ?? {}))]];
while (queue.length) {
  const [from, deps, optional] = queue.shift();
  for (const name of Object.keys(deps ?? {})) {
    const at = resolvePackage(name, from);
    if (!at) {
      if (optional.has(name)) continue;
      fail(`${name} (needed by ${from || 'posbridge'}) is not in node_modules: npm run setup`);
    }
    if (closure.has(at)) continue;
    closure.add(at);
    const p = JSON.parse(readFileSync(join(root, at, 'package.json'), 'utf8'));
    queue.push([at, { ...p.dependencies, ...p.optionalDependencies }, new Set(Object.keys(p.optionalDependencies ?? {}))]);
  }
}
const devOnly = Object.keys(pkg.devDependencies ?? {}).filter((d) => closure.has(join('node_modules', d)));
if (devOnly.length) console.error(`[package] note: also production dependencies of others: ${devOnly.join(', ')}`);

const SKIP_DIRS = new Set(['test', 'tests', '__tests__', 'example', 'examples', 'docs', 'doc', 'benchmark', 'benchmarks', '.github', 'node_modules', 'obj.target', '.deps']);
/** What of a dependency is kept: its runtime files, and of a native addon only the compiled linux-x64 (glibc) binary. */
function keepDependencyFile(native) {
  return (rel, isDir) => {
    const parts = rel.split('/');
    const name = parts[parts.length - 1];
    if (isDir) {
      if (SKIP_DIRS.has(name)) return false;
      if (parts[0] === 'prebuilds' && parts.length === 2) return name.includes('linux-x64') && !name.includes('musl');
      if (native && parts.length === 1 && ['src', 'deps', 'hidapi'].includes(name)) return false;
      if (native && parts[0] === 'build') return parts.length === 1 || parts[1] === 'Release';
      return true;
    }
    if (/\.(md|markdown|ts|map|c|cc|cpp|h|hpp|gyp|gypi|o|a|mk|tsbuildinfo)$/i.test(name) && !name.endsWith('.d.ts')) return false;
    if (name.endsWith('.d.ts') || name.endsWith('.d.mts') || name.endsWith('.d.cts')) return false;
    if (parts[0] === 'prebuilds' && name.includes('musl')) return false;
    if (native && parts[0] === 'build') return name.endsWith('.node') && parts[1] === 'Release' && name !== 'test_extension.node';
    return true;
  };
}
for (const at of closure) {
  const src = realpathSync(join(root, at));
  const native = existsSync(join(src, 'binding.gyp'));
  copyTree(src, join(lib, at), keepDependencyFile(native));
}

// 3. The Node runtime: this Node, stripped of its symbol tables and debug data when `strip` is there (same code; the
// dynamic symbols the addons link against stay).
const nodeDir = join(lib, 'node', 'bin');
mkdirSync(nodeDir, { recursive: true });
const nodeBin = join(nodeDir, 'node');
if (spawnSync('strip', ['-o', nodeBin, process.execPath], { stdio: 'ignore' }).status !== 0) copyFileSync(process.execPath, nodeBin);
chmodSync(nodeBin, 0o755);
const nodeLicense = [join(dirname(process.execPath), '..', 'share', 'doc', 'nodejs', 'LICENSE'), join(dirname(process.execPath), '..', 'LICENSE')].find((f) => existsSync(f));
if (nodeLicense) copyFileSync(nodeLicense, join(lib, 'node', 'LICENSE'));

// 4. The system's parts: the command, the unit, the udev rule, the example config, the docs.
function place(from, to, mode) {
  mkdirSync(dirname(join(stage, to)), { recursive: true });
  copyFileSync(from, join(stage, to));
  chmodSync(join(stage, to), mode);
}
place(join(packaging, 'posbridge.sh'), 'usr/bin/posbridge', 0o755);
place(join(packaging, 'posbridge.service'), 'usr/lib/systemd/system/posbridge.service', 0o644);
place(join(packaging, '60-posbridge.rules'), 'usr/lib/udev/rules.d/60-posbridge.rules', 0o644);
place(join(packaging, 'posbridge.polkit.rules'), 'usr/share/polkit-1/rules.d/60-posbridge.rules', 0o644);
place(join(packaging, 'config.example.json'), 'etc/posbridge/config.example.json', 0o640);
place(join(packaging, 'copyright'), 'usr/share/doc/posbridge/copyright', 0o644);
for (const d of ['install.md', 'configuration.md', 'cli.md', 'errors.md']) place(join(root, 'docs', d), `usr/share/doc/posbridge/${d}`, 0o644);

// Modes: directories 0755, files 0644 but executables (and the example config, 0640: it names the shop).
function normaliseModes(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      chmodSync(p, 0o755);
      normaliseModes(p);
    } else if (entry.isFile()) {
      const mode = statSync(p).mode & 0o777;
      if (p.endsWith('config.example.json')) continue;
      // Our own code is run by the launcher, never directly: 0644 whatever the checkout's setup made executable.
      const ours = relative(stage, p).startsWith(join('usr', 'lib', 'posbridge', 'dist'));
      chmodSync(p, mode & 0o111 && !ours ? 0o755 : 0o644);
    }
  }
}
normaliseModes(stage);

// 5. The leaks check: no private test key file, whatever the exclusions above.
const leaks = [];
(function scan(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) scan(p);
    else if (/test-keys\.json$|\.pem$|\.key$/.test(entry.name)) leaks.push(relative(stage, p));
  }
})(stage);
if (leaks.length) fail(`refusing to package key files: ${leaks.join(', ')}`);

// 6. The control area.
function duKib(dir) {
  let bytes = 0;
  (function walk(d) {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else bytes += statSync(p).size;
    }
  })(dir);
  return Math.ceil(bytes / 1024);
}
const installedKib = duKib(stage);
const control = join(stage, 'DEBIAN');
mkdirSync(control);
const md5 = [];
(function sums(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.name === 'DEBIAN' && dir === stage) continue;
    if (entry.isDirectory()) sums(p);
    else if (entry.isFile()) md5.push(`${createHash('md5').update(readFileSync(p)).digest('hex')}  ${relative(stage, p)}`);
  }
})(stage);
writeFileSync(join(control, 'md5sums'), `${md5.sort((a, b) => a.slice(34).localeCompare(b.slice(34))).join('\n')}\n`);
writeFileSync(join(control, 'conffiles'), '/etc/posbridge/config.example.json\n');
const fields = [
  ['Package', 'posbridge'],
  ['Version', version],
  ['Architecture', 'amd64'],
  ['Maintainer', 'posbridge maintainers <posbridge@localhost>'],
  ['Installed-Size', String(installedKib)],
  // The bundled Node and the addons link libc, libstdc++ and libgcc; smartcard libpcsclite; node-hid libudev and libusb.
  ['Depends', 'pcscd, libpcsclite1, libc6 (>= 2.28), libstdc++6, libgcc-s1, libudev1, libusb-1.0-0, adduser'],
  ['Recommends', 'libccid, fonts-wqy-microhei'],
  ['Section', 'misc'],
  ['Priority', 'optional'],
  ['Homepage', 'https://github.com/posbridge/posbridge'],
  ['Description', 'hardware bridge for shop checkouts (EMV readers, PIN pads, printers)\n posbridge drives PC/SC EMV card readers, PIN pads, receipt printers, customer displays and\n stripe readers for a shop\'s tills behind a local WebSocket JSON-RPC API, with a journal of\n every payment. This package brings its own Node.js runtime (in /usr/lib/posbridge/node).'],
];
writeFileSync(join(control, 'control'), `${fields.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`);
for (const s of ['postinst', 'prerm', 'postrm']) place(join(packaging, s), `DEBIAN/${s}`, 0o755);
chmodSync(control, 0o755);
for (const f of ['control', 'md5sums', 'conffiles']) chmodSync(join(control, f), 0o644);

// 7. The archive.
mkdirSync(outDir, { recursive: true });
const deb = join(outDir, `posbridge_${version}_amd64.deb`);
const started = process.hrtime.bigint();
const r = spawnSync('dpkg-deb', ['--root-owner-group', `-Z${compression}`, '--build', stage, deb], { stdio: ['ignore', 'ignore', 'inherit'] });
if (r.status !== 0) fail(`dpkg-deb failed (exit ${r.status})`);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
if (!stageOption) rmSync(stage, { recursive: true, force: true });
const size = statSync(deb).size;
console.error(`[package] ${deb}: ${(size / 1048576).toFixed(1)} MiB (${compression}, ${seconds.toFixed(1)} s), installed ${(installedKib / 1024).toFixed(1)} MiB, ${closure.size} dependencies`);
console.log(deb);
