// The config fields that need a Linux security module the host (host/lsm.ts)
// may not enforce. A label for an LSM the kernel does not run would be
// silently ignored by the kernel; runc and crun refuse it, and so does
// tsrun, naming the field.
import type { SpecProblem } from '../errors.ts';
import type { HostLsm } from '../host/lsm.ts';
import type { Process, Spec } from './types.ts';

function notEnabled(lsm: string, pointer: string): SpecProblem {
  return { pointer, reason: `${lsm} is not enabled on this host: remove the field or run where ${lsm} is enabled` };
}

/** LSM fields of a process (under `base`, as in processProblems) the host cannot apply. */
export function processLsmProblems(process: Process, host: HostLsm, base = '/process'): SpecProblem[] {
  const out: SpecProblem[] = [];
  if (process.apparmorProfile && !host.apparmor) out.push(notEnabled('AppArmor', `${base}/apparmorProfile`));
  if (process.selinuxLabel && !host.selinux) out.push(notEnabled('SELinux', `${base}/selinuxLabel`));
  if (process.apparmorProfile && process.selinuxLabel) {
    out.push({ pointer: `${base}/selinuxLabel`, reason: 'a process takes an AppArmor profile or an SELinux label, not both' });
  }
  return out;
}

export function specLsmProblems(spec: Spec, host: HostLsm): SpecProblem[] {
  const out = spec.process ? processLsmProblems(spec.process, host) : [];
  if (spec.linux?.mountLabel && !host.selinux) out.push(notEnabled('SELinux', '/linux/mountLabel'));
  return out;
}
