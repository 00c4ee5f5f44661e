// The LaunchPlan: what tsrun-init will do, decided here, field for field
// with the records of csrc/include/plan.h (encode.ts writes them).
import type { PlannedIdmap } from './idmap.ts';

export interface PlannedNamespace {
  /** CLONE_NEW* flag. */
  flag: number;
  /** Host path of a namespace to join; undefined = create a new one. */
  joinPath?: string;
}

export interface PlannedMount {
  /** The config entry it stands for ("/mounts/N"), for errors; not sent to the init. */
  pointer: string;
  source: string;
  destination: string;
  fstype: string;
  data: string;
  /** MS_* flags for mount(2) (for binds: MS_BIND, MS_REC, then the remount flags). */
  flags: number;
  /** MS_SHARED/SLAVE/PRIVATE/UNBINDABLE, optionally | MS_REC, applied after mounting. */
  propagation: number;
  bind: boolean;
  /** MOUNT_ATTR_* applied recursively with mount_setattr after mounting (runc's r* options). */
  attrSet: number;
  attrClear: number;
  /** MOUNT_EXT_* (tmpcopyup). */
  extensions: number;
  /** Host directory to bind (with the same flags) where the kernel refuses this filesystem. */
  fallbackBind?: string;
  /** An id-mapped bind: the parent makes the tree, tsrun-init moves it into place. */
  idmap?: PlannedIdmap;
}

export interface PlannedDevice {
  path: string;
  /** S_IFCHR, S_IFBLK or S_IFIFO. */
  type: number;
  major: number;
  minor: number;
  mode: number;
  uid: number;
  gid: number;
  /** Bind the host's node instead of mknod (inside a new user namespace). */
  bind: boolean;
  hostPath: string;
}

export interface PlannedHook {
  kind: 'createContainer' | 'startContainer';
  path: string;
  args: string[];
  env: string[];
  timeout: number;
}

export interface Capabilities {
  bounding: bigint;
  effective: bigint;
  inheritable: bigint;
  permitted: bigint;
  ambient: bigint;
}

export interface LaunchPlan {
  namespaces: PlannedNamespace[];
  timeOffsets: { clock: number; secs: bigint; nanosecs: number }[];
  /** A new user namespace whose maps the parent writes. */
  uidMappings: string;
  gidMappings: string;
  hostname?: string;
  domainname?: string;
  /** Absent for exec: the process joins a running container's namespaces. */
  rootfs?: {
    path: string;
    /** Mount point holding the rootfs, made private so pivot_root works ("" = none). */
    parentMount: string;
    readonly: boolean;
    noPivot: boolean;
    /** No mount namespace of its own: chroot, leave the host's propagation alone. */
    hostMountNs: boolean;
    /** MS_* given to "/" before the rootfs is bound (0 = leave it: the host's own namespace). */
    hostPropagation: number;
    /** MS_* given to the container's "/" after pivot_root (0 = leave it). */
    rootPropagation: number;
  };
  mounts: PlannedMount[];
  devices: PlannedDevice[];
  symlinks: { target: string; path: string }[];
  maskedPaths: string[];
  readonlyPaths: string[];
  sysctl: { path: string; value: string }[];
  rlimits: { resource: number; soft: bigint; hard: bigint }[];
  capabilities: Capabilities;
  user: { uid: number; gid: number; umask: number; additionalGids: number[] };
  process: {
    noNewPrivileges: boolean;
    terminal: boolean;
    oomScoreAdj?: number;
    newKeyring: boolean;
    /** Session keyring name ("" = anonymous) and permission bits added to it. */
    keyringName?: string;
    keyringPerm?: number;
    consoleSize?: { height: number; width: number };
    preserveFds: number;
  };
  args: string[];
  env: string[];
  cwd: string;
  hooks: PlannedHook[];
  /** personality(2) persona: domain | flags. */
  personality?: number;
  seccomp?: PlannedSeccomp;
  /** ioprio_set(IOPRIO_WHO_PROCESS, 0, value). */
  ioPriority?: number;
  scheduler?: PlannedScheduler;
  /** sched_setaffinity masks as 64-bit words. */
  cpuAffinity?: { initial?: bigint[]; final?: bigint[] };
  /** What to write to /proc/thread-self/attr/<file> before execve. */
  lsm?: { kind: 'apparmor' | 'selinux'; file: string; value: string };
}

export interface PlannedScheduler {
  policy: number;
  nice: number;
  priority: number;
  flags: bigint;
  runtime: bigint;
  deadline: bigint;
  period: bigint;
}

export interface PlannedSeccomp {
  /** SECCOMP_FILTER_FLAG_* for seccomp(2). */
  flags: number;
  /** The BPF program: struct sock_filter[], 8 bytes each, compiled by libseccomp. */
  program: Buffer;
  /** The init gets a socket connected to linux.seccomp.listenerPath for the notify fd. */
  listener: boolean;
}
