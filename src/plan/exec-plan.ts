// planExec: a LaunchPlan for a process joining a running container. No
// rootfs record: tsrun-init then only joins, drops privileges and execs.
import type { LinuxNamespace, Process } from '../spec/types.ts';
import type { LaunchPlan, PlannedSeccomp } from './launch-plan.ts';
import { NAMESPACE_FLAGS, NAMESPACE_PROC_NAMES } from '../kernel/namespaces.ts';
import { planLsm, type LsmHost } from './lsm.ts';
import { planIdentity } from './process.ts';
import { planProcessAttrs } from './process-attrs.ts';

export function planExec(
  process: Process,
  namespaces: readonly LinuxNamespace[],
  pid: number,
  preserveFds: number,
  seccomp?: PlannedSeccomp,
  lsmHost: LsmHost = { apparmorAttrDir: true },
): LaunchPlan {
  return {
    // Every namespace of the container, through its init's /proc entry.
    namespaces: [
      ...namespaces.map((ns) => ({
        flag: NAMESPACE_FLAGS[ns.type] ?? 0,
        joinPath: `/proc/${pid}/ns/${NAMESPACE_PROC_NAMES[ns.type]}`,
      })),
      // No mount namespace to join: the container lives in a chroot of the
      // runtime's one. Enter the same root (flag 0: a directory, not a namespace).
      ...(namespaces.some((ns) => ns.type === 'mount') ? [] : [{ flag: 0, joinPath: `/proc/${pid}/root` }]),
    ],
    timeOffsets: [],
    uidMappings: '',
    gidMappings: '',
    mounts: [],
    devices: [],
    symlinks: [],
    maskedPaths: [],
    readonlyPaths: [],
    sysctl: [],
    ...planIdentity(process),
    process: {
      noNewPrivileges: process.noNewPrivileges ?? false,
      terminal: process.terminal ?? false,
      newKeyring: false,
      ...(process.consoleSize ? { consoleSize: process.consoleSize } : {}),
      preserveFds,
    },
    args: process.args ?? [],
    env: process.env ?? [],
    cwd: process.cwd,
    hooks: [],
    ...(seccomp ? { seccomp } : {}),
    ...planProcessAttrs(process),
    ...planLsm(process, lsmHost),
  };
}
