// Start tsrun-init: a sealed memfd copy of the binary, the plan in a
// sealed memfd, and the exact fd table of csrc/include/wire.h.
import { closeSync } from 'node:fs';
import { CgroupError } from '../errors.ts';
import { buildDir } from '../install-paths.ts';
import { native } from '../native/addon.ts';
import { encodePlan, initFdBase } from '../plan/encode.ts';
import { stopPrimer } from './primer.ts';
import type { LaunchPlan } from '../plan/launch-plan.ts';

export interface InitFds {
  syncChild: number;
  /** O_PATH fd of the exec fifo. */
  fifo: number;
  /** Connected --console-socket, or -1. */
  console: number;
  /** Opened namespace paths, in the plan's order of joined namespaces. */
  namespaces: number[];
  /** Socket connected to linux.seccomp.listenerPath when the plan has a listener. */
  seccompListener?: number;
  /** Detached mount trees (id-mapped binds), in the plan's order of such mounts. */
  mountTrees?: number[];
}

export interface SpawnedInit {
  pid: number;
  pidfd: number;
}

/** Where the init starts: the cgroup2 directory fd (-1: none) and the v1 cgroup.procs fds it joins first. */
export interface InitCgroup {
  v2DirFd: number;
  joinFds: number[];
  /** Names of the joinFds' files, for the error when one refuses the init. */
  joinFiles: string[];
}

export function spawnInit(plan: LaunchPlan, fds: InitFds, cgroup: InitCgroup): SpawnedInit {
  const n = native();
  const base = initFdBase(plan);
  const initFd = n.sealedCopy(`${buildDir()}/tsrun-init`);
  let planFd = -1;
  try {
    planFd = n.sealedBuffer('tsrun-plan', encodePlan(plan));
    const table = [0, 1, 2];
    for (let fd = 3; fd < base; fd++) table.push(fd);
    table.push(planFd, fds.syncChild, fds.fifo, fds.console, ...fds.namespaces);
    if (plan.seccomp?.listener) table.push(fds.seccompListener ?? -1);
    table.push(...(fds.mountTrees ?? []));
    try {
      return n.spawnInit(initFd, ['tsrun:[init]', String(base)], table, cgroup.v2DirFd, cgroup.joinFds);
    } catch (err) {
      const index = (err as { joinIndex?: number }).joinIndex;
      if (index === undefined) throw err;
      const file = cgroup.joinFiles[index] ?? `cgroup #${index}`;
      throw new CgroupError(file, `cannot move tsrun-init into ${file}`, { cause: err });
    }
  } finally {
    // tsrun-init has joined its cgroups (or failed to start): the primer's work is done.
    stopPrimer();
    closeSync(initFd);
    if (planFd >= 0) closeSync(planFd);
  }
}
