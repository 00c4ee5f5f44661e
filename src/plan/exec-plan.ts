// planExec: a LaunchPlan for a process joining a running container. No
// rootfs record: tsrun-init then only joins, drops privileges and execs.
import type { LinuxNamespace, Process } from '../spec/types.ts';
import { capabilityMask } from './capabilities.ts';
import type { LaunchPlan } from './launch-plan.ts';
import { NAMESPACE_FLAGS, NAMESPACE_PROC_NAMES } from './namespaces.ts';
import { RLIMITS } from './rlimits.ts';

const DEFAULT_UMASK = 0o022;

export function planExec(process: Process, namespaces: readonly LinuxNamespace[], pid: number, preserveFds: number): LaunchPlan {
  const caps = process.capabilities ?? {};
  return {
    // Every namespace of the container, through its init's /proc entry.
    namespaces: namespaces.map((ns) => ({
      flag: NAMESPACE_FLAGS[ns.type] ?? 0,
      joinPath: `/proc/${pid}/ns/${NAMESPACE_PROC_NAMES[ns.type]}`,
    })),
    timeOffsets: [],
    uidMappings: '',
    gidMappings: '',
    mounts: [],
    devices: [],
    symlinks: [],
    maskedPaths: [],
    readonlyPaths: [],
    sysctl: [],
    rlimits: (process.rlimits ?? []).map((r) => ({
      resource: RLIMITS[r.type] ?? -1,
      soft: BigInt(Math.min(r.soft, Number.MAX_SAFE_INTEGER)),
      hard: BigInt(Math.min(r.hard, Number.MAX_SAFE_INTEGER)),
    })),
    capabilities: {
      bounding: capabilityMask(caps.bounding ?? []),
      effective: capabilityMask(caps.effective ?? []),
      inheritable: capabilityMask(caps.inheritable ?? []),
      permitted: capabilityMask(caps.permitted ?? []),
      ambient: capabilityMask(caps.ambient ?? []),
    },
    user: {
      uid: process.user.uid,
      gid: process.user.gid,
      umask: process.user.umask ?? DEFAULT_UMASK,
      additionalGids: process.user.additionalGids ?? [],
    },
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
  };
}
