// The host's mount table, /proc/self/mountinfo (proc(5)), parsed once per
// reading, and the questions create asks of it about the rootfs. The cgroup
// hierarchies found in it are cgroup-layout.ts's.

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
 * The mount holding `path` (the last, i.e. top, of the longest matching
 * mount points) and whether it is shared: the rootfs's parent mount, whose
 * propagation decides the rootfs's default (plan.ts).
 */
export function mountHolding(path: string, mountinfo: string): { mountPoint: string; shared: boolean } {
  let best = { mountPoint: '/', shared: false };
  for (const m of parseMountinfo(mountinfo)) {
    const mp = m.mountPoint;
    if ((path === mp || path.startsWith(mp.endsWith('/') ? mp : `${mp}/`)) && mp.length >= best.mountPoint.length) {
      best = { mountPoint: mp, shared: m.optional.some((o) => o.startsWith('shared:')) };
    }
  }
  return best;
}
