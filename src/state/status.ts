// A container's status is derived, never stored: its process alive (same
// pid *and* start time), then the exec fifo (still there = not started).
import { existsSync, readFileSync } from 'node:fs';
import { execFifo } from './paths.ts';
import { readProcStat } from './proc-stat.ts';
import type { ContainerState } from './store.ts';

export type Status = 'created' | 'running' | 'paused' | 'stopped';

export function isAlive(state: Pick<ContainerState, 'pid' | 'initStartTime'>): boolean {
  const stat = readProcStat(state.pid);
  return stat !== undefined && stat.startTime === state.initStartTime && stat.state !== 'Z' && stat.state !== 'X';
}

function isFrozen(cgroupPath: string): boolean {
  try {
    return readFileSync(`${cgroupPath}/cgroup.freeze`, 'latin1').trim() === '1';
  } catch {
    return false;
  }
}

export function containerStatus(dir: string, state: ContainerState): Status {
  if (!isAlive(state)) return 'stopped';
  if (existsSync(execFifo(dir))) return 'created';
  if (isFrozen(state.cgroup.path)) return 'paused';
  return 'running';
}
