// A rootless container that got no cgroup (none delegated, nothing
// writable): the manager interface without a directory. Its processes are
// found through the container's pid namespace instead of cgroup.procs, so
// kill --all, delete and ps still reach every one of them; pause and
// limits, which only a cgroup can give, are clear errors.
import { readdirSync, readlinkSync } from 'node:fs';
import { CgroupError } from '../errors.ts';
import type { LinuxResources } from '../spec/types.ts';
import { readProcStat } from '../state/proc-stat.ts';
import type { CgroupDirs, CgroupManager, JoinFd } from './manager.ts';
import { resourcesSet } from './resources-set.ts';

export interface NoCgroupRecord {
  kind: 'none';
  /** The container process once known, with its start time (a reused pid is not it). */
  pid?: number;
  startTime?: number;
  /** The container has a pid namespace of its own: its processes are that namespace's. */
  ownPidNamespace?: boolean;
}

function pidNamespaceOf(pid: number | 'self'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

function alive(pid: number, startTime: number | undefined): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.startTime === startTime;
}

export class NoCgroupManager implements CgroupManager {
  readonly kind = 'none' as const;

  constructor(private rec: NoCgroupRecord = { kind: 'none' }) {}

  static fromRecord(rec: unknown): NoCgroupManager {
    const r = rec as NoCgroupRecord;
    return new NoCgroupManager({ ...r, kind: 'none' });
  }

  /** Called by create once the container process exists. */
  track(pid: number, startTime: number, ownPidNamespace: boolean): void {
    this.rec = { kind: 'none', pid, startTime, ownPidNamespace };
  }

  dirs(): CgroupDirs {
    return { v1: {} };
  }

  create(): void {}

  /** Only limits need a cgroup: an empty or device-only resources object is fine. */
  apply(resources: LinuxResources): string[] {
    const set = resourcesSet(resources).filter((p) => !p.startsWith('/linux/resources/devices'));
    if (set.length > 0) {
      throw new CgroupError(
        '(no cgroup)',
        `${set[0]}: cannot apply a resource limit: running rootless without a delegated cgroup (one this user can create and runs inside, e.g. its systemd user slice; linux.cgroupsPath names it), or remove the limit`,
      );
    }
    return [];
  }

  v2DirFd(): number | undefined {
    return undefined;
  }

  joinFds(): JoinFd[] {
    return [];
  }

  /**
   * In its own pid namespace: every process of that namespace (the caller
   * owns the container's user namespace, so it may read their ns links;
   * before start the init is not yet dumpable and stands alone). Else only
   * the container process: without a cgroup nothing finds what it forked.
   */
  procs(): number[] {
    const { pid, startTime, ownPidNamespace } = this.rec;
    if (!pid || !alive(pid, startTime)) return [];
    const pidNamespace = ownPidNamespace ? pidNamespaceOf(pid) : undefined;
    if (!pidNamespace || pidNamespace === pidNamespaceOf('self')) return [pid];
    const found: number[] = [];
    for (const name of readdirSync('/proc')) {
      const p = Number(name);
      if (Number.isInteger(p) && p > 0 && pidNamespaceOf(p) === pidNamespace) found.push(p);
    }
    return found.sort((a, b) => a - b);
  }

  /** SIGKILL of the pid namespace's init ends the namespace; other signals go to each process found. */
  async killAll(signal: number): Promise<void> {
    const procs = this.procs();
    const { pid } = this.rec;
    const first = signal === 9 && pid && procs.includes(pid) ? [pid, ...procs.filter((p) => p !== pid)] : procs;
    for (const p of first) {
      try {
        process.kill(p, signal);
      } catch {
        // gone meanwhile
      }
    }
  }

  freeze(): Promise<void> {
    return Promise.reject(new CgroupError('(no cgroup)', 'pause needs a cgroup (the freezer): this rootless container runs without one'));
  }

  thaw(): Promise<void> {
    return Promise.reject(new CgroupError('(no cgroup)', 'resume needs a cgroup (the freezer): this rootless container runs without one'));
  }

  isFrozen(): boolean {
    return false;
  }

  async waitEmpty(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.procs().length > 0) {
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  }

  async remove(): Promise<void> {}

  toRecord(): NoCgroupRecord {
    return { ...this.rec };
  }
}
