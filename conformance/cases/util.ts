// Reading the probe's raw facts: mountinfo lines and capability masks.

export interface MountLine {
  id: number;
  parent: number;
  root: string;
  mountPoint: string;
  opts: string[];
  optional: string[];
  fstype: string;
  source: string;
  superOpts: string[];
}

export function parseMountinfo(lines: string[]): MountLine[] {
  const out: MountLine[] = [];
  for (const l of lines) {
    const [pre, post] = l.split(' - ');
    if (!pre || !post) continue;
    const f = pre.split(' ');
    const [fstype, source, superOpts] = post.split(' ');
    out.push({
      id: Number(f[0]),
      parent: Number(f[1]),
      root: f[3] ?? '',
      mountPoint: (f[4] ?? '').replace(/\\040/g, ' '),
      opts: (f[5] ?? '').split(','),
      optional: f.slice(6),
      fstype: fstype ?? '',
      source: source ?? '',
      superOpts: (superOpts ?? '').split(','),
    });
  }
  return out;
}

/** The topmost mount at a mount point, from the probe's `mounts` section. */
export function mountOf(probe: Record<string, any>, mountPoint: string): MountLine | undefined {
  const all = parseMountinfo((probe.mountinfo ?? []) as string[]);
  return all.filter((m) => m.mountPoint === mountPoint).pop();
}

const CAP_NUMBERS: Record<string, number> = {
  CAP_CHOWN: 0,
  CAP_DAC_OVERRIDE: 1,
  CAP_DAC_READ_SEARCH: 2,
  CAP_FOWNER: 3,
  CAP_FSETID: 4,
  CAP_KILL: 5,
  CAP_SETGID: 6,
  CAP_SETUID: 7,
  CAP_SETPCAP: 8,
  CAP_LINUX_IMMUTABLE: 9,
  CAP_NET_BIND_SERVICE: 10,
  CAP_NET_BROADCAST: 11,
  CAP_NET_ADMIN: 12,
  CAP_NET_RAW: 13,
  CAP_IPC_LOCK: 14,
  CAP_IPC_OWNER: 15,
  CAP_SYS_MODULE: 16,
  CAP_SYS_RAWIO: 17,
  CAP_SYS_CHROOT: 18,
  CAP_SYS_PTRACE: 19,
  CAP_SYS_PACCT: 20,
  CAP_SYS_ADMIN: 21,
  CAP_SYS_BOOT: 22,
  CAP_SYS_NICE: 23,
  CAP_SYS_RESOURCE: 24,
  CAP_SYS_TIME: 25,
  CAP_SYS_TTY_CONFIG: 26,
  CAP_MKNOD: 27,
  CAP_LEASE: 28,
  CAP_AUDIT_WRITE: 29,
  CAP_AUDIT_CONTROL: 30,
  CAP_SETFCAP: 31,
  CAP_MAC_OVERRIDE: 32,
  CAP_MAC_ADMIN: 33,
  CAP_SYSLOG: 34,
  CAP_WAKE_ALARM: 35,
  CAP_BLOCK_SUSPEND: 36,
  CAP_AUDIT_READ: 37,
  CAP_PERFMON: 38,
  CAP_BPF: 39,
  CAP_CHECKPOINT_RESTORE: 40,
};

/** The 16-digit hex mask /proc/self/status prints for a list of names. */
export function capBits(names: string[]): string {
  let v = 0n;
  for (const n of names) {
    const bit = CAP_NUMBERS[n];
    if (bit === undefined) throw new Error(`unknown capability ${n}`);
    v |= 1n << BigInt(bit);
  }
  return v.toString(16).padStart(16, '0');
}
