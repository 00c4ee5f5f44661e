// A container's status is derived, never stored: its process alive (same
// pid *and* start time), then the freezer (v1 freezer.state or v2
// cgroup.events, by the manager), then the exec fifo (there = not started).
import { existsSync, readFileSync } from 'node:fs';
import { execFifo } from './paths.ts';
import { readProcStat } from './proc-stat.ts';
import type { ContainerState } from './store.ts';

export type Status = 'created' | 'running' | 'paused' | 'stopped';

export function isAlive(state: Pick<ContainerState, 'pid' | 'initStartTime'>): boolean {
  const stat = readProcStat(state.pid);
  return stat !== undefined && stat.startTime === state.initStartTime && stat.state !== 'Z' && stat.state !== 'X';
}

export function containerStatus(dir: string, state: ContainerState, cgroup: { isFrozen(): boolean }): Status {
  if (!isAlive(state)) return 'stopped';
  // runc: a paused created container is "paused" too.
  if (safeIsFrozen(cgroup)) return 'paused';
  if (existsSync(execFifo(dir)) && !hasExeced(state.pid)) return 'created';
  return 'running';
}

// The init names itself "tsrun:[init]" (csrc/init/main.c) and keeps that
// name until execve. A `start` killed between releasing the init and
// removing the fifo leaves a fifo behind a process that already runs: by
// its name it is running, not created. (A container process renaming
// itself so can only make itself look created.)
function hasExeced(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8') !== 'tsrun:[init]\n';
  } catch {
    return false; // exited meanwhile: isAlive() decides next time
  }
}

// A cgroup that cannot be read (removed under us) is not frozen; status
// must not fail because of it.
function safeIsFrozen(cgroup: { isFrozen(): boolean }): boolean {
  try {
    return cgroup.isFrozen();
  } catch {
    return false;
  }
}
