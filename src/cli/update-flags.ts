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
  { name: 'resources', alias: 'r', value: true },
  { name: 'blkio-weight', value: true },
  { name: 'cpu-period', value: true },
  { name: 'cpu-quota', value: true },
  { name: 'cpu-burst', value: true },
  // runc spells it --cpu-share; --cpu-shares (docker's spelling) is accepted too.
  { name: 'cpu-share', alias: 'cpu-shares', value: true },
  { name: 'cpu-rt-period', value: true },
  { name: 'cpu-rt-runtime', value: true },
  { name: 'cpu-idle', value: true },
  { name: 'cpuset-cpus', value: true },
  { name: 'cpuset-mems', value: true },
  { name: 'memory', value: true },
  { name: 'memory-reservation', value: true },
  { name: 'memory-swap', value: true },
  { name: 'pids-limit', value: true },
  { name: 'kernel-memory', value: true },
  { name: 'kernel-memory-tcp', value: true },
  { name: 'l3-cache-schema', value: true },
  { name: 'mem-bw-schema', value: true },
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
