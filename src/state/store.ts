// state.json: written to a temp file and renamed, so a reader sees either
// the old or the new state, never half of one.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.ts';
import { StateError } from '../errors.ts';
import type { CgroupRecord } from '../cgroup/manager.ts';
import type { Hook, LinuxNamespace, LinuxResources, Process } from '../spec/types.ts';
import { containerDir, stateFile } from './paths.ts';

export interface ContainerState {
  ociVersion: string;
  id: string;
  /** The container process as the host sees it. */
  pid: number;
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations: Record<string, string>;
  /** Start time of `pid` (/proc/<pid>/stat field 22): tells it from a reused pid. */
  initStartTime: number;
  /** The cgroup manager create chose (managerFromRecord rebuilds it). */
  cgroup: CgroupRecord;
  /** Hooks that run after create, kept so start and delete can run them. */
  hooks: { poststart: Hook[]; poststop: Hook[] };
  /** What exec starts from: the config's process and namespaces at create time. */
  process: Process;
  namespaces: LinuxNamespace[];
  /** No mount namespace: the rootfs bind in the host's mount table and the mount ids that were at its path before. */
  hostMounts?: { path: string; keep: number[] };
  /** linux.netDevices moved in, and the file keeping the network namespace for their way back. */
  netDevices?: { devices: { host: string; inside: string }[]; netns: string };
  /** The compiled linux.seccomp filter, which exec applies too. */
  seccomp?: StoredSeccomp;
  /** The limits the container runs with: the config's at create, then each update's merge. */
  resources?: LinuxResources;
}

export interface StoredSeccomp {
  /** SECCOMP_FILTER_FLAG_* for seccomp(2). */
  flags: number;
  /** The BPF program, base64. */
  program: string;
  /** Only when the filter notifies (SCMP_ACT_NOTIFY). */
  listenerPath?: string;
  listenerMetadata?: string;
}

export function writeState(dir: string, state: ContainerState): void {
  writeFileAtomic(stateFile(dir), JSON.stringify(state), 0o600);
}

/** The state of one container; a missing or corrupt one is a StateError for that id only. */
export function readState(root: string, id: string): ContainerState {
  const dir = containerDir(root, id);
  let text: string;
  try {
    text = readFileSync(stateFile(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StateError(id, 'not-found', `container ${id} does not exist`);
    throw new StateError(id, 'corrupt', `read state of container ${id}`, { cause: err });
  }
  try {
    return JSON.parse(text) as ContainerState;
  } catch (err) {
    throw new StateError(id, 'corrupt', `state of container ${id} is corrupt (${stateFile(dir)})`, { cause: err });
  }
}

/** Creates <root>/<id> exclusively: of two creates of one id, exactly one wins. */
export function createContainerDir(root: string, id: string): string {
  mkdirSync(root, { recursive: true, mode: 0o711 });
  const dir = containerDir(root, id);
  try {
    mkdirSync(dir, { mode: 0o711 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new StateError(id, 'exists', `container ${id} already exists`);
    throw err;
  }
  return dir;
}

export function removeContainerDir(root: string, id: string): void {
  rmSync(containerDir(root, id), { recursive: true, force: true });
}

/** Ids of every container directory under root (an absent root has none). */
export function listIds(root: string): string[] {
  try {
    return (
      readdirSync(root, { withFileTypes: true })
        // Dot names are tsrun's own (the seccomp cache), never container ids.
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort()
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
