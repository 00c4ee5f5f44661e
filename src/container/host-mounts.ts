// A container without a mount namespace of its own (config-linux.md: it
// inherits the runtime's) gets its rootfs bind and every mount under it in
// the host's mount table. These are that bind's bookkeeping: which mounts
// sat at the rootfs path before create, and detaching the ones create
// added, which takes everything mounted under them along (MNT_DETACH).
import { readFileSync } from 'node:fs';
import { parseMountinfo } from '../host/mountinfo.ts';
import { native } from '../native/addon.ts';

const MNT_DETACH = 2;
/** More stacked binds than this at one path are not tsrun's. */
const MAX_DETACH = 16;

/** Mount ids mounted at exactly `path`, bottom first (each stacked on the one before). */
export function mountIdsAt(path: string, mountinfo: string): number[] {
  const here = parseMountinfo(mountinfo).filter((m) => m.mountPoint === path);
  const ids = new Set(here.map((m) => m.mountId));
  const out: number[] = [];
  // The bottom one's parent is elsewhere; each next one's parent is the previous.
  let next = here.find((m) => !ids.has(m.parentId));
  while (next && out.length < here.length) {
    out.push(next.mountId);
    const below = next.mountId;
    next = here.find((m) => m.parentId === below);
  }
  return out;
}

/**
 * Detaches, top down, the mounts at `path` that were not there before
 * create (`keep`). A mount someone else stacked on ours later is detached
 * with it: it would be unreachable once ours goes.
 */
export function detachHostMounts(path: string, keep: readonly number[]): void {
  for (let i = 0; i < MAX_DETACH; i++) {
    const ids = mountIdsAt(path, readFileSync('/proc/self/mountinfo', 'utf8'));
    const top = ids.at(-1);
    if (top === undefined || keep.includes(top)) return;
    native().unmount(path, MNT_DETACH);
  }
}
