// The `cgroup` mount of a container whose limits live in cgroup v1
// (legacy and hybrid hosts): runc's layout, so that what reads its own
// limits inside (a JVM, a Go runtime, `cat memory.limit_in_bytes`) finds
// them. A tmpfs at the destination, then, for each v1 hierarchy, the
// container's own directory on the host bound at /sys/fs/cgroup/<name>:
// the container sees its cgroups and nothing of the host's tree, with or
// without a cgroup namespace (in one, the kernel shows the bind's root as
// "/"). cgroup2 there would show the hierarchy without the controllers
// that hold the limits.
import { posix } from 'node:path';
import { MS } from '../kernel/mount-flags.ts';
import type { PlannedMount } from './launch-plan.ts';

/** One directory the container sees under its cgroup mount. */
export interface CgroupV1View {
  /** Its name under the mount: the hierarchy's mount point name ("cpu,cpuacct"), or a controller of it ("cpu"). */
  name: string;
  /** The container's directory in that hierarchy, on the host. */
  dir: string;
}

/**
 * controller → host mount point and controller → the container's
 * directory (its v1 cgroups) → what the container sees. A hierarchy that
 * holds several controllers appears once under its own name and once under
 * each controller's, where runc makes symlinks: binds need no writable
 * directory afterwards, and read the same.
 */
export function cgroupV1Views(mounts: Readonly<Record<string, string>>, dirs: Readonly<Record<string, string>>): CgroupV1View[] {
  const views = new Map<string, string>();
  for (const [controller, dir] of Object.entries(dirs)) {
    const mount = mounts[controller];
    if (mount === undefined) continue;
    const hierarchy = posix.basename(mount);
    if (!views.has(hierarchy)) views.set(hierarchy, dir);
    if (controller !== hierarchy && !views.has(controller)) views.set(controller, dir);
  }
  return [...views].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, dir]) => ({ name, dir }));
}

// What a bind keeps of the cgroup mount's flags (binds take them in the
// remount that follows); the rest (sync, atime policies) are the tmpfs's.
const BIND_KEPT = MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC;

/**
 * The mounts that stand for one `cgroup` mount: the tmpfs (writable while
 * the binds make their directories in it), the binds, and a read-only
 * remount of the tmpfs last when the mount asked for `ro`. `tmpfsData`:
 * the tmpfs's mount data (its mode, and the mount label's context).
 */
export function cgroupV1Mounts(cgroup: PlannedMount, views: readonly CgroupV1View[], tmpfsData: string): PlannedMount[] {
  const base = { pointer: cgroup.pointer, propagation: 0, attrSet: 0, attrClear: 0, extensions: 0 };
  const tmpfs: PlannedMount = {
    ...base,
    source: 'tmpfs',
    destination: cgroup.destination,
    fstype: 'tmpfs',
    data: tmpfsData,
    flags: cgroup.flags & ~MS.RDONLY,
    bind: false,
    propagation: cgroup.propagation,
    attrSet: cgroup.attrSet,
    attrClear: cgroup.attrClear,
  };
  const binds = views.map((v): PlannedMount => ({
    ...base,
    source: v.dir,
    destination: posix.join(cgroup.destination, v.name),
    fstype: 'bind',
    data: '',
    flags: MS.BIND | (cgroup.flags & BIND_KEPT),
    bind: true,
  }));
  const readOnly = cgroup.flags & MS.RDONLY ? [{ ...tmpfs, ...base, flags: cgroup.flags | MS.REMOUNT }] : [];
  return [tmpfs, ...binds, ...readOnly];
}
