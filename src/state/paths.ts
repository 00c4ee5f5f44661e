// Where a container's state lives: <root>/<id>/state.json and exec.fifo.
import { join } from 'node:path';

export const DEFAULT_ROOT = '/run/tsrun';

export function containerDir(root: string, id: string): string {
  return join(root, id);
}

export function stateFile(dir: string): string {
  return join(dir, 'state.json');
}

export function execFifo(dir: string): string {
  return join(dir, 'exec.fifo');
}

/** linux.netDevices: the container's network namespace, bound here until delete. */
export function netnsFile(dir: string): string {
  return join(dir, 'netns');
}

/**
 * Compiled seccomp programs, shared by the containers of a root. A dot
 * name: no container id starts with one, and `list` skips them.
 */
export function seccompCacheDir(root: string): string {
  return join(root, '.seccomp-cache');
}
