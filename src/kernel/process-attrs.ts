// Name tables of ioprio_set, sched_setattr, sched_setaffinity and
// personality(2), and the kernel's CPU list format (cpuset(7)). The
// semantic checks report names these tables do not know; plan/process-attrs.ts
// turns the config's names into the numbers tsrun-init passes.

// linux/ioprio.h
export const IOPRIO_CLASSES = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 } as const;
export const IOPRIO_CLASS_SHIFT = 13;
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
