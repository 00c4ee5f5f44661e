// kill: a signal to the container process, or with --all to every
// process of its cgroup.
import { StateError } from '../errors.ts';
import { assertCgroupIsContainers } from './cgroup-guard.ts';
import { loadContainer } from './container.ts';

export function killContainer(root: string, id: string, signal: number, all: boolean): void {
  const c = loadContainer(root, id);
  if (c.status === 'stopped') throw new StateError(id, `cannot kill container ${id}: it is not running`);
  assertCgroupIsContainers(c);
  if (all) {
    c.cgroup.killAll(signal);
    return;
  }
  try {
    process.kill(c.state.pid, signal);
  } catch (err) {
    throw new StateError(id, `signal ${signal} to container ${id} (pid ${c.state.pid})`, { cause: err });
  }
}
