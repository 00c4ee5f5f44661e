// Find the cgroup v2 hierarchy from /proc/self/mountinfo (proc(5)). On a
// unified host it is /sys/fs/cgroup; on a hybrid host (v1 controllers plus a
// v2 tree) systemd mounts it at /sys/fs/cgroup/unified.
import { readFileSync } from 'node:fs';

/** One line of mountinfo, the fields tsrun needs. */
export interface MountinfoEntry {
  mountId: number;
  parentId: number;
  /** Root of the mount inside its filesystem ("/" unless a subtree was bind-mounted). */
  root: string;
  mountPoint: string;
  fsType: string;
  source: string;
  /** Propagation fields: "shared:N", "master:N", "propagate_from:N", "unbindable". */
  optional: string[];
  /** Per-superblock options, e.g. "rw,memory" for a cgroup v1 hierarchy. */
  superOptions: string;
}

// The kernel escapes space, tab, newline and backslash in paths as \ooo
// (fs/proc_namespace.c, mangle()); undo exactly those octal escapes.
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

// create asks several questions of one reading of mountinfo (cgroup v2,
// v1 controllers, the rootfs's parent mount, what sits at the rootfs):
// the last text's parse is kept. Callers never modify the entries.
let lastParse: { text: string; entries: MountinfoEntry[] } | undefined;

/**
 * Parse mountinfo text. Lines that do not have the documented shape
 * (six fields, optional fields, "-", fstype, source) are skipped: one odd
 * line must not hide the cgroup2 mount.
 */
export function parseMountinfo(text: string): MountinfoEntry[] {
  if (lastParse?.text === text) return lastParse.entries;
  const entries: MountinfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fields = line.split(' ');
    // The optional fields (shared:N, master:N …) vary in number; "-" ends them.
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 3) continue;
    const [mountId, parentId, , root, mountPoint] = fields;
    const fsType = fields[dash + 1];
    const source = fields[dash + 2];
    if (mountId === undefined || parentId === undefined || root === undefined || mountPoint === undefined) continue;
    if (fsType === undefined || source === undefined) continue;
    entries.push({
      mountId: Number(mountId),
      parentId: Number(parentId),
      root: unescapeOctal(root),
      mountPoint: unescapeOctal(mountPoint),
      fsType,
      source: unescapeOctal(source),
      optional: fields.slice(6, dash),
      superOptions: fields[dash + 3] ?? '',
    });
  }
  lastParse = { text, entries };
  return entries;
}

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
