// What an attack or a failure could leave or change on the host, taken
// before and compared after: tsrun's cgroups, mounts under the bundle, live
// tsrun-init processes of this test process, and the hashes of the host
// binaries a container must never be able to write (node, tsrun-init,
// the addon, the bundle).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');

function dirsUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(dir, e.name));
  } catch {
    return [];
  }
}

/** tsrun's cgroup directories of this test process, in every hierarchy. */
export function tsrunCgroups(): string[] {
  const out: string[] = [];
  for (const hierarchy of dirsUnder('/sys/fs/cgroup')) {
    for (const dir of dirsUnder(join(hierarchy, 'tsrun'))) if (dir.includes(`-${process.pid}-`)) out.push(dir);
  }
  return out.sort();
}

/**
 * Mounts of the host namespace under `dir` (a bundle): a leaked rootfs or
 * container mount shows there. Counting all mounts would see other
 * workloads of the machine come and go.
 */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.split(' ')[4]?.startsWith(dir));
}

/** Live processes in a cgroup of this test process's containers, and live tsrun-init processes. */
export function containerProcesses(): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (/^State:\s+Z/m.test(status)) continue;
      if (readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(`-${process.pid}-`)) pids.push(Number(pid));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

export interface HostSnapshot {
  cgroups: string[];
  mounts: string[];
  processes: number[];
}

/**
 * Compare one taken before with one taken after (given `before`): equal when
 * nothing was left. A process of an earlier container that exits meanwhile
 * is not a leak, so after `before` only new processes count.
 */
export function hostSnapshot(bundleDir: string, before?: HostSnapshot): HostSnapshot {
  const now = containerProcesses();
  const processes = before ? [...before.processes, ...now.filter((p) => !before.processes.includes(p))] : now;
  return { cgroups: tsrunCgroups(), mounts: mountsUnder(bundleDir), processes };
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** sha256 of node, build/Release/*, dist/** and bin/tsrun: the files an exe-overwrite attack targets. */
export function hostBinaryHashes(): Record<string, string> {
  const files = [realpathSync(process.execPath), join(REPO, 'bin/tsrun')];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'obj.target') walk(p);
      } else if (e.isFile() && statSync(p).size > 0) files.push(p);
    }
  };
  walk(join(REPO, 'build/Release'));
  walk(join(REPO, 'dist'));
  const out: Record<string, string> = {};
  for (const f of files) if (existsSync(f)) out[f] = sha256(f);
  return out;
}
