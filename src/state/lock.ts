// A per-container lock: flock(2) on the container directory, held by
// create until state.json exists, and by start, kill and delete, each of
// which reads the state only once it holds the lock (so a delete racing a
// start sees the container either created or running, never in between).
import { closeSync, constants, openSync } from 'node:fs';
import { StateError } from '../errors.ts';
import { native } from '../native/addon.ts';
import { checkContainerId } from '../spec/container-id.ts';
import { containerDir } from './paths.ts';

export function lockContainerDir(dir: string): () => void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    native().flock(fd, true, true);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return () => closeSync(fd);
}

/** Locks container `id` under `root`; a missing container is a StateError ("does not exist"). */
export function lockContainer(root: string, id: string): () => void {
  const problem = checkContainerId(id);
  if (problem) throw new StateError(id, 'invalid-id', `invalid container id ${JSON.stringify(id)}: ${problem}`);
  try {
    return lockContainerDir(containerDir(root, id));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StateError(id, 'not-found', `container ${id} does not exist`);
    throw err;
  }
}
