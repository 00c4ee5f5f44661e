// How many times the kernel's OOM killer acted in a container's memory
// cgroup, for `events`: v2 counts in memory.events ("oom_kill N"); v1 in
// memory.oom_control ("oom_kill N" since Linux 4.13, and "under_oom 1"
// while a container with the OOM killer disabled is stuck at its limit).
// runc listens on an eventfd (v1 cgroup.event_control) or inotify (v2);
// tsrun polls these counters, which needs no file descriptor tricks and
// cannot miss a kill that happens between two reads.
import type { StatsDirs } from './cgroup-stats.ts';
import { dirReader } from './cgroup-stats.ts';

export interface OomCounter {
  kills: bigint;
  /** v1 with the OOM killer disabled: processes are waiting for memory now. */
  underOom: boolean;
}

/** "key value" lines of memory.events or memory.oom_control → the counter. */
export function parseOomCounter(text: string): OomCounter {
  let kills = 0n;
  let underOom = false;
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key === 'oom_kill' && value !== undefined && /^\d+$/.test(value)) kills = BigInt(value);
    if (key === 'under_oom') underOom = value === '1';
  }
  return { kills, underOom };
}

/** A reader of the container's OOM counter, or undefined when no memory controller serves it. */
export function oomCounterReader(dirs: StatsDirs): (() => OomCounter | undefined) | undefined {
  const v1 = dirs.v1.memory;
  if (v1 !== undefined) {
    const read = dirReader(v1);
    return () => {
      const text = read('memory.oom_control');
      return text === undefined ? undefined : parseOomCounter(text);
    };
  }
  if (dirs.v2 !== undefined) {
    const read = dirReader(dirs.v2);
    return () => {
      const text = read('memory.events');
      return text === undefined ? undefined : parseOomCounter(text);
    };
  }
  return undefined;
}
