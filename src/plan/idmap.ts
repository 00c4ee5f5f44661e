// Id-mapped bind mounts (runtime-spec 1.2: mounts[].uidMappings,
// gidMappings and the idmap/ridmap options): which mounts, with what
// mappings, and the mount_setattr(2) attributes their detached tree gets.
import type { IdMapping, Mount, Spec } from '../spec/types.ts';
import { MOUNT_ATTR, MS } from '../kernel/mount-flags.ts';

export interface PlannedIdmap {
  /** uid_map/gid_map text of the user namespace the mount is mapped through. */
  uidMappings: string;
  gidMappings: string;
  /** rbind or ridmap: the submounts come along (open_tree AT_RECURSIVE). */
  cloneRecursive: boolean;
  /** ridmap, or rbind with the mount's own mappings and no idmap: the submounts are id-mapped too (mount_setattr AT_RECURSIVE). */
  recursive: boolean;
  /** MOUNT_ATTR_* set on the tree (IDMAP and the flags of the options). */
  attrSet: number;
  attrClear: number;
}

export function idMapText(maps: readonly IdMapping[] | undefined): string {
  return (maps ?? []).map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

/**
 * runc's reading of the spec: the mount's own mappings, else (idmap or
 * ridmap alone) the container's user namespace mappings. The kernel maps
 * a mount through a user namespace, so either way one is made with them.
 */
export function planIdmap(m: Mount, spec: Spec, flags: number): PlannedIdmap {
  const options = m.options ?? [];
  const own = Boolean(m.uidMappings?.length || m.gidMappings?.length);
  const recursive = options.includes('ridmap') || (!options.includes('idmap') && options.includes('rbind'));
  const cloneRecursive = recursive || options.includes('rbind');
  let attrSet: number = MOUNT_ATTR.IDMAP;
  let attrClear = 0;
  if (flags & MS.RDONLY) attrSet |= MOUNT_ATTR.RDONLY;
  if (flags & MS.NOSUID) attrSet |= MOUNT_ATTR.NOSUID;
  if (flags & MS.NODEV) attrSet |= MOUNT_ATTR.NODEV;
  if (flags & MS.NOEXEC) attrSet |= MOUNT_ATTR.NOEXEC;
  if (flags & MS.NODIRATIME) attrSet |= MOUNT_ATTR.NODIRATIME;
  if (flags & (MS.NOATIME | MS.STRICTATIME)) {
    attrClear |= MOUNT_ATTR.ATIME_MASK;
    attrSet |= flags & MS.NOATIME ? MOUNT_ATTR.NOATIME : MOUNT_ATTR.STRICTATIME;
  }
  return {
    uidMappings: idMapText(own ? m.uidMappings : spec.linux?.uidMappings),
    gidMappings: idMapText(own ? m.gidMappings : spec.linux?.gidMappings),
    cloneRecursive,
    recursive,
    attrSet,
    attrClear,
  };
}
