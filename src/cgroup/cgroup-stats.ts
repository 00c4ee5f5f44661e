// `events` reads a container's statistics from wherever its controllers
// live: on a hybrid host each v1 hierarchy has its own directory, and the
// cgroup2 directory holds what v2 has (hugetlb here); on a unified host
// one directory holds everything. A controller is read from v1 when the
// host mounts it there, else from v2 when the cgroup2 directory lists it
// in cgroup.controllers (cpu.stat is in every v2 cgroup regardless).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CgroupError } from '../errors.ts';
import { hugePageSizeName, readStats, type ControllerSource, type ReadFile, type Stats, type StatsSources } from './stats.ts';

/** The container's cgroup directories, as CgroupManager.dirs() gives them. */
export interface StatsDirs {
  v2?: string;
  v1: Record<string, string>;
}

/** A reader of one cgroup directory: undefined for a file that does not exist. */
export function dirReader(dir: string): ReadFile {
  return (file) => {
    try {
      return readFileSync(join(dir, file), 'latin1');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw new CgroupError(join(dir, file), `cannot read ${join(dir, file)}: ${code}`, { cause: err });
    }
  };
}

function v2Controllers(dir: string): Set<string> {
  const text = dirReader(dir)('cgroup.controllers');
  return new Set((text ?? '').split(/\s+/).filter((w) => w !== ''));
}

/** Page sizes the kernel offers, as the hugetlb files name them ("2MB", "1GB"). */
function hugePageSizes(): string[] {
  try {
    return readdirSync('/sys/kernel/mm/hugepages')
      .map(hugePageSizeName)
      .filter((s): s is string => s !== undefined);
  } catch {
    return []; // a kernel without huge pages
  }
}

/** Where each controller is read from. */
export function statsSources(dirs: StatsDirs): { sources: StatsSources; v2PidsController: boolean } {
  const sources: StatsSources = {};
  const v1 = (controller: string): ControllerSource | undefined => {
    const dir = dirs.v1[controller];
    return dir === undefined ? undefined : { version: 1, dir, read: dirReader(dir) };
  };
  const available = dirs.v2 !== undefined ? v2Controllers(dirs.v2) : new Set<string>();
  const v2 = (controller: string, always = false): ControllerSource | undefined =>
    dirs.v2 !== undefined && (always || available.has(controller)) ? { version: 2, dir: dirs.v2, read: dirReader(dirs.v2) } : undefined;

  const hasV1Cpu = dirs.v1.cpu !== undefined || dirs.v1.cpuacct !== undefined;
  const entries: [keyof StatsSources, ControllerSource | undefined][] = [
    ['cpu', hasV1Cpu ? v1('cpu') : v2('cpu', true)],
    ['cpuacct', v1('cpuacct')],
    ['cpuset', v1('cpuset')],
    ['memory', v1('memory') ?? v2('memory')],
    // Without the pids controller a v2 cgroup still lists its processes.
    ['pids', v1('pids') ?? v2('pids', true)],
    ['blkio', v1('blkio')],
    ['io', dirs.v1.blkio === undefined ? v2('io') : undefined],
    ['hugetlb', v1('hugetlb') ?? v2('hugetlb')],
  ];
  for (const [name, src] of entries) if (src) sources[name] = src;
  return { sources, v2PidsController: available.has('pids') };
}

/** The container's statistics in runc's shape, read now. */
export function readCgroupStats(dirs: StatsDirs): Stats {
  const { sources, v2PidsController } = statsSources(dirs);
  return readStats(sources, { hugePageSizes: sources.hugetlb ? hugePageSizes() : [], v2PidsController });
}
