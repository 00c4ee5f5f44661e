// update: change a running container's limits live. The patch was checked
// before this runs; here it is merged into the resources the container
// runs with (state.json), written through the cgroup manager, and the
// merged resources are saved so that the next update and events see them.
import { readCgroupStats } from '../cgroup/cgroup-stats.ts';
import { messageOf, StateError, UsageError } from '../errors.ts';
import type { LinuxResources } from '../spec/types.ts';
import { lockContainerDir } from '../state/lock.ts';
import { writeState } from '../state/store.ts';
import { loadContainer, type Container } from './container.ts';
import { mergeResources, resourcesToApply, type ResourcesPatch } from './resources-patch.ts';
import { ALLOWED, allows } from '../state/operations.ts';

export function updateContainer(root: string, id: string, patch: ResourcesPatch, warn: (msg: string) => void): void {
  const probe = loadContainer(root, id);
  const unlock = lockContainerDir(probe.dir);
  try {
    // Read again under the lock: another update may have just saved.
    const c = loadContainer(root, id);
    if (!allows('update', c.status))
      throw new StateError(id, 'wrong-status', `cannot update container ${id}: it is not running`, { status: c.status, wanted: ALLOWED.update });
    const current: LinuxResources = c.state.resources ?? {};
    const merged = mergeResources(current, patch);
    checkMemoryUsage(c, merged, patch);
    try {
      for (const w of c.cgroup.apply(resourcesToApply(merged))) warn(w);
    } catch (err) {
      // Leave the limits as they were: write the previous values again.
      try {
        c.cgroup.apply(resourcesToApply(current));
      } catch (undo) {
        warn(`container ${id}: restoring the previous limits failed too: ${messageOf(undo)}`);
      }
      throw err;
    }
    writeState(c.dir, { ...c.state, resources: merged });
  } finally {
    unlock();
  }
}

/**
 * memory.checkBeforeUpdate (runtime-spec 1.2): refuse a memory or
 * memory+swap limit that is not above what the container uses now, rather
 * than let the kernel reclaim or OOM-kill to meet it.
 */
function checkMemoryUsage(c: Container, merged: LinuxResources, patch: ResourcesPatch): void {
  if (!merged.memory?.checkBeforeUpdate) return;
  const limits = [
    ['memory limit', patch.memory?.limit],
    ['memory+swap limit', patch.memory?.swap],
  ] as const;
  if (!limits.some(([, v]) => v !== undefined && v > 0)) return;
  let usage: bigint;
  try {
    usage = readCgroupStats(c.cgroup.dirs()).memory.usage.usage ?? 0n;
  } catch {
    return; // best effort, as runc: an unreadable usage does not block the update
  }
  for (const [what, value] of limits) {
    if (value !== undefined && value > 0 && BigInt(value) <= usage) {
      throw new UsageError(`${what} ${value} is not above the current usage ${usage} of container ${c.id} (memory.checkBeforeUpdate is set)`);
    }
  }
}
