// pause / resume: freeze or thaw every process of the container (v1
// freezer.state or v2 cgroup.freeze, by the manager create chose). As runc:
// a running or created container can be paused, only a paused one resumed.
import { StateError } from '../errors.ts';
import { loadContainer } from './container.ts';
import { ALLOWED, allows } from '../state/operations.ts';

export async function pauseContainer(root: string, id: string): Promise<void> {
  const c = loadContainer(root, id);
  if (!allows('pause', c.status)) {
    throw new StateError(id, 'wrong-status', `cannot pause container ${id}: it is ${c.status}, not running or created`, {
      status: c.status,
      wanted: ALLOWED.pause,
    });
  }
  await c.cgroup.freeze();
}

export async function resumeContainer(root: string, id: string): Promise<void> {
  const c = loadContainer(root, id);
  if (!allows('resume', c.status))
    throw new StateError(id, 'wrong-status', `cannot resume container ${id}: it is ${c.status}, not paused`, { status: c.status, wanted: ALLOWED.resume });
  await c.cgroup.thaw();
}
