// Mount option names → mount(2) MS_* flags, propagation types,
// mount_setattr(2) MOUNT_ATTR_* attributes and tsrun's EXT_* extension bits.
// Name tables only: plan/mount-options.ts turns a mount's options into flags.

export const MS = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  SYNCHRONOUS: 0x10,
  REMOUNT: 0x20,
  MANDLOCK: 0x40,
  DIRSYNC: 0x80,
  NOSYMFOLLOW: 0x100,
  NOATIME: 0x400,
  NODIRATIME: 0x800,
  BIND: 0x1000,
  MOVE: 0x2000,
  REC: 0x4000,
  SILENT: 0x8000,
  UNBINDABLE: 0x20000,
  PRIVATE: 0x40000,
  SLAVE: 0x80000,
  SHARED: 0x100000,
  RELATIME: 0x200000,
  I_VERSION: 0x800000,
  STRICTATIME: 0x1000000,
  LAZYTIME: 0x2000000,
} as const;

export interface FlagOption {
  set?: number;
  clear?: number;
}

export const MOUNT_OPTIONS: Record<string, FlagOption> = {
  defaults: {},
  ro: { set: MS.RDONLY },
  rw: { clear: MS.RDONLY },
  nosuid: { set: MS.NOSUID },
  suid: { clear: MS.NOSUID },
  nodev: { set: MS.NODEV },
  dev: { clear: MS.NODEV },
  noexec: { set: MS.NOEXEC },
  exec: { clear: MS.NOEXEC },
  sync: { set: MS.SYNCHRONOUS },
  async: { clear: MS.SYNCHRONOUS },
  dirsync: { set: MS.DIRSYNC },
  remount: { set: MS.REMOUNT },
  mand: { set: MS.MANDLOCK },
  nomand: { clear: MS.MANDLOCK },
  noatime: { set: MS.NOATIME },
  atime: { clear: MS.NOATIME },
  nodiratime: { set: MS.NODIRATIME },
  diratime: { clear: MS.NODIRATIME },
  bind: { set: MS.BIND },
  rbind: { set: MS.BIND | MS.REC },
  relatime: { set: MS.RELATIME },
  norelatime: { clear: MS.RELATIME },
  strictatime: { set: MS.STRICTATIME },
  nostrictatime: { clear: MS.STRICTATIME },
  iversion: { set: MS.I_VERSION },
  noiversion: { clear: MS.I_VERSION },
  lazytime: { set: MS.LAZYTIME },
  nolazytime: { clear: MS.LAZYTIME },
  silent: { set: MS.SILENT },
  loud: { clear: MS.SILENT },
  nosymfollow: { set: MS.NOSYMFOLLOW },
  symfollow: { clear: MS.NOSYMFOLLOW },
};

export const PROPAGATION_OPTIONS: Record<string, number> = {
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE | MS.REC,
};

// linux/mount.h MOUNT_ATTR_*: the atime values are an enum inside the
// _ATIME mask, so setting one also clears the mask (the kernel insists).
export const MOUNT_ATTR = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  ATIME_MASK: 0x70,
  RELATIME: 0x0,
  NOATIME: 0x10,
  STRICTATIME: 0x20,
  NODIRATIME: 0x80,
  IDMAP: 0x100000,
  NOSYMFOLLOW: 0x200000,
} as const;

const ATIME = (value: number): FlagOption => ({ set: value, clear: MOUNT_ATTR.ATIME_MASK });

/** runc's recursive mount options (applied with mount_setattr AT_RECURSIVE).
 * ratime/rnorelatime/rnostrictatime leave the kernel's default, relatime. */
export const RECURSIVE_OPTIONS: Record<string, FlagOption> = {
  rro: { set: MOUNT_ATTR.RDONLY },
  rrw: { clear: MOUNT_ATTR.RDONLY },
  rnosuid: { set: MOUNT_ATTR.NOSUID },
  rsuid: { clear: MOUNT_ATTR.NOSUID },
  rnodev: { set: MOUNT_ATTR.NODEV },
  rdev: { clear: MOUNT_ATTR.NODEV },
  rnoexec: { set: MOUNT_ATTR.NOEXEC },
  rexec: { clear: MOUNT_ATTR.NOEXEC },
  rnodiratime: { set: MOUNT_ATTR.NODIRATIME },
  rdiratime: { clear: MOUNT_ATTR.NODIRATIME },
  rrelatime: ATIME(MOUNT_ATTR.RELATIME),
  rnorelatime: ATIME(MOUNT_ATTR.RELATIME),
  rnoatime: ATIME(MOUNT_ATTR.NOATIME),
  ratime: ATIME(MOUNT_ATTR.RELATIME),
  rstrictatime: ATIME(MOUNT_ATTR.STRICTATIME),
  rnostrictatime: ATIME(MOUNT_ATTR.RELATIME),
  rnosymfollow: { set: MOUNT_ATTR.NOSYMFOLLOW },
  rsymfollow: { clear: MOUNT_ATTR.NOSYMFOLLOW },
};

/** Mount extensions, bits of the plan's EXT_* (csrc/include/plan.h). */
export const MOUNT_EXT = { TMPCOPYUP: 0x1 } as const;
export const EXTENSION_OPTIONS: Record<string, number> = {
  // runc and crun: fill a new tmpfs with what the image had at its destination
  tmpcopyup: MOUNT_EXT.TMPCOPYUP,
};

/** runc's id-mapped mount options (runtime-spec 1.2), planned by plan/idmap.ts. */
export const IDMAP_OPTIONS = new Set(['idmap', 'ridmap']);
