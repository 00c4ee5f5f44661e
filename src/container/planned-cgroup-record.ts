// The cgroup record create writes into its provisional state, before
// cgroup.create() runs: each directory's `created` lists the directories
// that do not exist yet (the cgroup itself and missing parents), i.e. what
// create() is about to make. If tsrun is killed in the middle of create,
// `delete --force` removes those, and only those (a missing one is skipped,
// a shared parent still in use stays: see CgroupDir.remove).
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CgroupDirRecord } from '../cgroup/cgroup-dir.ts';
import type { CgroupRecord } from '../cgroup/manager.ts';

function missingDirs(path: string): string[] {
  const missing: string[] = [];
  for (let dir = path; dirname(dir) !== dir && !statSync(dir, { throwIfNoEntry: false })?.isDirectory(); dir = dirname(dir)) {
    missing.push(dir);
  }
  return missing.reverse();
}

function planned(rec: CgroupDirRecord): CgroupDirRecord {
  return { ...rec, created: missingDirs(rec.path) };
}

export function plannedCgroupRecord(rec: CgroupRecord): CgroupRecord {
  if (rec.kind === 'none') return rec; // no cgroup to make (rootless)
  if (rec.kind === 'v2') return { ...rec, ...planned(rec) };
  return { ...rec, dirs: rec.dirs.map(planned), ...(rec.v2 ? { v2: planned(rec.v2) } : {}) };
}
