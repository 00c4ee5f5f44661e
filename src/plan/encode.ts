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

export function encodeRecord(r: Record): Buffer {
  const strs = r.strs.map((s) => Buffer.from(`${s}\0`, 'utf8'));
  const body = 16 + r.nums.length * 8 + strs.reduce((n, b) => n + b.length, 0);
  const size = Math.ceil(body / 8) * 8;
  const buf = Buffer.alloc(size);
  buf.writeUInt32LE(r.kind, 0);
  buf.writeUInt32LE(size, 4);
  buf.writeUInt32LE(r.nums.length, 8);
  buf.writeUInt32LE(r.strs.length, 12);
  r.nums.forEach((n, i) => {
    const at = 16 + i * 8;
    // Most numbers are small and non-negative: skip BigInt for them.
    if (typeof n === 'number' && n >= 0 && n <= 0xffffffff) buf.writeUInt32LE(n, at);
    else buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(n)), at);
  });
  let at = 16 + r.nums.length * 8;
  for (const s of strs) {
    s.copy(buf, at);
    at += s.length;
  }
  return buf;
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
  for (const ns of plan.namespaces) add(REC.NAMESPACE, [ns.flag, ns.joinPath ? nsFd++ : -1]);
  // The notify listener's socket follows the namespace fds (wire.h).
  const sc = plan.seccomp;
  if (sc) {
    const insns: bigint[] = [];
    for (let at = 0; at + 8 <= sc.program.length; at += 8) insns.push(sc.program.readBigUInt64LE(at));
    add(REC.SECCOMP, [sc.flags, sc.listener ? nsFd : -1, ...insns]);
  }
  for (const t of plan.timeOffsets) add(REC.TIME_OFFSET, [t.clock, t.secs, t.nanosecs]);
  if (plan.hostname !== undefined) add(REC.HOSTNAME, [], [plan.hostname]);
  if (plan.domainname !== undefined) add(REC.DOMAINNAME, [], [plan.domainname]);
  const r = plan.rootfs;
  if (r) {
    add(
      REC.ROOTFS,
      [
        (r.readonly ? ROOTFS_FLAGS.READONLY : 0) | (r.noPivot ? ROOTFS_FLAGS.NO_PIVOT : 0) | (r.hostMountNs ? ROOTFS_FLAGS.HOST_MOUNT_NS : 0),
        r.propagation,
      ],
      [r.path, r.parentMount],
    );
  }
  // Prepared mount trees follow the joined namespaces and the listener in the fd table.
  let treeFd = nsFd + (plan.seccomp?.listener ? 1 : 0);
  for (const m of plan.mounts) {
    const kind = m.idmap ? MOUNT_KINDS.TREE : m.bind ? MOUNT_KINDS.BIND : MOUNT_KINDS.NEW;
    const strs = [m.source, m.destination, m.fstype, m.data, ...(m.fallbackBind ? [m.fallbackBind] : [])];
    add(REC.MOUNT, [m.flags, m.propagation, kind, m.attrSet, m.attrClear, m.extensions, ...(m.idmap ? [treeFd++] : [])], strs);
  }
  for (const d of plan.devices)
    add(REC.DEVICE, [d.type, d.major, d.minor, d.mode, d.uid, d.gid, d.bind ? 1 : 0], [d.path, d.hostPath]);
  for (const s of plan.symlinks) add(REC.SYMLINK, [], [s.target, s.path]);
  // sysctls first: readonlyPaths usually holds /proc/sys.
  for (const s of plan.sysctl) add(REC.SYSCTL, [], [s.path, s.value]);
  for (const path of plan.readonlyPaths) add(REC.READONLY, [], [path]);
  for (const path of plan.maskedPaths) add(REC.MASKED, [], [path]);
  for (const l of plan.rlimits) add(REC.RLIMIT, [l.resource, l.soft, l.hard]);
  const c = plan.capabilities;
  add(REC.CAPS, [c.bounding, c.effective, c.inheritable, c.permitted, c.ambient]);
  const u = plan.user;
  add(REC.USER, [u.uid, u.gid, u.umask, ...u.additionalGids]);
  const flags =
    (p.noNewPrivileges ? PROC_FLAGS.NO_NEW_PRIVS : 0) |
    (p.terminal ? PROC_FLAGS.TERMINAL : 0) |
    (p.oomScoreAdj !== undefined ? PROC_FLAGS.OOM_SCORE_ADJ : 0) |
    (p.newKeyring ? PROC_FLAGS.NEW_KEYRING : 0) |
    (p.consoleSize ? PROC_FLAGS.CONSOLE_SIZE : 0);
  add(
    REC.PROCESS,
    [flags, p.oomScoreAdj ?? 0, p.consoleSize?.height ?? 0, p.consoleSize?.width ?? 0, p.preserveFds, p.keyringPerm ?? 0],
    [p.keyringName ?? ''],
  );
  for (const a of plan.args) add(REC.ARG, [], [a]);
  for (const e of plan.env) add(REC.ENV, [], [e]);
  add(REC.CWD, [], [plan.cwd]);
  for (const h of plan.hooks) add(REC.HOOK, [HOOK_KINDS[h.kind], h.timeout, h.args.length], [h.path, ...h.args, ...h.env]);
  if (plan.personality !== undefined) add(REC.PERSONALITY, [plan.personality]);
  if (plan.ioPriority !== undefined) add(REC.IOPRIO, [plan.ioPriority]);
  const s = plan.scheduler;
  if (s) add(REC.SCHEDULER, [s.policy, s.nice, s.priority, s.flags, s.runtime, s.deadline, s.period]);
  const a = plan.cpuAffinity;
  if (a?.initial) add(REC.CPU_AFFINITY, [CPU_AFFINITY.INITIAL, ...a.initial]);
  if (a?.final) add(REC.CPU_AFFINITY, [CPU_AFFINITY.FINAL, ...a.final]);
  if (plan.lsm) add(REC.LSM, [LSM_KINDS[plan.lsm.kind]], [plan.lsm.value, plan.lsm.file]);
  return records;
}

export function encodePlan(plan: LaunchPlan): Buffer {
  return encodeEnvelope(planRecords(plan));
}

/** plan.h's envelope: the header, then the records (the launch plan's and the lifecycle record's). */
export function encodeEnvelope(recs: readonly Record[]): Buffer {
  const records = recs.map(encodeRecord);
  const header = Buffer.alloc(24);
  header.write('TSRPLAN\0', 0, 'latin1');
  const size = 24 + records.reduce((n, b) => n + b.length, 0);
  header.writeUInt32LE(PLAN_VERSION, 8);
  header.writeUInt32LE(size, 12);
  header.writeUInt32LE(records.length, 16);
  return Buffer.concat([header, ...records]);
}
