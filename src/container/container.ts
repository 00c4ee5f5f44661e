// A container as stored: its directory, its state and derived status.
import { managerFromRecord, type CgroupManager } from '../cgroup/manager.ts';
import { StateError } from '../errors.ts';
import { checkContainerId } from '../spec/container-id.ts';
import { containerDir } from '../state/paths.ts';
import { containerStatus, type Status } from '../state/status.ts';
import { readState, type ContainerState } from '../state/store.ts';

export interface Container {
  id: string;
  dir: string;
  state: ContainerState;
  status: Status;
  cgroup: CgroupManager;
}

export function loadContainer(root: string, id: string): Container {
  const problem = checkContainerId(id);
  if (problem) throw new StateError(id, 'invalid-id', `invalid container id ${JSON.stringify(id)}: ${problem}`);
  const dir = containerDir(root, id);
  const state = readState(root, id);
  const cgroup = managerFromRecord(state.cgroup);
  return { id, dir, state, status: containerStatus(dir, state, cgroup), cgroup };
}
