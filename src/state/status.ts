// A container's status is derived, never stored: its process alive (same
// pid *and* start time), then the freezer (v1 freezer.state or v2
// cgroup.events, by the manager), then the exec fifo (there = not started).
import { existsSync } from 'node:fs';
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
  if (existsSync(execFifo(dir))) return 'created';
  return 'running';
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
