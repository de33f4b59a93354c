// Runs a command inside a private mount+network namespace (Linux, root or unprivileged user namespaces),
// so the project's own pcscd and vpcd never meet the machine's: a tmpfs on /run/pcscd (pcscd always uses
// /run/pcscd/pcscd.comm), loopback up, and TCP quick ACKs on the local routes (vpcd writes length and APDU
// separately with Nagle on; without quickack each APDU waits ~48 ms for the delayed ACK).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';

export const NS_ENV = 'POSBRIDGE_PCSC_NS';

/** True when this process already runs inside the namespace set up by `setupInside`. */
export function insideNamespace() {
  return process.env[NS_ENV] === '1';
}

/** Why the namespace cannot be made here, or null when it can. */
export function namespaceProblem() {
  if (process.platform !== 'linux') return 'not Linux';
  if (!existsSync('/usr/bin/unshare')) return 'unshare (util-linux) is missing';
  if (!existsSync('/usr/sbin/pcscd')) return 'pcscd is not installed';
  if (!existsSync('/usr/lib/pcsc/drivers/serial/libifdvpcd.so')) return 'vsmartcard-vpcd is not installed';
  const root = process.getuid?.() === 0;
  if (!root) {
    const probe = spawnSync('unshare', ['-rmn', 'true'], { stdio: 'ignore' });
    if (probe.status !== 0) return 'needs root (or unprivileged user namespaces) for a private pcscd';
  }
  return null;
}

/** Re-runs `node script args` inside a new namespace; returns its exit status. */
export function runInNamespace(script, args, extraEnv = {}) {
  const root = process.getuid?.() === 0;
  const flags = root ? ['-mn'] : ['-rmn'];
  const r = spawnSync('unshare', [...flags, '--', process.execPath, script, ...args], {
    stdio: 'inherit',
    env: { ...process.env, ...extraEnv, [NS_ENV]: '1' },
  });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

/** Inside the namespace: loopback up, quickack routes, private /run/pcscd. Throws with the failing step. */
export function setupInside() {
  const steps = [
    ['ip', ['link', 'set', 'lo', 'up']],
    ['ip', ['route', 'change', 'local', '127.0.0.0/8', 'dev', 'lo', 'table', 'local', 'proto', 'kernel', 'scope', 'host', 'src', '127.0.0.1', 'quickack', '1']],
    ['ip', ['route', 'change', 'local', '127.0.0.1', 'dev', 'lo', 'table', 'local', 'proto', 'kernel', 'scope', 'host', 'src', '127.0.0.1', 'quickack', '1']],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`namespace setup: ${cmd} ${args.join(' ')}: ${r.stderr}`);
  }
  // The vpcd slots listen on fixed ports (35963…36399, each test file its own): keep the kernel's ephemeral ports
  // (client sockets of every other test) above them, or a client may take a slot's port first (EADDRINUSE).
  // ip_local_port_range belongs to the network namespace: the machine's own setting is untouched.
  writeFileSync('/proc/sys/net/ipv4/ip_local_port_range', '40000 60999\n');
  mkdirSync('/run/pcscd', { recursive: true });
  const m = spawnSync('mount', ['-t', 'tmpfs', 'tmpfs', '/run/pcscd'], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (m.status !== 0) throw new Error(`namespace setup: mount tmpfs on /run/pcscd: ${m.stderr}`);
}
