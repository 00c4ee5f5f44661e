// Before kill or delete act on what state.json names: make sure it is the
// container. The pid is already checked by its start time (status.ts);
// here the cgroup: a live container's process must be in the recorded
// cgroup, and no process in it may share tsrun's own mount namespace (a
// container with a mount namespace of its own never does; one configured
// without a mount namespace lives in the runtime's, so only the first
// check applies to it). A state
// file edited, corrupted or left over to name another pid or a host
// service's cgroup then makes kill/delete refuse instead of signalling or
// removing something that is not the container.
import { readlinkSync } from 'node:fs';
import { StateError } from '../errors.ts';
import { readProcStat } from '../state/proc-stat.ts';
import type { Container } from './container.ts';

function mountNamespace(pid: number | 'self'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined; // exited meanwhile
  }
}

// PF_EXITING (include/linux/sched.h), in the flags field of /proc/<pid>/stat.
const PF_EXITING = 0x4;

// A killed process leaves its cgroup (cgroup_exit) before it becomes a
// zombie; a pid namespace's init stays in between until its children are
// reaped. In that window it is no longer in cgroup.procs but not yet dead:
// the container's own process exiting, not a foreign one (a kill racing
// delete --force hit this).
function isExiting(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat === undefined || (stat.flags & PF_EXITING) !== 0; // undefined: gone meanwhile
}

export function assertCgroupIsContainers(c: Container): void {
  const { id } = c;
  const dirs = c.cgroup.dirs();
  const path = dirs.v2 ?? Object.values(dirs.v1)[0] ?? '(none)';
  const procs = c.cgroup.procs();
  if (c.status !== 'stopped' && !procs.includes(c.state.pid) && !isExiting(c.state.pid)) {
    throw new StateError(
      id,
      'corrupt',
      `state.json of container ${id} names pid ${c.state.pid} and cgroup ${path}, but that process is not in that cgroup: refusing to signal or remove anything`,
    );
  }
  if (!c.state.namespaces.some((ns) => ns.type === 'mount')) return;
  const own = mountNamespace('self');
  const foreign = procs.filter((pid) => mountNamespace(pid) === own);
  if (foreign.length > 0) {
    throw new StateError(
      id,
      'corrupt',
      `cgroup ${path} of container ${id} holds processes of the host's mount namespace (${foreign.slice(0, 5).join(', ')}): it is not the container's cgroup, refusing to signal or remove it`,
    );
  }
}
