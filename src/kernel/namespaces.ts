// OCI namespace types → clone(2) flags.

export const NAMESPACE_FLAGS: Record<string, number> = {
  mount: 0x00020000,
  cgroup: 0x02000000,
  uts: 0x04000000,
  ipc: 0x08000000,
  user: 0x10000000,
  pid: 0x20000000,
  network: 0x40000000,
  time: 0x00000080,
};

/** The /proc/<pid>/ns/<name> file of each namespace type. */
export const NAMESPACE_PROC_NAMES: Record<string, string> = {
  mount: 'mnt',
  cgroup: 'cgroup',
  uts: 'uts',
  ipc: 'ipc',
  user: 'user',
  pid: 'pid',
  network: 'net',
  time: 'time',
};

export const CLOCK_IDS: Record<string, number> = { monotonic: 1, boottime: 7 };
