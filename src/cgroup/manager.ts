// The container's cgroups as the lifecycle code sees them. One interface,
// two implementations chosen once at create from /proc/self/mountinfo and
// remembered in state.json (later commands never re-guess):
// - V2Manager: a unified host, one directory under the cgroup2 mount.
// - V1Manager: a legacy or hybrid host, one directory per mounted v1
//   controller hierarchy, plus on a hybrid host the directory under the v2
//   mount (for the device eBPF filter, clone3 CLONE_INTO_CGROUP,
//   cgroup.kill, and the controllers only v2 holds).
import type { LinuxResources } from '../spec/types.ts';
import { CgroupError } from '../errors.ts';
import type { CgroupDirRecord } from './cgroup-dir.ts';
import { cgroupRelativePath, joinMount } from './cgroup-path.ts';
import type { CgroupLayout } from '../host/cgroup-layout.ts';
import { V1Manager, V1_CONTROLLERS } from './v1-manager.ts';
import { V2Manager } from './v2-manager.ts';
import { NoCgroupManager, type NoCgroupRecord } from './no-cgroup-manager.ts';

export interface V2Record extends CgroupDirRecord {
  kind: 'v2';
}

export interface V1Record {
  kind: 'v1';
  /** Controller → the container's directory in that controller's hierarchy. */
  controllers: Record<string, string>;
  /** Each distinct directory (controllers sharing a hierarchy share one) and what tsrun created for it. */
  dirs: CgroupDirRecord[];
  /** The hybrid host's cgroup2 directory. */
  v2?: CgroupDirRecord;
}

/** What state.json keeps; managerFromRecord() rebuilds the manager from it. */
export type CgroupRecord = V2Record | V1Record | NoCgroupRecord;

/** Where the container's processes live, for readers of statistics (events --stats, ps). */
export interface CgroupDirs {
  /** The cgroup2 directory, on unified and hybrid hosts. */
  v2?: string;
  /** v1 controller → directory (legacy and hybrid hosts). */
  v1: Record<string, string>;
}

/** An open cgroup.procs of a v1 cgroup, and its path for error messages. */
export interface JoinFd {
  fd: number;
  file: string;
}

export interface CgroupManager {
  /** 'none': rootless without a writable cgroup (no-cgroup-manager.ts). */
  readonly kind: 'v1' | 'v2' | 'none';
  dirs(): CgroupDirs;
  /**
   * Make the directories (recording those made, the only ones remove()
   * takes away). An existing cgroup with processes is refused.
   */
  create(): void;
  /**
   * Write every limit set in `resources` (devices excepted where the eBPF
   * filter applies). A refusal is a CgroupError naming the field
   * (/linux/resources/...) and the file. Returns warnings (deprecated
   * fields that are ignored, as runc ignores them). Used by create and by
   * update (live), so writes are ordered to be valid from the current values.
   */
  apply(resources: LinuxResources): string[];
  /** A directory fd (O_CLOEXEC) of the cgroup2 cgroup for clone3 CLONE_INTO_CGROUP and the device filter; undefined without cgroup v2. The caller closes it. */
  v2DirFd(): number | undefined;
  /**
   * Write-only fds of cgroup.procs of each v1 cgroup: the spawned child
   * writes "0" (itself) to each before it execs, so the init is in every
   * hierarchy before it runs. [] on a unified host. The caller closes them.
   */
  joinFds(): JoinFd[];
  /** Every pid of the container (its whole subtree). */
  procs(): number[];
  /**
   * Send `signal` to every process: cgroup.kill for SIGKILL where the kernel
   * has it, else freeze, signal each, thaw, so no fork escapes. Works
   * without a pid namespace. A paused container stays paused, except for
   * SIGKILL (a v1-frozen task dies only once thawed).
   */
  killAll(signal: number): Promise<void>;
  /** pause: resolves once the kernel reports every task frozen. */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  isFrozen(): boolean;
  /** Wait until no process is left anywhere; false on timeout. */
  waitEmpty(timeoutMs: number): Promise<boolean>;
  /** Remove the directories this manager created, deepest first, in every hierarchy. */
  remove(): Promise<void>;
  toRecord(): CgroupRecord;
}

/**
 * A new manager for a container, from the host's layout: v1 where the host
 * mounts v1 controllers (legacy or hybrid), else v2.
 */
export function newManager(layout: CgroupLayout, cgroupsPath: string | undefined, id: string): CgroupManager {
  const relative = cgroupRelativePath(cgroupsPath, id);
  // Only tsrun's own default parent is removed when it empties; the parents
  // of a cgroupsPath the config names belong to whoever made them.
  const shared = cgroupsPath === undefined || cgroupsPath === '';
  const v1: Record<string, string> = {};
  for (const [controller, mount] of Object.entries(layout.v1)) {
    if (V1_CONTROLLERS.has(controller)) v1[controller] = joinMount(mount, relative);
  }
  if (Object.keys(v1).length > 0) return V1Manager.fresh(v1, layout.v2 !== undefined ? joinMount(layout.v2, relative) : undefined, shared);
  if (layout.v2 !== undefined) return V2Manager.fresh(joinMount(layout.v2, relative), shared);
  throw new CgroupError('/proc/self/mountinfo', 'no cgroup hierarchy (cgroup2 or v1 controllers) is mounted on this host');
}

/**
 * Rebuild the manager create chose. A record without `kind` comes from a
 * tsrun before the v1 manager ({path, created} of the cgroup2 directory).
 */
export function managerFromRecord(rec: unknown): CgroupManager {
  const r = rec as { kind?: unknown } | null;
  if (r !== null && typeof r === 'object' && r.kind === 'v1') return V1Manager.fromRecord(rec);
  if (r !== null && typeof r === 'object' && r.kind === 'none') return NoCgroupManager.fromRecord(rec);
  return V2Manager.fromRecord(rec);
}
