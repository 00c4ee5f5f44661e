// runc's `update` flags (update.go) and the resources patch they make.
// Sizes take units ("64m", runc's units.RAMInBytes) or -1 for unlimited;
// CPU values are plain integers. As in runc, --resources replaces every
// other flag.
import { readFileSync } from 'node:fs';
import { errnoText, messageOf, UsageError } from '../errors.ts';
import type { ResourcesPatch } from '../container/resources-patch.ts';
import { flagString, type FlagSpec, type Parsed } from './args.ts';
import { parseRamSize } from './ram-size.ts';

export const UPDATE_FLAGS: FlagSpec[] = [
  { name: 'resources', alias: 'r', value: true, arg: 'FILE', help: 'JSON file of linux.resources to apply, - for stdin; replaces the other flags' },
  { name: 'blkio-weight', value: true, arg: 'N', help: 'block IO weight, 10..1000 (0 leaves it)' },
  { name: 'cpu-period', value: true, arg: 'USEC', help: 'CFS period in microseconds, the window of --cpu-quota' },
  { name: 'cpu-quota', value: true, arg: 'USEC', help: 'CPU time allowed per period in microseconds (-1: no limit)' },
  { name: 'cpu-burst', value: true, arg: 'USEC', help: 'CPU time that unused quota may add to a period, in microseconds' },
  // runc spells it --cpu-share; --cpu-shares (docker's spelling) is accepted too.
  { name: 'cpu-share', alias: 'cpu-shares', value: true, arg: 'N', help: 'CPU weight relative to other cgroups (cgroup v1 shares)' },
  { name: 'cpu-rt-period', value: true, arg: 'USEC', help: 'real-time scheduling period in microseconds' },
  { name: 'cpu-rt-runtime', value: true, arg: 'USEC', help: 'real-time CPU time allowed per real-time period, in microseconds' },
  { name: 'cpu-idle', value: true, arg: '0|1', help: '1 gives the cgroup the SCHED_IDLE policy (cgroup v2 cpu.idle)' },
  { name: 'cpuset-cpus', value: true, arg: 'LIST', help: 'CPUs the container may run on, e.g. 0-2,4' },
  { name: 'cpuset-mems', value: true, arg: 'LIST', help: 'memory nodes the container may use, e.g. 0' },
  { name: 'memory', value: true, arg: 'SIZE', help: 'memory limit: bytes or with a unit (64m), -1 for none' },
  { name: 'memory-reservation', value: true, arg: 'SIZE', help: 'soft memory limit (the reclaim target under pressure), -1 for none' },
  { name: 'memory-swap', value: true, arg: 'SIZE', help: 'limit of memory plus swap, -1 for none' },
  { name: 'pids-limit', value: true, arg: 'N', help: 'most tasks (processes and threads) the container may hold (-1: no limit)' },
  { name: 'kernel-memory', value: true, arg: 'SIZE', help: 'obsolete and ignored with a warning, as in runc (kernel memory limits are gone from the kernel)' },
  { name: 'kernel-memory-tcp', value: true, arg: 'SIZE', help: 'obsolete and ignored with a warning, as in runc' },
  { name: 'l3-cache-schema', value: true, arg: 'SCHEMA', help: 'not supported: Intel RDT (given, it is an error)' },
  { name: 'mem-bw-schema', value: true, arg: 'SCHEMA', help: 'not supported: Intel RDT (given, it is an error)' },
];

/** Flags that would change something besides --resources (which replaces them). */
const VALUE_FLAGS = UPDATE_FLAGS.filter((f) => f.name !== 'resources').map((f) => f.name);

function integer(flag: string, text: string, unsigned: boolean): number {
  const ok = unsigned ? /^\d+$/.test(text) : /^[-+]?\d+$/.test(text);
  const n = Number(text);
  if (!ok || !Number.isSafeInteger(n)) {
    throw new UsageError(`invalid value for --${flag}: ${JSON.stringify(text)} is not ${unsigned ? 'a non-negative integer' : 'an integer'}`);
  }
  return n;
}

function size(flag: string, text: string): number {
  return text === '-1' ? -1 : parseRamSize(flag, text);
}

export interface FlagPatch {
  patch: ResourcesPatch;
  /** Flags given that runc accepts but ignores (kernel memory). */
  ignored: string[];
}

/** The patch the value flags describe (not --resources). */
export function patchFromFlags(p: Parsed): FlagPatch {
  const get = (name: string): string | undefined => {
    const v = flagString(p, name);
    return v === undefined || v === '' ? undefined : v;
  };
  for (const flag of ['l3-cache-schema', 'mem-bw-schema']) {
    if (get(flag) !== undefined) throw new UsageError(`--${flag}: Intel RDT is not supported by tsrun`);
  }
  const patch: ResourcesPatch = {};
  const memory: NonNullable<ResourcesPatch['memory']> = {};
  const cpu: NonNullable<ResourcesPatch['cpu']> = {};
  const set = <T extends object, K extends keyof T>(obj: T, key: K, flag: string, parse: (flag: string, text: string) => T[K]): void => {
    const text = get(flag);
    if (text !== undefined) obj[key] = parse(flag, text);
  };
  const uint = (flag: string, text: string): number => integer(flag, text, true);
  const int = (flag: string, text: string): number => integer(flag, text, false);

  set(memory, 'limit', 'memory', size);
  set(memory, 'reservation', 'memory-reservation', size);
  set(memory, 'swap', 'memory-swap', size);
  set(cpu, 'shares', 'cpu-share', uint);
  set(cpu, 'quota', 'cpu-quota', int);
  set(cpu, 'burst', 'cpu-burst', uint);
  set(cpu, 'period', 'cpu-period', uint);
  set(cpu, 'realtimeRuntime', 'cpu-rt-runtime', int);
  set(cpu, 'realtimePeriod', 'cpu-rt-period', uint);
  set(cpu, 'idle', 'cpu-idle', int);
  set(cpu, 'cpus', 'cpuset-cpus', (_f, t) => t);
  set(cpu, 'mems', 'cpuset-mems', (_f, t) => t);
  if (Object.keys(memory).length > 0) patch.memory = memory;
  if (Object.keys(cpu).length > 0) patch.cpu = cpu;
  const weight = get('blkio-weight');
  if (weight !== undefined) {
    const w = integer('blkio-weight', weight, true);
    // blkio.weight's range (cgroup-v1 blkio-controller.rst); 0 leaves it unchanged.
    if (w !== 0 && (w < 10 || w > 1000)) throw new UsageError(`invalid value for --blkio-weight: ${w} is outside 10..1000`);
    patch.blockIO = { weight: w };
  }
  const pids = get('pids-limit');
  if (pids !== undefined) patch.pids = { limit: integer('pids-limit', pids, false) };

  const ignored = ['kernel-memory', 'kernel-memory-tcp'].filter((f) => get(f) !== undefined);
  return { patch, ignored };
}

/** Value flags given along with --resources. */
export function flagsBesidesResources(p: Parsed): string[] {
  return VALUE_FLAGS.filter((name) => p.flags.has(name));
}

/** The text of --resources: a file, or "-" for standard input. */
export function readResourcesArgument(arg: string): { source: string; text: string } {
  const source = arg === '-' ? 'stdin' : arg;
  try {
    return { source, text: readFileSync(arg === '-' ? 0 : arg, 'utf8') };
  } catch (err) {
    // The reason only, not Node's message: the line names the file already.
    const errno = (err as NodeJS.ErrnoException).errno;
    throw new UsageError(`--resources ${source}: cannot read it: ${errno ? errnoText(-errno) : messageOf(err)}`);
  }
}
