// The typed surface of tsrun_native.node. Only numbers, fds, strings and
// Buffers cross; errors are thrown shaped like Node's (code, errno, syscall).
// This is the only file that loads the addon. Every node call loads it:
// the entry maps the command's bundle through it (src/cli/code-cache.ts).
import { buildDir } from '../install-paths.ts';

export interface Native {
  /**
   * The file as a string V8 reads in place from its read-only mapping, or
   * null where this Node has no external strings or the file is not all
   * ASCII (Latin-1, as V8 takes it, differs from UTF-8 above 0x7f).
   */
  mapText(path: string): string | null;
  /** The file as an ArrayBuffer over its read-only mapping; null when missing or empty. */
  mapFile(path: string): ArrayBuffer | null;
  /** The name of `uid` in the user database (getpwuid_r), or null when it has none. */
  userName(uid: number): string | null;
  /** memfd holding a sealed copy of the file at `path` (CLOEXEC). */
  sealedCopy(path: string): number;
  /** memfd holding `data`, sealed, CLOEXEC. */
  sealedBuffer(name: string, data: Buffer): number;
  /**
   * Start `execFd` (an executable memfd) with argv, an exact fd table
   * (child fd i = parent fd fdTable[i], -1 = closed) and an empty
   * environment, inside the cgroup v2 directory `cgroupFd` (-1: stay).
   * The child first writes "0" to each of `joinFds` (cgroup v1
   * cgroup.procs files); a failure there throws with `joinIndex` set.
   * Returns the child's pid and a pidfd for it.
   */
  spawnInit(execFd: number, argv: string[], fdTable: number[], cgroupFd: number, joinFds: number[]): { pid: number; pidfd: number };
  /** SOCK_SEQPACKET socketpair, both CLOEXEC; [parentEnd, childEnd]. */
  seqpacketPair(): [number, number];
  /** recvmsg one message with optional SCM_RIGHTS fds; timeoutMs 0 = no timeout. */
  recvMessage(sock: number, maxBytes: number, timeoutMs: number): { data: Buffer; fds: number[] };
  /** sendmsg one message with SCM_RIGHTS fds. */
  sendMessage(sock: number, data: Buffer, fds: number[]): void;
  /** waitpid(pid, 0) for a child of this process; returns the raw wait status. */
  waitPid(pid: number): number;
  /** waitpid(pid, WNOHANG): the raw wait status of a child that has exited, -1 while it runs. */
  waitPidNoHang(pid: number): number;
  /** Like waitPid but on the libuv thread pool, so signal handlers keep running. */
  waitPidAsync(pid: number): Promise<number>;
  /** prctl(PR_SET_CHILD_SUBREAPER, 1). */
  setChildSubreaper(): void;
  /** execv(path, argv): replaces this process; returns only by throwing. */
  execFile(path: string, argv: string[]): never;
  pidfdSendSignal(pidfd: number, signal: number): void;
  /** flock(2); returns false when `wait` is false and the lock is held elsewhere. */
  flock(fd: number, exclusive: boolean, wait: boolean): boolean;
  /** mkfifo(path, mode) with the mode exactly as given. */
  mkfifo(path: string, mode: number): void;
  /**
   * A detached clone of the tree at `source` (open_tree OPEN_TREE_CLONE,
   * with its submounts when cloneRecursive), id-mapped (its submounts too
   * when recursive) through a new user namespace with these
   * uid_map/gid_map texts, MOUNT_ATTR_* set/cleared; a CLOEXEC fd.
   */
  idmappedTree(source: string, cloneRecursive: boolean, recursive: boolean, attrSet: number, attrClear: number, uidMap: string, gidMap: string): number;
  /** mount(source, target, MS_BIND). */
  bindMount(source: string, target: string): void;
  /** umount2(path, flags). */
  unmount(path: string, flags: number): void;
  /** A connected AF_UNIX stream socket fd (CLOEXEC). */
  connectUnix(path: string): number;
  /**
   * Load a BPF_PROG_TYPE_CGROUP_DEVICE program (raw struct bpf_insn array)
   * and attach it to the cgroup v2 directory fd. Throws with the verifier
   * log in the message on rejection.
   */
  attachDeviceFilter(cgroupFd: number, insns: Buffer): void;
  /** ioctl(fd, TIOCSWINSZ): the size of a pty (its master or slave fd). */
  setWindowSize(fd: number, rows: number, cols: number): void;
  /**
   * Compile a flattened seccomp profile (src/plan/seccomp.ts) with
   * libseccomp; returns the BPF program (struct sock_filter[]). A refused
   * rule throws with `rule` = its index.
   */
  compileSeccomp(words: Buffer, archs: string[], syscalls: string[]): Buffer;
  seccompInfo(): { version: string; apiLevel: number };
  /** libseccomp's token for an architecture name, 0 when unknown. */
  seccompArch(name: string): number;
  /** Whether the kernel knows this SECCOMP_FILTER_FLAG_*. */
  seccompFlagSupported(flag: number): boolean;
  /** Whether the kernel can return this SECCOMP_RET_* action. */
  seccompActionSupported(action: number): boolean;
}

// The entry and the command's bundle each carry a copy of this module: the
// loaded addon lives on the process, so it is loaded once.
const LOADED = Symbol.for('tsrun.native');
type WithNative = typeof globalThis & { [LOADED]?: Native };

export function native(): Native {
  const g = globalThis as WithNative;
  if (!g[LOADED]) {
    // process.dlopen, not require(): node's module resolution around it
    // costs another 0.5 ms of every call.
    const mod = { exports: {} as Native };
    process.dlopen(mod, `${buildDir()}/tsrun_native.node`);
    g[LOADED] = mod.exports;
  }
  return g[LOADED];
}
