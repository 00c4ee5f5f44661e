// plan(spec, options) → LaunchPlan: every decision tsrun-init needs, made
// here, without I/O. The spec has been validated (src/spec) before.
import { isAbsolute, posix, resolve } from 'node:path';
import { rootfsPath } from '../spec/rootfs.ts';
import type { Spec } from '../spec/types.ts';
import { DEFAULT_SYMLINKS, planDevices } from './devices.ts';
import type { LaunchPlan, PlannedHook, PlannedMount, PlannedSeccomp } from './launch-plan.ts';
import { IDMAP_OPTIONS, MS, PROPAGATION_OPTIONS } from '../kernel/mount-flags.ts';
import { parseMountOptions } from './mount-options.ts';
import { CLOCK_IDS, NAMESPACE_FLAGS } from '../kernel/namespaces.ts';
import { isIdmapped } from '../spec/idmapped-mount.ts';
import { planIdmap } from './idmap.ts';
import { labelMountData, planLsm, type LsmHost } from './lsm.ts';
import { planIdentity, sysctlPath } from './process.ts';
import { ioPriorityValue, personalityFlags, planScheduler } from './process-attrs.ts';
import { cgroupV1Mounts, type CgroupV1View } from './cgroup-v1-mount.ts';

export interface PlanOptions {
  /** Absolute bundle directory: a relative root.path is relative to it. */
  bundle: string;
  /** The host mount point that holds the rootfs (from mountinfo). */
  rootfsParentMount: string;
  /** Whether that mount is shared on the host (mountinfo "shared:N"). */
  rootfsParentShared: boolean;
  noPivot: boolean;
  noNewKeyring: boolean;
  preserveFds: number;
  /** linux.seccomp compiled to BPF (the addon does that, outside plan()). */
  seccomp?: PlannedSeccomp;
  /** Names the session keyring "_ses.<id>", as runc does (absent: an anonymous one). */
  containerId?: string;
  /** The container's cgroup v2 directory on the host: bound at a cgroup mount the kernel refuses. */
  cgroupDir?: string;
  /** Where the container's limits are cgroup v1: what its `cgroup` mount shows (cgroup-v1-mount.ts). */
  cgroupV1Views?: readonly CgroupV1View[];
  lsmHost?: LsmHost;
}

const PER_LINUX32 = 0x0008;
// linux/key.h permission bits
const KEY_USR_SEARCH = 0x00080000;
const KEY_OTH_SEARCH = 0x00000008;

function planMounts(spec: Spec, bundle: string, cgroupDir: string | undefined, v1Views: readonly CgroupV1View[]): PlannedMount[] {
  const mountLabel = spec.linux?.mountLabel;
  return (spec.mounts ?? []).flatMap((m, i): PlannedMount[] => {
    const idmapped = isIdmapped(m);
    // idmap/ridmap are tsrun's to act on, never filesystem data.
    const { flags, propagation, data, attrSet, attrClear, extensions } = parseMountOptions((m.options ?? []).filter((o) => !IDMAP_OPTIONS.has(o)));
    const bind = m.type === 'bind' || (flags & MS.BIND) !== 0;
    // runtime-spec 1.2: "cgroup" asks for the cgroup hierarchy: cgroup2
    // (as crun does on v2), or the v1 hierarchies that hold the limits.
    const fstype = m.type === 'cgroup' ? 'cgroup2' : (m.type ?? '');
    const planned: PlannedMount = {
      pointer: `/mounts/${i}`,
      source: bind ? resolveBindSource(m.source ?? '', bundle) : (m.source ?? fstype),
      destination: posix.normalize(m.destination.startsWith('/') ? m.destination : `/${m.destination}`),
      fstype,
      data: labelMountData(data.join(','), fstype, bind, mountLabel),
      flags: bind ? flags | MS.BIND : flags,
      propagation,
      bind,
      attrSet,
      attrClear,
      extensions,
      ...(fstype === 'cgroup2' && !bind && cgroupDir ? { fallbackBind: cgroupDir } : {}),
      ...(idmapped && bind ? { idmap: planIdmap(m, spec, flags) } : {}),
    };
    if (m.type !== 'cgroup' || bind || v1Views.length === 0) return [planned];
    return cgroupV1Mounts(planned, v1Views, labelMountData('mode=755', 'tmpfs', false, mountLabel));
  });
}

// config.md: bind sources are absolute or relative to the bundle.
function resolveBindSource(source: string, bundle: string): string {
  return isAbsolute(source) ? source : resolve(bundle, source);
}

function planHooks(spec: Spec): PlannedHook[] {
  const out: PlannedHook[] = [];
  for (const kind of ['createContainer', 'startContainer'] as const) {
    for (const hook of spec.hooks?.[kind] ?? []) {
      out.push({
        kind,
        path: hook.path,
        args: hook.args?.length ? hook.args : [hook.path],
        env: hook.env ?? [],
        timeout: hook.timeout ?? 0,
      });
    }
  }
  return out;
}

function idMapText(maps: readonly { containerID: number; hostID: number; size: number }[] | undefined): string {
  return (maps ?? []).map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

/**
 * pivot_root refuses a new root whose parent mount is shared; making that
 * parent private also cuts the rootfs bind off from the host's peer group,
 * so it is done only when the parent would still be shared after "/" got
 * its propagation (rslave by default): otherwise a "slave" rootfs would
 * lose its master.
 */
function parentToPrivatize(options: PlanOptions, propagation: number): string {
  if (propagation & MS.SHARED) return options.rootfsParentMount;
  const coversParent = propagation === 0 || (propagation & MS.REC) !== 0 || options.rootfsParentMount === '/';
  return !coversParent && options.rootfsParentShared ? options.rootfsParentMount : '';
}

/**
 * The propagation of the mount namespace's "/" before and after the rootfs
 * moves in. Before: linux.rootfsPropagation, or rslave by default, so the
 * container's mounts never reach the host; an unbindable "/" would refuse
 * the rootfs bind, so unbindable is only applied after pivot_root. Without
 * a mount namespace of its own "/" is the host's: left as it is.
 */
export function rootfsPropagation(configured: string | undefined, hostMountNs: boolean): { host: number; root: number } {
  const root = configured ? (PROPAGATION_OPTIONS[configured] ?? 0) : 0;
  if (hostMountNs) return { host: 0, root };
  return { host: root && !(root & MS.UNBINDABLE) ? root : MS.SLAVE | MS.REC, root };
}

export function plan(spec: Spec, options: PlanOptions): LaunchPlan {
  const linux = spec.linux ?? {};
  const process = spec.process;
  if (!process) throw new Error('plan: the spec has no process');

  const namespaces = (linux.namespaces ?? []).map((ns) => ({
    flag: NAMESPACE_FLAGS[ns.type] ?? 0,
    ...(ns.path ? { joinPath: ns.path } : {}),
  }));
  const newUserNs = (linux.namespaces ?? []).some((ns) => ns.type === 'user' && !ns.path);
  // config-linux.md: a namespace type not listed is the runtime's own.
  const hostMountNs = !(linux.namespaces ?? []).some((ns) => ns.type === 'mount');
  // In a user namespace, created or joined, mknod is refused: bind the host's nodes.
  const inUserNs = (linux.namespaces ?? []).some((ns) => ns.type === 'user');

  const timeOffsets = Object.entries(linux.timeOffsets ?? {}).map(([clock, off]) => ({
    clock: CLOCK_IDS[clock] ?? 0,
    secs: BigInt(off.secs ?? 0),
    nanosecs: off.nanosecs ?? 0,
  }));

  const propagation = rootfsPropagation(linux.rootfsPropagation, hostMountNs);
  const result: LaunchPlan = {
    namespaces,
    timeOffsets,
    uidMappings: newUserNs ? idMapText(linux.uidMappings) : '',
    gidMappings: newUserNs ? idMapText(linux.gidMappings) : '',
    rootfs: {
      path: rootfsPath(spec, options.bundle),
      // In the host's own mount namespace its mounts are left as they are.
      parentMount: hostMountNs ? '' : parentToPrivatize(options, propagation.root),
      readonly: spec.root?.readonly ?? false,
      noPivot: options.noPivot,
      hostMountNs,
      hostPropagation: propagation.host,
      rootPropagation: propagation.root,
    },
    mounts: planMounts(spec, options.bundle, options.cgroupDir, options.cgroupV1Views ?? []),
    devices: planDevices(linux.devices ?? [], inUserNs),
    symlinks: DEFAULT_SYMLINKS.map((s) => ({ ...s })),
    maskedPaths: linux.maskedPaths ?? [],
    readonlyPaths: linux.readonlyPaths ?? [],
    sysctl: Object.entries(linux.sysctl ?? {}).map(([key, value]) => ({ path: sysctlPath(key), value })),
    ...planIdentity(process),
    process: {
      noNewPrivileges: process.noNewPrivileges ?? false,
      terminal: process.terminal ?? false,
      ...(process.oomScoreAdj !== undefined ? { oomScoreAdj: process.oomScoreAdj } : {}),
      newKeyring: !options.noNewKeyring,
      keyringName: options.containerId ? `_ses.${options.containerId}` : '',
      // runc: the session keyring gets search permission for the
      // possessor's uid, or for "other" in a user namespace.
      keyringPerm: newUserNs ? KEY_OTH_SEARCH : KEY_USR_SEARCH,
      ...(process.consoleSize ? { consoleSize: process.consoleSize } : {}),
      preserveFds: options.preserveFds,
    },
    args: process.args ?? [],
    env: process.env ?? [],
    cwd: process.cwd,
    hooks: planHooks(spec),
    ...(spec.hostname !== undefined ? { hostname: spec.hostname } : {}),
    ...(spec.domainname !== undefined ? { domainname: spec.domainname } : {}),
    ...(linux.personality ? { personality: (linux.personality.domain === 'LINUX32' ? PER_LINUX32 : 0) | personalityFlags(linux.personality.flags) } : {}),
    // config.md: execCPUAffinity "is not applicable to the container's init
    // process": only exec plans carry it (exec-plan.ts).
    ...(process.ioPriority ? { ioPriority: ioPriorityValue(process.ioPriority) } : {}),
    ...(process.scheduler ? { scheduler: planScheduler(process.scheduler) } : {}),
    ...planLsm(process, options.lsmHost ?? { apparmorAttrDir: true }),
    ...(options.seccomp ? { seccomp: options.seccomp } : {}),
  };
  return result;
}
