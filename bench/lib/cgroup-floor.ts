// The kernel memory of the cgroups alone: K empty cgroups in every cgroup v1
// controller hierarchy, made by mkdir with no runtime and no process. On a
// hybrid or v1 host both runc and tsrun make one per container in each such
// hierarchy (tsrun since it enforces limits there; the tsrun measured before
// issue 11 made none), so this floor tells the cgroups' share of a runtime's
// kernel memory per container from the runtime's own. Only directories the
// bench made are touched, and they are removed again, deepest first.

import { mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { memSample, settleMemory } from './density.ts';
import { round } from './stats.ts';

export interface CgroupFloor {
  k: number;
  /** the v1 hierarchies measured: one mount point each */
  hierarchies: string[];
  /** growth of unreclaimable kernel memory per set of K cgroups, KiB */
  kernel_kib_per_container: number;
}

/**
 * Mount points of the cgroup v1 hierarchies that carry a controller (not
 * name=systemd alone). `controllers`: the subsystem names of /proc/cgroups.
 */
export function v1ControllerHierarchies(mountinfo: string, controllers: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    const [fstype, , superOpts = ''] = (right ?? '').split(' ');
    const mountPoint = left?.split(' ')[4];
    if (fstype === 'cgroup' && mountPoint && superOpts.split(',').some((o) => controllers.includes(o))) out.push(mountPoint);
  }
  return out;
}

/** The first column of /proc/cgroups. */
function kernelControllers(): string[] {
  return readFileSync('/proc/cgroups', 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split('\t')[0] ?? '');
}

export async function cgroupFloor(k: number, tag: string): Promise<CgroupFloor | null> {
  const hierarchies = v1ControllerHierarchies(readFileSync('/proc/self/mountinfo', 'utf8'), kernelControllers());
  if (hierarchies.length === 0 || k <= 0) return null;
  const made: string[] = [];
  try {
    await settleMemory();
    const before = await memSample();
    for (const h of hierarchies) {
      const parent = `${h}/${tag}`;
      mkdirSync(parent);
      made.push(parent);
      for (let i = 0; i < k; i++) {
        mkdirSync(`${parent}/c${i}`);
        made.push(`${parent}/c${i}`);
      }
    }
    const after = await memSample();
    return { k, hierarchies, kernel_kib_per_container: round((after.kernel - before.kernel) / k, 0) };
  } finally {
    for (const dir of made.reverse()) rmdirSync(dir);
  }
}
