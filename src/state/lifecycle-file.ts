// <root>/<id>/lifecycle: the lifecycle record (src/plan/lifecycle-record.ts)
// of a created container, written after state.json, the same way (temp file
// and rename). It carries state.json's inode, size and mtime: when state.json
// changes later (update, a hand edit), the front door hands the command to
// the TypeScript side, which reads state.json.
import { renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CgroupRecord } from '../cgroup/manager.ts';
import { encodeLifecycle } from '../plan/lifecycle-record.ts';
import { execFifo, stateFile } from './paths.ts';
import type { ContainerState } from './store.ts';

export function lifecycleFile(dir: string): string {
  return join(dir, 'lifecycle');
}

function cgroupDirs(cg: CgroupRecord): string[] {
  return cg.kind === 'v1' ? [...cg.dirs.map((d) => d.path), ...(cg.v2 ? [cg.v2.path] : [])] : [cg.path];
}

/**
 * `defaultCgroupParent`: the config set no cgroupsPath, so each cgroup sits
 * in tsrun's shared <hierarchy>/tsrun, removed at delete once empty.
 */
export function writeLifecycle(dir: string, state: ContainerState, defaultCgroupParent: boolean): void {
  const st = statSync(stateFile(dir), { bigint: true });
  const buf = encodeLifecycle({
    ...state,
    execFifo: execFifo(dir),
    ownMountNs: state.namespaces.some((ns) => ns.type === 'mount'),
    deleteInNode: state.hostMounts !== undefined || state.netDevices !== undefined,
    stateFile: { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs },
    sharedParents: defaultCgroupParent ? [...new Set(cgroupDirs(state.cgroup).map((d) => dirname(d)))] : [],
  });
  const file = lifecycleFile(dir);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, buf, { mode: 0o600 });
  renameSync(temp, file);
}
