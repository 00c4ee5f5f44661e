// Which cgroup hierarchies this host mounts, from /proc/self/mountinfo: the
// v2 tree (on a unified host /sys/fs/cgroup; on a hybrid host, v1
// controllers plus a v2 tree, systemd mounts it at /sys/fs/cgroup/unified)
// and each v1 controller. Decided once at create and kept in state.json.
import { readFileSync } from 'node:fs';
import { parseMountinfo } from './mountinfo.ts';

/**
 * The mount point of the cgroup v2 hierarchy, or undefined when the host has
 * none (a pure cgroup v1 host). When several cgroup2 mounts exist (a bind
 * mount of a subtree, a container's own /sys/fs/cgroup), the first one that
 * shows the whole hierarchy (root "/") wins, else the first one.
 */
export function findCgroup2Mount(mountinfoText?: string): string | undefined {
  const text = mountinfoText ?? readFileSync('/proc/self/mountinfo', 'utf8');
  const mounts = parseMountinfo(text).filter((m) => m.fsType === 'cgroup2');
  return (mounts.find((m) => m.root === '/') ?? mounts[0])?.mountPoint;
}

/** Where the host keeps its cgroups: the v2 mount (if any) and each mounted v1 controller. */
export interface CgroupLayout {
  v2?: string;
  /** v1 controller name ("memory", "cpu", "net_cls" …) → its hierarchy's mount point. */
  v1: Record<string, string>;
}

// Named hierarchies without a controller (name=systemd) hold no limits.
const NOT_CONTROLLERS = new Set(['rw', 'ro', 'noprefix', 'clone_children', 'xattr', 'cpuset_v2_mode', 'favordynmods', 'nofavor']);

/**
 * The cgroup hierarchies mounted on this host. A v1 hierarchy may carry
 * several controllers ("cpu,cpuacct" on most distributions, separate mounts
 * on others): each controller maps to the mount that holds it; the first
 * full (root "/") mount wins, as for cgroup2.
 */
export function findCgroupLayout(mountinfoText?: string): CgroupLayout {
  const text = mountinfoText ?? readFileSync('/proc/self/mountinfo', 'utf8');
  const layout: CgroupLayout = { v1: {} };
  const v2 = findCgroup2Mount(text);
  if (v2 !== undefined) layout.v2 = v2;
  const v1 = parseMountinfo(text).filter((m) => m.fsType === 'cgroup');
  for (const m of [...v1.filter((e) => e.root === '/'), ...v1.filter((e) => e.root !== '/')]) {
    for (const opt of m.superOptions.split(',')) {
      if (opt === '' || opt.includes('=') || NOT_CONTROLLERS.has(opt)) continue;
      layout.v1[opt] ??= m.mountPoint;
    }
  }
  return layout;
}
