// process.ioPriority, process.scheduler, process.execCPUAffinity and
// linux.personality.flags → the numbers tsrun-init hands to ioprio_set,
// sched_setattr, sched_setaffinity and personality. Names go through these
// tables; the semantic checks report what they do not know.
import type { IoPriority, Process, Scheduler } from '../spec/types.ts';
import type { PlannedScheduler } from './launch-plan.ts';

// linux/ioprio.h
export const IOPRIO_CLASSES: Record<IoPriority['class'], number> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 };
const IOPRIO_CLASS_SHIFT = 13;
export const IOPRIO_LEVELS = 8;

// linux/sched.h; SCHED_ISO is reserved there and the kernel refuses it.
export const SCHED_POLICIES: Record<string, number> = {
  SCHED_OTHER: 0,
  SCHED_FIFO: 1,
  SCHED_RR: 2,
  SCHED_BATCH: 3,
  SCHED_ISO: 4,
  SCHED_IDLE: 5,
  SCHED_DEADLINE: 6,
};

// linux/sched.h SCHED_FLAG_*
export const SCHED_FLAGS: Record<string, number> = {
  SCHED_FLAG_RESET_ON_FORK: 0x01,
  SCHED_FLAG_RECLAIM: 0x02,
  SCHED_FLAG_DL_OVERRUN: 0x04,
  SCHED_FLAG_KEEP_POLICY: 0x08,
  SCHED_FLAG_KEEP_PARAMS: 0x10,
  SCHED_FLAG_UTIL_CLAMP_MIN: 0x20,
  SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
};

// linux/personality.h: the flag bits personality(2) takes beside the domain.
export const PERSONALITY_FLAGS: Record<string, number> = {
  UNAME26: 0x0020000,
  ADDR_NO_RANDOMIZE: 0x0040000,
  FDPIC_FUNCPTRS: 0x0080000,
  MMAP_PAGE_ZERO: 0x0100000,
  ADDR_COMPAT_LAYOUT: 0x0200000,
  READ_IMPLIES_EXEC: 0x0400000,
  ADDR_LIMIT_32BIT: 0x0800000,
  SHORT_INODE: 0x1000000,
  WHOLE_SECONDS: 0x2000000,
  STICKY_TIMEOUTS: 0x4000000,
  ADDR_LIMIT_3GB: 0x8000000,
};

/** CPU_SETSIZE of glibc: sched_setaffinity masks tsrun-init passes are this wide. */
export const MAX_CPUS = 1024;

export function ioPriorityValue(io: IoPriority): number {
  return ((IOPRIO_CLASSES[io.class] ?? 0) << IOPRIO_CLASS_SHIFT) | (io.priority ?? 0);
}

export function planScheduler(s: Scheduler): PlannedScheduler {
  return {
    policy: SCHED_POLICIES[s.policy] ?? -1,
    nice: s.nice ?? 0,
    priority: s.priority ?? 0,
    flags: BigInt((s.flags ?? []).reduce((bits, f) => bits | (SCHED_FLAGS[f] ?? 0), 0)),
    runtime: BigInt(s.runtime ?? 0),
    deadline: BigInt(s.deadline ?? 0),
    period: BigInt(s.period ?? 0),
  };
}

/**
 * A cpuset list ("0-3,7", as cpuset(7) writes them) → CPU numbers, or
 * the reason it is not one. Blanks around items are allowed (the schema's
 * pattern allows them).
 */
export function parseCpuList(list: string): number[] | string {
  const cpus = new Set<number>();
  for (const raw of list.split(',')) {
    const item = raw.trim();
    if (item === '') return `empty item in CPU list ${JSON.stringify(list)}`;
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(item);
    if (!m) return `${JSON.stringify(item)} is not a CPU number or range`;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return `range ${JSON.stringify(item)} ends before it starts`;
    if (to >= MAX_CPUS) return `CPU ${to} is above the highest CPU number tsrun can set (${MAX_CPUS - 1})`;
    for (let cpu = from; cpu <= to; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** CPU numbers → sched_setaffinity mask words, as few as cover the highest CPU. */
export function cpuMaskWords(cpus: number[]): bigint[] {
  const words = new Array<bigint>(Math.floor(Math.max(...cpus, 0) / 64) + 1).fill(0n);
  for (const cpu of cpus) words[Math.floor(cpu / 64)]! |= 1n << BigInt(cpu % 64);
  return words;
}

function affinityMask(list: string | undefined): bigint[] | undefined {
  if (list === undefined || list.trim() === '') return undefined;
  const cpus = parseCpuList(list);
  return typeof cpus === 'string' ? undefined : cpuMaskWords(cpus);
}

/** The process attributes a plan carries, for create and exec alike. */
export function planProcessAttrs(process: Process): {
  ioPriority?: number;
  scheduler?: PlannedScheduler;
  cpuAffinity?: { initial?: bigint[]; final?: bigint[] };
} {
  const initial = affinityMask(process.execCPUAffinity?.initial);
  const final = affinityMask(process.execCPUAffinity?.final);
  return {
    ...(process.ioPriority ? { ioPriority: ioPriorityValue(process.ioPriority) } : {}),
    ...(process.scheduler ? { scheduler: planScheduler(process.scheduler) } : {}),
    ...(initial || final ? { cpuAffinity: { ...(initial ? { initial } : {}), ...(final ? { final } : {}) } } : {}),
  };
}

export function personalityFlags(flags: readonly string[] | undefined): number {
  return (flags ?? []).reduce((bits, f) => bits | (PERSONALITY_FLAGS[f] ?? 0), 0);
}
