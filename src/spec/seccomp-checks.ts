// Rules of linux.seccomp a schema cannot state, checked before anything is
// created. Names of syscalls are not checked: a name unknown on this
// architecture is skipped when the filter is compiled, as runc does, since
// profiles list syscalls of newer kernels and other architectures.
import type { SpecProblem } from '../errors.ts';
import { ACTIONS_WITH_ERRNO, SECCOMP_ACTIONS, SECCOMP_ARCHES, SECCOMP_FLAGS, SECCOMP_OPERATORS } from '../kernel/seccomp.ts';
import type { LinuxSeccomp, Spec } from './types.ts';

const BASE = '/linux/seccomp';

/** Whether any rule (or the default) hands syscalls to a listener. */
export function usesNotify(seccomp: LinuxSeccomp): boolean {
  return seccomp.defaultAction === 'SCMP_ACT_NOTIFY' || (seccomp.syscalls ?? []).some((s) => s.action === 'SCMP_ACT_NOTIFY');
}
/** The filter's return value has 16 bits of data. */
const MAX_ERRNO_RET = 0xffff;
/** seccomp_data carries six syscall arguments. */
const MAX_ARG_INDEX = 5;

function names(table: Record<string, unknown>): string {
  return Object.keys(table).sort().join(', ');
}

function unknown(kind: string, value: string, table: Record<string, unknown>, pointer: string): SpecProblem[] {
  return Object.hasOwn(table, value) ? [] : [{ pointer, reason: `unknown seccomp ${kind} ${JSON.stringify(value)}: must be one of ${names(table)}` }];
}

function errnoRetProblems(action: string, errnoRet: number | undefined, pointer: string): SpecProblem[] {
  if (errnoRet === undefined) return [];
  if (!ACTIONS_WITH_ERRNO.has(action)) {
    return [{ pointer, reason: `only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno, not ${action}: remove the field` }];
  }
  if (errnoRet > MAX_ERRNO_RET) return [{ pointer, reason: `must be at most ${MAX_ERRNO_RET} (16 bits of filter data)` }];
  return [];
}

export function seccompProblems(spec: Spec): SpecProblem[] {
  const seccomp = spec.linux?.seccomp;
  if (!seccomp) return [];
  const out: SpecProblem[] = [];
  out.push(...unknown('action', seccomp.defaultAction, SECCOMP_ACTIONS, `${BASE}/defaultAction`));
  // Every syscall, the init's own execve included, would wait for a
  // listener that only gets its fd from the init (runc refuses it too).
  if (seccomp.defaultAction === 'SCMP_ACT_NOTIFY') {
    out.push({ pointer: `${BASE}/defaultAction`, reason: 'SCMP_ACT_NOTIFY cannot be the default action: use it in syscall rules' });
  }
  out.push(...errnoRetProblems(seccomp.defaultAction, seccomp.defaultErrnoRet, `${BASE}/defaultErrnoRet`));
  (seccomp.architectures ?? []).forEach((arch, i) => out.push(...unknown('architecture', arch, SECCOMP_ARCHES, `${BASE}/architectures/${i}`)));
  (seccomp.flags ?? []).forEach((flag, i) => out.push(...unknown('flag', flag, SECCOMP_FLAGS, `${BASE}/flags/${i}`)));
  (seccomp.syscalls ?? []).forEach((rule, i) => {
    const at = `${BASE}/syscalls/${i}`;
    out.push(...unknown('action', rule.action, SECCOMP_ACTIONS, `${at}/action`));
    out.push(...errnoRetProblems(rule.action, rule.errnoRet, `${at}/errnoRet`));
    rule.names.forEach((name, j) => {
      if (name === '') out.push({ pointer: `${at}/names/${j}`, reason: 'must not be empty' });
    });
    (rule.args ?? []).forEach((arg, j) => {
      out.push(...unknown('operator', arg.op, SECCOMP_OPERATORS, `${at}/args/${j}/op`));
      if (arg.index > MAX_ARG_INDEX) out.push({ pointer: `${at}/args/${j}/index`, reason: `must be at most ${MAX_ARG_INDEX}: a syscall has six arguments` });
    });
  });
  const killable = (seccomp.flags ?? []).indexOf('SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV');
  if (killable >= 0 && !usesNotify(seccomp)) {
    out.push({
      pointer: `${BASE}/flags/${killable}`,
      reason: 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV applies to SCMP_ACT_NOTIFY only: the profile has no such rule',
    });
  }
  // config-linux.md: listenerMetadata MUST NOT be set without listenerPath.
  if (seccomp.listenerMetadata !== undefined && seccomp.listenerPath === undefined) {
    out.push({ pointer: `${BASE}/listenerMetadata`, reason: 'must not be set without listenerPath' });
  }
  if (usesNotify(seccomp)) {
    // config-linux.md: listenerPath is where the runtime sends the notify fd.
    if (!seccomp.listenerPath) {
      out.push({ pointer: BASE, reason: 'missing required property "listenerPath": SCMP_ACT_NOTIFY needs a listener to answer notifications' });
    } else if (!seccomp.listenerPath.startsWith('/')) {
      out.push({ pointer: `${BASE}/listenerPath`, reason: `must be an absolute path, not ${JSON.stringify(seccomp.listenerPath)}` });
    }
  }
  return out;
}
