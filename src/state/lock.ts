// A per-container lock: flock(2) on the container directory, held by
// create until state.json exists, and by start, kill and delete.
import { closeSync, constants, openSync } from 'node:fs';
import { native } from '../native/addon.ts';

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
