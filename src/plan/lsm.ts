// LSM labels → what tsrun-init writes to /proc/thread-self/attr/<file>
// just before execve, and the SELinux context= option of mounts. Whether
// the LSM is enabled is a host fact (src/host/lsm.ts; spec/lsm-checks.ts checks it first).
import type { HostLsm } from '../host/lsm.ts';
import type { Process } from '../spec/types.ts';
import type { LaunchPlan } from './launch-plan.ts';

/** The host fact the plan needs (host/lsm.ts reads it). */
export type LsmHost = Pick<HostLsm, 'apparmorAttrDir'>;

/**
 * AppArmor takes "exec <profile>" (the change_onexec request of
 * libapparmor); SELinux takes the bare context. A process may carry one
 * of the two: only one major LSM is active at a time on these kernels.
 */
export function planLsm(process: Process, host: LsmHost): Pick<LaunchPlan, 'lsm'> {
  if (process.apparmorProfile) {
    const file = host.apparmorAttrDir ? 'apparmor/exec' : 'exec';
    return { lsm: { kind: 'apparmor', file, value: `exec ${process.apparmorProfile}` } };
  }
  if (process.selinuxLabel) return { lsm: { kind: 'selinux', file: 'exec', value: process.selinuxLabel } };
  return {};
}

// Filesystems that take no context= option: proc and sysfs have fixed
// labels, and a bind mount keeps its source's (runc's list).
const UNLABELED_TYPES = new Set(['proc', 'sysfs', 'cgroup', 'cgroup2', 'bind']);

/** linux.mountLabel as mount(2) data: context="<label>" added to a labelable mount. */
export function labelMountData(data: string, fstype: string, bind: boolean, mountLabel: string | undefined): string {
  if (!mountLabel || bind || UNLABELED_TYPES.has(fstype)) return data;
  const context = `context="${mountLabel}"`;
  return data ? `${data},${context}` : context;
}
