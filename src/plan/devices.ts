// The device nodes and /dev symlinks every container gets (runtime-spec
// config-linux.md "Default Devices"), plus the configured linux.devices.
import type { PlannedDevice } from './launch-plan.ts';

export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;

const DEVICE_TYPES: Record<string, number> = { c: S_IFCHR, u: S_IFCHR, b: S_IFBLK, p: S_IFIFO };

const DEFAULT_DEVICES: [path: string, major: number, minor: number][] = [
  ['/dev/null', 1, 3],
  ['/dev/zero', 1, 5],
  ['/dev/full', 1, 7],
  ['/dev/random', 1, 8],
  ['/dev/urandom', 1, 9],
  ['/dev/tty', 5, 0],
];

export const DEFAULT_SYMLINKS = [
  { target: '/proc/self/fd', path: '/dev/fd' },
  { target: '/proc/self/fd/0', path: '/dev/stdin' },
  { target: '/proc/self/fd/1', path: '/dev/stdout' },
  { target: '/proc/self/fd/2', path: '/dev/stderr' },
  { target: '/proc/kcore', path: '/dev/core' },
  { target: 'pts/ptmx', path: '/dev/ptmx' },
];

export interface ConfiguredDevice {
  path: string;
  type: string;
  major?: number;
  minor?: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

/** Default devices first, then configured ones; a configured path replaces a default. */
export function planDevices(configured: readonly ConfiguredDevice[], bind: boolean): PlannedDevice[] {
  const byPath = new Map<string, PlannedDevice>();
  for (const [path, major, minor] of DEFAULT_DEVICES) {
    byPath.set(path, { path, type: S_IFCHR, major, minor, mode: 0o666, uid: 0, gid: 0, bind, hostPath: path });
  }
  for (const d of configured) {
    byPath.set(d.path, {
      path: d.path,
      type: DEVICE_TYPES[d.type] ?? S_IFCHR,
      major: d.major ?? 0,
      minor: d.minor ?? 0,
      mode: (d.fileMode ?? 0o666) & 0o7777,
      uid: d.uid ?? 0,
      gid: d.gid ?? 0,
      bind,
      hostPath: d.path,
    });
  }
  return [...byPath.values()];
}
