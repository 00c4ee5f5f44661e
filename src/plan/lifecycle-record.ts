// The lifecycle record: what create decided for the commands that follow
// (start, state, kill, delete, pause, resume, ps), in plan.h's record
// format, written to <root>/<id>/lifecycle. The C front door
// (csrc/frontdoor/) runs those commands from it without starting Node, so
// everything they need is here and nothing in C decides a policy. Pure: the
// caller stats state.json and writes the buffer.
import type { CgroupDirRecord } from '../cgroup/cgroup-dir.ts';
import type { V1Record, V2Record } from '../cgroup/manager.ts';
import type { Hook } from '../spec/types.ts';
import { encodeEnvelope, namedStrs, REC, slotted, type PlanRecord } from './encode.ts';

// The number slots of each kind are encode.ts SLOTS.LC_* (plan.h enum
// tsr_lc_*_slot); the flags and kinds that go in them:
export const LCF = { MOUNT_NS: 1, DELETE_IN_NODE: 2 } as const;
export const FREEZER = { V1: 1, V2: 2 } as const;
export const PROCS = { ALONE: 1 } as const;
export const CGKILL = { THAW_FROZEN: 1 } as const;
export const RMDIR = { TREE: 0, IF_EMPTY: 1 } as const;
export const LC_HOOK_KIND = { POSTSTART: 1, POSTSTOP: 2 } as const;

export interface LifecycleInput {
  ociVersion: string;
  id: string;
  pid: number;
  initStartTime: number;
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations: Record<string, string>;
  cgroup: V1Record | V2Record;
  hooks: { poststart: Hook[]; poststop: Hook[] };
  execFifo: string;
  /** The container has a mount namespace of its own (the cgroup guard's second check). */
  ownMountNs: boolean;
  /** delete has host mounts or network devices to undo: the TypeScript delete does it. */
  deleteInNode: boolean;
  /** state.json as just written: a later change sends commands to TypeScript. */
  stateFile: { ino: bigint; size: bigint; mtimeNs: bigint };
  /** Shared parents (the default <hierarchy>/tsrun): tsrun's cgroup root, never removed, even by the create that made them. */
  sharedParents: string[];
}

function depth(path: string): number {
  return path.split('/').filter(Boolean).length;
}

function freezer(cg: V1Record | V2Record): PlanRecord | undefined {
  const v2 = (path: string): PlanRecord => ({
    kind: REC.LC_FREEZER,
    nums: slotted('LC_FREEZER', { KIND: FREEZER.V2 }),
    strs: [`${path}/cgroup.freeze`, '1', '0', `${path}/cgroup.events`, 'frozen'],
  });
  if (cg.kind !== 'v1') return v2(cg.path);
  const dir = cg.controllers.freezer;
  if (dir !== undefined)
    return {
      kind: REC.LC_FREEZER,
      nums: slotted('LC_FREEZER', { KIND: FREEZER.V1 }),
      strs: [`${dir}/freezer.state`, 'FROZEN', 'THAWED', `${dir}/freezer.state`, ''],
    };
  return cg.v2 ? v2(cg.v2.path) : undefined;
}

// As V1Manager.procs(): the cgroup2 directory alone when it exists, else the
// union of the v1 directories; V2Manager: its one directory.
function procs(cg: V1Record | V2Record): PlanRecord[] {
  const rec = (flags: number, path: string): PlanRecord => ({ kind: REC.LC_PROCS, nums: slotted('LC_PROCS', { FLAGS: flags }), strs: [path] });
  if (cg.kind !== 'v1') return [rec(0, cg.path)];
  return [...(cg.v2 ? [rec(PROCS.ALONE, cg.v2.path)] : []), ...[...new Set(cg.dirs.map((d) => d.path))].map((path) => rec(0, path))];
}

// As CgroupDir.remove() per hierarchy (v1 directories, then the cgroup2
// one): what create made, deepest first; the container's own directory as
// a tree, its parents only when empty.
/** Each directory record of a cgroup: the v1 ones, then the cgroup2 one. */
export function cgroupDirRecords(cg: V1Record | V2Record): CgroupDirRecord[] {
  return cg.kind === 'v1' ? [...cg.dirs, ...(cg.v2 ? [cg.v2] : [])] : [cg];
}

function rmdirs(cg: V1Record | V2Record, sharedParents: readonly string[]): PlanRecord[] {
  const dirs = cgroupDirRecords(cg);
  const out: PlanRecord[] = [];
  const rec = (how: number, dir: string): PlanRecord => ({ kind: REC.LC_RMDIR, nums: slotted('LC_RMDIR', { HOW: how }), strs: [dir] });
  for (const d of dirs) {
    for (const dir of [...d.created].sort((a, b) => depth(b) - depth(a))) {
      if (!sharedParents.includes(dir)) out.push(rec(dir === d.path ? RMDIR.TREE : RMDIR.IF_EMPTY, dir));
    }
  }
  return out;
}

function hook(kind: number, h: Hook): PlanRecord {
  const args = h.args ?? [];
  const env = h.env ?? [];
  return {
    kind: REC.LC_HOOK,
    nums: slotted('LC_HOOK', { KIND: kind, TIMEOUT: h.timeout ?? 0, ARGC: args.length, ENV_COUNT: env.length, HAS_ENV: h.env ? 1 : 0 }),
    strs: [h.path, ...args, ...env],
  };
}

export function lifecycleRecords(c: LifecycleInput): PlanRecord[] {
  const flags = (c.ownMountNs ? LCF.MOUNT_NS : 0) | (c.deleteInNode ? LCF.DELETE_IN_NODE : 0);
  const records: PlanRecord[] = [
    {
      kind: REC.LC_CONTAINER,
      nums: slotted('LC_CONTAINER', {
        PID: c.pid,
        START_TIME: c.initStartTime,
        FLAGS: flags,
        STATE_INO: c.stateFile.ino,
        STATE_SIZE: c.stateFile.size,
        STATE_MTIME_NS: c.stateFile.mtimeNs,
      }),
      strs: namedStrs('LC_CONTAINER', { OCI_VERSION: c.ociVersion, ID: c.id, BUNDLE: c.bundle, ROOTFS: c.rootfs, CREATED: c.created, OWNER: c.owner }),
    },
  ];
  // Object order is the state document's order (JSON.stringify's).
  for (const [key, value] of Object.entries(c.annotations)) records.push({ kind: REC.LC_ANNOTATION, nums: [], strs: [key, value] });
  records.push({ kind: REC.LC_FIFO, nums: [], strs: [c.execFifo] });
  const f = freezer(c.cgroup);
  if (f) records.push(f);
  records.push(...procs(c.cgroup));
  const v2 = c.cgroup.kind === 'v1' ? c.cgroup.v2?.path : c.cgroup.path;
  if (v2 !== undefined) {
    const flags = c.cgroup.kind === 'v1' ? CGKILL.THAW_FROZEN : 0;
    records.push({ kind: REC.LC_CGROUP_KILL, nums: slotted('LC_CGROUP_KILL', { FLAGS: flags }), strs: [`${v2}/cgroup.kill`] });
  }
  records.push(...rmdirs(c.cgroup, c.sharedParents));
  for (const h of c.hooks.poststart) records.push(hook(LC_HOOK_KIND.POSTSTART, h));
  for (const h of c.hooks.poststop) records.push(hook(LC_HOOK_KIND.POSTSTOP, h));
  return records;
}

export function encodeLifecycle(c: LifecycleInput): Buffer {
  return encodeEnvelope(lifecycleRecords(c));
}
