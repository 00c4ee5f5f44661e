// delete: stop what still runs (a created container is deleted without
// --force, as runc does, because containerd relies on it), remove the
// cgroup and the state, then the poststop hooks.
import { StateError } from '../errors.ts';
import { runHooksWarning } from '../hooks/run-hooks.ts';
import { lockContainer } from '../state/lock.ts';
import { removeContainerDir } from '../state/store.ts';
import { assertCgroupIsContainers } from './cgroup-guard.ts';
import { loadContainer } from './container.ts';
import { detachHostMounts } from './host-mounts.ts';
import { moveNetDevicesBack } from './net-devices.ts';
import { ociState } from './oci-state.ts';
import { ALLOWED, allows } from '../state/operations.ts';

const SIGKILL = 9;

export async function deleteContainer(root: string, id: string, force: boolean, warn: (msg: string) => void): Promise<void> {
  let unlock: () => void;
  try {
    unlock = lockContainer(root, id);
  } catch (err) {
    // --force of a container that is not there: nothing to do (as runc).
    if (force && err instanceof StateError && err.reason === 'not-found') return;
    throw err;
  }
  try {
    await deleteLocked(root, id, force, warn);
  } finally {
    unlock();
  }
}

async function deleteLocked(root: string, id: string, force: boolean, warn: (msg: string) => void): Promise<void> {
  let c;
  try {
    c = loadContainer(root, id);
  } catch (err) {
    // A create killed before its first state.json leaves only its directory
    // (nothing outside it exists yet: the provisional state comes first);
    // an unreadable state.json can name nothing to clean up either.
    if (force && err instanceof StateError && (err.reason === 'not-found' || err.reason === 'corrupt')) {
      removeContainerDir(root, id);
      return;
    }
    throw err;
  }
  const op = force ? 'delete --force' : 'delete';
  if (!allows(op, c.status)) {
    throw new StateError(id, 'wrong-status', `cannot delete container ${id} that is not stopped: ${c.status} (use --force)`, {
      status: c.status,
      wanted: ALLOWED[op],
    });
  }
  assertCgroupIsContainers(c);
  // Also for a stopped container: without a pid namespace the init's
  // children (daemons it double-forked) outlive it, and the cgroup could
  // not be removed with them in it (runc kills them the same way).
  if (c.status !== 'stopped' || c.cgroup.procs().length > 0) await c.cgroup.killAll(SIGKILL);
  if (!(await c.cgroup.waitEmpty(10_000))) warn(`processes of container ${id} still alive after SIGKILL`);
  await c.cgroup.remove();
  if (c.state.netDevices) moveNetDevicesBack(c.state.netDevices.devices, c.state.netDevices.netns, warn);
  // Undo create's host mounts before the state that remembers them goes.
  if (c.state.hostMounts) detachHostMounts(c.state.hostMounts.path, c.state.hostMounts.keep);
  removeContainerDir(root, id);
  runHooksWarning('poststop', c.state.hooks.poststop, JSON.stringify(ociState(c.state, 'stopped')), warn);
}
