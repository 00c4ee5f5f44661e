// process.ioPriority, process.scheduler, process.execCPUAffinity and
// linux.personality.flags → the numbers tsrun-init hands to ioprio_set,
// sched_setattr, sched_setaffinity and personality. Names go through the
// tables of kernel/process-attrs.ts; the semantic checks report what they do not know.
import { IOPRIO_CLASS_SHIFT, IOPRIO_CLASSES, parseCpuList, PERSONALITY_FLAGS, SCHED_FLAGS, SCHED_POLICIES } from '../kernel/process-attrs.ts';
import type { IoPriority, Process, Scheduler } from '../spec/types.ts';
import type { PlannedScheduler } from './launch-plan.ts';

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
