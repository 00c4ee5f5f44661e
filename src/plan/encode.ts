// LaunchPlan → the byte layout of csrc/include/plan.h.
import type { LaunchPlan } from './launch-plan.ts';

export const PLAN_VERSION = 1;

export const REC = {
  USER: 1,
  PROCESS: 2,
  ARG: 3,
  ENV: 4,
  CWD: 5,
  NAMESPACE: 6,
  TIME_OFFSET: 7,
  HOSTNAME: 8,
  DOMAINNAME: 9,
  ROOTFS: 10,
  MOUNT: 11,
  DEVICE: 12,
  SYMLINK: 13,
  MASKED: 14,
  READONLY: 15,
  SYSCTL: 16,
  RLIMIT: 17,
  CAPS: 18,
  HOOK: 19,
  PERSONALITY: 20,
  SECCOMP: 21,
  IOPRIO: 22,
  SCHEDULER: 23,
  CPU_AFFINITY: 24,
  LSM: 25,
  // The lifecycle record (src/plan/lifecycle-record.ts).
  LC_CONTAINER: 27,
  LC_ANNOTATION: 28,
  LC_FIFO: 29,
  LC_FREEZER: 30,
  LC_PROCS: 31,
  LC_CGROUP_KILL: 32,
  LC_RMDIR: 33,
  LC_HOOK: 34,
} as const;

/**
 * The number slots of each record kind, in order: plan.h's
 * `enum tsr_<kind>_slot` without its prefix and its count (the contract
 * test compares them). A record always has all of its kind's slots; the
 * C reader refuses one with fewer. Kinds not listed have no numbers or
 * only a list.
 */
export const SLOTS = {
  USER: ['UID', 'GID', 'UMASK'],
  PROCESS: ['FLAGS', 'OOM_SCORE_ADJ', 'CONSOLE_ROWS', 'CONSOLE_COLS', 'PRESERVE_FDS', 'KEYRING_PERM'],
  NAMESPACE: ['FLAG', 'FD'],
  TIME_OFFSET: ['CLOCK', 'SECS', 'NANOSECS'],
  ROOTFS: ['FLAGS', 'HOST_PROPAGATION', 'ROOT_PROPAGATION'],
  MOUNT: ['FLAGS', 'PROPAGATION', 'KIND', 'SET_ATTRS', 'CLEAR_ATTRS', 'EXTENSIONS', 'TREE_FD'],
  DEVICE: ['TYPE', 'MAJOR', 'MINOR', 'MODE', 'UID', 'GID', 'HOW'],
  RLIMIT: ['RESOURCE', 'SOFT', 'HARD'],
  CAPS: ['BOUNDING', 'EFFECTIVE', 'INHERITABLE', 'PERMITTED', 'AMBIENT'],
  HOOK: ['KIND', 'TIMEOUT', 'ARGC'],
  PERSONALITY: ['PERSONA'],
  SECCOMP: ['FLAGS', 'LISTENER_FD'],
  IOPRIO: ['VALUE'],
  SCHEDULER: ['POLICY', 'NICE', 'PRIORITY', 'FLAGS', 'RUNTIME', 'DEADLINE', 'PERIOD'],
  CPU_AFFINITY: ['WHEN'],
  LSM: ['KIND'],
  // The lifecycle record (src/plan/lifecycle-record.ts).
  LC_CONTAINER: ['PID', 'START_TIME', 'FLAGS', 'STATE_INO', 'STATE_SIZE', 'STATE_MTIME_NS'],
  LC_FREEZER: ['KIND'],
  LC_PROCS: ['FLAGS'],
  LC_CGROUP_KILL: ['FLAGS'],
  LC_RMDIR: ['HOW'],
  LC_HOOK: ['KIND', 'TIMEOUT', 'ARGC', 'ENV_COUNT', 'HAS_ENV'],
} as const satisfies { [K in keyof typeof REC]?: readonly string[] };

/**
 * The named strings of the kinds that name theirs: plan.h's
 * `enum tsr_<kind>_str` (members <PREFIX>_STR_<NAME>, count <PREFIX>_STRS).
 */
export const STRS = {
  LC_CONTAINER: ['OCI_VERSION', 'ID', 'BUNDLE', 'ROOTFS', 'CREATED', 'OWNER'],
} as const satisfies { [K in keyof typeof REC]?: readonly string[] };

type Slotted = keyof typeof SLOTS;

/** A record's numbers in its kind's slot order, then its list (if any). */
export function slotted<K extends Slotted>(kind: K, values: { [S in (typeof SLOTS)[K][number]]: Num }, list: Num[] = []): Num[] {
  return [...SLOTS[kind].map((name) => values[name as keyof typeof values]), ...list];
}

/** A record's strings in its kind's named order (STRS). */
export function namedStrs<K extends keyof typeof STRS>(kind: K, values: { [S in (typeof STRS)[K][number]]: string }): string[] {
  return STRS[kind].map((name) => values[name as keyof typeof values]);
}

export const PROC_FLAGS = { NO_NEW_PRIVS: 1, TERMINAL: 2, OOM_SCORE_ADJ: 4, NEW_KEYRING: 8, CONSOLE_SIZE: 0x10 };
export const ROOTFS_FLAGS = { READONLY: 1, NO_PIVOT: 2, HOST_MOUNT_NS: 4 };
export const CPU_AFFINITY = { INITIAL: 0, FINAL: 1 };
export const MOUNT_KINDS = { NEW: 0, BIND: 1, TREE: 2 };
export const LSM_KINDS = { apparmor: 1, selinux: 2 } as const;
export const HOOK_KINDS = { createContainer: 1, startContainer: 2 } as const;
/** Init's fds from its base: plan, sync, fifo, console, then namespaces to join. */
export const FD_OFF = { PLAN: 0, SYNC: 1, FIFO: 2, CONSOLE: 3, FIRST_NS: 4 };

export type Num = number | bigint;
export interface Record {
  kind: number;
  nums: Num[];
  strs: string[];
}

export type PlanRecord = Record;

// A record: kind, size, number of nums, number of strs (u32 each), the
// nums (u64), the strings NUL-terminated, padded to 8 bytes.
function recordSize(r: Record): number {
  let body = 16 + r.nums.length * 8;
  for (const str of r.strs) body += Buffer.byteLength(str, 'utf8') + 1;
  return Math.ceil(body / 8) * 8;
}

function writeRecord(buf: Buffer, start: number, r: Record, size: number): void {
  buf.writeUInt32LE(r.kind, start);
  buf.writeUInt32LE(size, start + 4);
  buf.writeUInt32LE(r.nums.length, start + 8);
  buf.writeUInt32LE(r.strs.length, start + 12);
  let at = start + 16;
  for (const n of r.nums) {
    // Most numbers are small and non-negative: skip BigInt for them.
    if (typeof n === 'number' && n >= 0 && n <= 0xffffffff) buf.writeUInt32LE(n, at);
    else buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(n)), at);
    at += 8;
  }
  for (const str of r.strs) {
    at += buf.write(str, at, 'utf8');
    at++; // the NUL: the buffer starts zeroed
  }
}

/** fd base in the init: after stdio and the preserved fds. */
export function initFdBase(plan: LaunchPlan): number {
  return 3 + plan.process.preserveFds;
}

export function planRecords(plan: LaunchPlan): Record[] {
  const base = initFdBase(plan);
  const p = plan.process;
  const records: Record[] = [];
  const add = (kind: number, nums: Num[], strs: string[] = []) => records.push({ kind, nums, strs });

  let nsFd = base + FD_OFF.FIRST_NS;
  for (const ns of plan.namespaces) add(REC.NAMESPACE, slotted('NAMESPACE', { FLAG: ns.flag, FD: ns.joinPath ? nsFd++ : -1 }));
  // The notify listener's socket follows the namespace fds (wire.h).
  const sc = plan.seccomp;
  if (sc) {
    const insns: bigint[] = [];
    for (let at = 0; at + 8 <= sc.program.length; at += 8) insns.push(sc.program.readBigUInt64LE(at));
    add(REC.SECCOMP, slotted('SECCOMP', { FLAGS: sc.flags, LISTENER_FD: sc.listener ? nsFd : -1 }, insns));
  }
  for (const t of plan.timeOffsets) add(REC.TIME_OFFSET, slotted('TIME_OFFSET', { CLOCK: t.clock, SECS: t.secs, NANOSECS: t.nanosecs }));
  if (plan.hostname !== undefined) add(REC.HOSTNAME, [], [plan.hostname]);
  if (plan.domainname !== undefined) add(REC.DOMAINNAME, [], [plan.domainname]);
  const r = plan.rootfs;
  if (r) {
    const flags = (r.readonly ? ROOTFS_FLAGS.READONLY : 0) | (r.noPivot ? ROOTFS_FLAGS.NO_PIVOT : 0) | (r.hostMountNs ? ROOTFS_FLAGS.HOST_MOUNT_NS : 0);
    add(REC.ROOTFS, slotted('ROOTFS', { FLAGS: flags, HOST_PROPAGATION: r.hostPropagation, ROOT_PROPAGATION: r.rootPropagation }), [r.path, r.parentMount]);
  }
  // Prepared mount trees follow the joined namespaces and the listener in the fd table.
  let treeFd = nsFd + (plan.seccomp?.listener ? 1 : 0);
  for (const m of plan.mounts) {
    const kind = m.idmap ? MOUNT_KINDS.TREE : m.bind ? MOUNT_KINDS.BIND : MOUNT_KINDS.NEW;
    const strs = [m.source, m.destination, m.fstype, m.data, ...(m.fallbackBind ? [m.fallbackBind] : [])];
    const nums = { FLAGS: m.flags, PROPAGATION: m.propagation, KIND: kind, SET_ATTRS: m.attrSet, CLEAR_ATTRS: m.attrClear, EXTENSIONS: m.extensions };
    add(REC.MOUNT, slotted('MOUNT', { ...nums, TREE_FD: m.idmap ? treeFd++ : -1 }), strs);
  }
  for (const d of plan.devices)
    add(REC.DEVICE, slotted('DEVICE', { TYPE: d.type, MAJOR: d.major, MINOR: d.minor, MODE: d.mode, UID: d.uid, GID: d.gid, HOW: d.bind ? 1 : 0 }), [
      d.path,
      d.hostPath,
    ]);
  for (const s of plan.symlinks) add(REC.SYMLINK, [], [s.target, s.path]);
  // sysctls first: readonlyPaths usually holds /proc/sys.
  for (const s of plan.sysctl) add(REC.SYSCTL, [], [s.path, s.value]);
  for (const path of plan.readonlyPaths) add(REC.READONLY, [], [path]);
  for (const path of plan.maskedPaths) add(REC.MASKED, [], [path]);
  for (const l of plan.rlimits) add(REC.RLIMIT, slotted('RLIMIT', { RESOURCE: l.resource, SOFT: l.soft, HARD: l.hard }));
  const c = plan.capabilities;
  add(REC.CAPS, slotted('CAPS', { BOUNDING: c.bounding, EFFECTIVE: c.effective, INHERITABLE: c.inheritable, PERMITTED: c.permitted, AMBIENT: c.ambient }));
  const u = plan.user;
  add(REC.USER, slotted('USER', { UID: u.uid, GID: u.gid, UMASK: u.umask }, u.additionalGids));
  const flags =
    (p.noNewPrivileges ? PROC_FLAGS.NO_NEW_PRIVS : 0) |
    (p.terminal ? PROC_FLAGS.TERMINAL : 0) |
    (p.oomScoreAdj !== undefined ? PROC_FLAGS.OOM_SCORE_ADJ : 0) |
    (p.newKeyring ? PROC_FLAGS.NEW_KEYRING : 0) |
    (p.consoleSize ? PROC_FLAGS.CONSOLE_SIZE : 0);
  add(
    REC.PROCESS,
    slotted('PROCESS', {
      FLAGS: flags,
      OOM_SCORE_ADJ: p.oomScoreAdj ?? 0,
      CONSOLE_ROWS: p.consoleSize?.height ?? 0,
      CONSOLE_COLS: p.consoleSize?.width ?? 0,
      PRESERVE_FDS: p.preserveFds,
      KEYRING_PERM: p.keyringPerm ?? 0,
    }),
    [p.keyringName ?? ''],
  );
  for (const a of plan.args) add(REC.ARG, [], [a]);
  for (const e of plan.env) add(REC.ENV, [], [e]);
  add(REC.CWD, [], [plan.cwd]);
  for (const h of plan.hooks)
    add(REC.HOOK, slotted('HOOK', { KIND: HOOK_KINDS[h.kind], TIMEOUT: h.timeout, ARGC: h.args.length }), [h.path, ...h.args, ...h.env]);
  if (plan.personality !== undefined) add(REC.PERSONALITY, slotted('PERSONALITY', { PERSONA: plan.personality }));
  if (plan.ioPriority !== undefined) add(REC.IOPRIO, slotted('IOPRIO', { VALUE: plan.ioPriority }));
  const s = plan.scheduler;
  if (s) {
    const values = { POLICY: s.policy, NICE: s.nice, PRIORITY: s.priority, FLAGS: s.flags, RUNTIME: s.runtime, DEADLINE: s.deadline, PERIOD: s.period };
    add(REC.SCHEDULER, slotted('SCHEDULER', values));
  }
  const a = plan.cpuAffinity;
  if (a?.initial) add(REC.CPU_AFFINITY, slotted('CPU_AFFINITY', { WHEN: CPU_AFFINITY.INITIAL }, a.initial));
  if (a?.final) add(REC.CPU_AFFINITY, slotted('CPU_AFFINITY', { WHEN: CPU_AFFINITY.FINAL }, a.final));
  if (plan.lsm) add(REC.LSM, slotted('LSM', { KIND: LSM_KINDS[plan.lsm.kind] }), [plan.lsm.value, plan.lsm.file]);
  return records;
}

export function encodePlan(plan: LaunchPlan): Buffer {
  return encodeEnvelope(planRecords(plan));
}

/**
 * plan.h's envelope: the header, then the records (the launch plan's and
 * the lifecycle record's). One buffer, sized first and written in place: a
 * Buffer per record and per string cost about 2 ms of every create (cold
 * code, a hundred small allocations).
 */
export function encodeEnvelope(recs: readonly Record[]): Buffer {
  const sizes = recs.map(recordSize);
  const total = 24 + sizes.reduce((n, size) => n + size, 0);
  const buf = Buffer.alloc(total);
  buf.write('TSRPLAN\0', 0, 'latin1');
  buf.writeUInt32LE(PLAN_VERSION, 8);
  buf.writeUInt32LE(total, 12);
  buf.writeUInt32LE(recs.length, 16);
  let at = 24;
  recs.forEach((r, i) => {
    writeRecord(buf, at, r, sizes[i]!);
    at += sizes[i]!;
  });
  return buf;
}
