// The front door's cgroup lock primer (csrc/frontdoor/primer.c): a child
// that has already paid the kernel's grace period for the cgroup.procs
// writes tsrun-init makes on a cgroup v1 host. Its pid comes in the
// environment, which is cleared at load so that no hook inherits it; once
// tsrun-init has joined its cgroups the primer has done its work.
import { native } from '../native/addon.ts';
import { readProcStat, type ProcStat } from '../state/proc-stat.ts';

export const PRIMER_ENV = 'TSRUN_CGROUP_PRIMER';
/** The name the front door gives it (csrc/frontdoor/primer.c PRIMER_NAME). */
const PRIMER_NAME = 'tsrun:[primer]';

let primer = takePrimer(process.env);
let killed: number | undefined;
// Whatever ends this process collects the primer, so that no zombie of it
// is left to whoever reaps orphans (pid 1, an engine's shim or conmon):
// killed long before on success, so not waited for; still alive on a
// failure before spawnInit, so killed and waited for (a millisecond).
if (primer !== undefined)
  process.once('exit', () => {
    const alive = primer !== undefined;
    stopPrimer();
    reapPrimer(alive);
  });

/** The primer's pid from `env`, which loses the entry. */
export function takePrimer(env: NodeJS.ProcessEnv): number | undefined {
  const text = env[PRIMER_ENV];
  delete env[PRIMER_ENV];
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether a process's /proc stat names the primer, a child of `parent`. */
export function isPrimer(stat: ProcStat | undefined, parent: number): boolean {
  return stat?.comm === PRIMER_NAME && stat.ppid === parent;
}

/** Kill the primer, if there is one. Only a child of this process named as
 * the front door names it is touched: the variable could also come from a
 * caller's environment. Not waited for here (its exit takes up to a
 * millisecond): reapPrimer collects it, before a hook or a long wait, or
 * at exit. */
export function stopPrimer(): void {
  if (primer === undefined) return;
  const pid = primer;
  primer = undefined;
  if (!isPrimer(readProcStat(pid), process.pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
    killed = pid;
  } catch {
    // Gone already: nothing to stop.
  }
}

/**
 * Collect the primer stopPrimer killed. `wait`: block until it is dead
 * (before a hook, or a wait that outlives it); without (at exit, when it
 * has long died), one still dying is left as it is, and the call costs
 * nothing.
 */
export function reapPrimer(wait = true): void {
  if (killed === undefined) return;
  const pid = killed;
  try {
    if (wait) native().waitPid(pid);
    else if (native().waitPidNoHang(pid) === -1) return;
  } catch {
    // Reaped already.
  }
  killed = undefined;
}
