// <root>/<id>/lifecycle: the lifecycle record (src/plan/lifecycle-record.ts)
// of a created container, written after state.json, the same way (temp file
// and rename). It carries state.json's inode, size and mtime: when state.json
// changes later (update, a hand edit), the front door hands the command to
// the TypeScript side, which reads state.json.
import { statSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.ts';
import { join } from 'node:path';
import { cgroupDirRecords, encodeLifecycle } from '../plan/lifecycle-record.ts';
import { execFifo, stateFile } from './paths.ts';
import type { ContainerState } from './store.ts';

export function lifecycleFile(dir: string): string {
  return join(dir, 'lifecycle');
}

/** A container without a cgroup (rootless) gets no record: the front door hands its commands to node. */
export function writeLifecycle(dir: string, state: ContainerState): void {
  const cgroup = state.cgroup;
  if (cgroup.kind === 'none') return;
  const st = statSync(stateFile(dir), { bigint: true });
  const buf = encodeLifecycle({
    ...state,
    cgroup,
    execFifo: execFifo(dir),
    ownMountNs: state.namespaces.some((ns) => ns.type === 'mount'),
    deleteInNode: state.hostMounts !== undefined || state.netDevices !== undefined,
    stateFile: { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs },
    // The default <hierarchy>/tsrun parents, as the cgroup records name them (CgroupDir.remove tries the same).
    sharedParents: [...new Set(cgroupDirRecords(cgroup).flatMap((d) => (d.sharedParent !== undefined ? [d.sharedParent] : [])))],
  });
  writeFileAtomic(lifecycleFile(dir), buf, 0o600);
}
