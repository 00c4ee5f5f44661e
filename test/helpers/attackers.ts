// Attacker programs for the security tests, compiled static (the test
// rootfs is busybox only) once per test process.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SOURCES = resolve(import.meta.dirname, '../integration/attackers');
const built = new Map<string, string>();

/** Copies attackers/<name>.c, compiled, to `dest` (inside a rootfs). */
export function installAttacker(name: string, dest: string): void {
  let binary = built.get(name);
  if (!binary || !existsSync(binary)) {
    binary = join(mkdtempSync(join(tmpdir(), 'tsrun-attacker-')), name);
    execFileSync('gcc', ['-static', '-O1', '-Wall', '-o', binary, join(SOURCES, `${name}.c`)]);
    built.set(name, binary);
  }
  copyFileSync(binary, dest);
}

/** Docker's default capability set: a realistic container root. */
export const DOCKER_DEFAULT_CAPS = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_RAW',
  'CAP_SYS_CHROOT',
  'CAP_MKNOD',
  'CAP_AUDIT_WRITE',
  'CAP_SETFCAP',
];
