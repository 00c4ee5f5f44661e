// kill: a signal to the container process, or with --all to every
// process of its cgroup (also without a pid namespace: the manager freezes,
// signals each process and thaws, or uses cgroup.kill).
import { StateError } from '../errors.ts';
import { lockContainer } from '../state/lock.ts';
import { assertCgroupIsContainers } from './cgroup-guard.ts';
import { loadContainer } from './container.ts';
import { ALLOWED, allows } from '../state/operations.ts';

const SIGKILL = 9;

export async function killContainer(root: string, id: string, signal: number, all: boolean): Promise<void> {
  // Under the lock: a delete racing this kill has either not begun or
  // removed the container, so the pid signalled is never one already reaped.
  const unlock = lockContainer(root, id);
  try {
    await killLocked(root, id, signal, all);
  } finally {
    unlock();
  }
}

async function killLocked(root: string, id: string, signal: number, all: boolean): Promise<void> {
  const c = loadContainer(root, id);
  // containerd's runc shim recognises an exited container by runc's words
  // "container not running" in the error (checkKillError) and then treats
  // the kill as done; any other text fails StopContainer/StopPodSandbox.
  if (!allows('kill', c.status))
    throw new StateError(id, 'wrong-status', `cannot kill container ${id}: container not running`, { status: c.status, wanted: ALLOWED.kill });
  assertCgroupIsContainers(c);
  if (all) {
    await c.cgroup.killAll(signal);
    return;
  }
  try {
    process.kill(c.state.pid, signal);
  } catch (err) {
    // ESRCH: it exited since its status was read; anything else means the
    // pid is not the container's process (EPERM: someone else's).
    const gone = (err as NodeJS.ErrnoException).code === 'ESRCH';
    const why = gone ? { status: 'stopped' as const, wanted: ALLOWED.kill } : {};
    throw new StateError(id, gone ? 'wrong-status' : 'corrupt', `signal ${signal} to container ${id} (pid ${c.state.pid})`, { ...why, cause: err });
  }
  // runc: a frozen task handles SIGKILL only once thawed (v1 freezer), so a
  // paused container is thawed after SIGKILL; other signals wait for resume.
  if (signal === SIGKILL && c.status === 'paused') await c.cgroup.thaw();
}
