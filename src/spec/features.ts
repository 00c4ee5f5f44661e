// The features document of `tsrun features` (runtime-spec features.md and
// features-linux.md, v1.2). It states what this build of tsrun recognizes,
// made from tsrun's own tables, and for the LSMs and id-mapped mounts what
// the host offers too (engines decide from them: containerd enables
// user-namespaced pods on mountExtensions.idmap); the seccomp part comes
// from libseccomp and the running kernel (src/launch/seccomp-program.ts asks
// them), and linux.cgroup says what this host has (from /proc/self/mountinfo).
import { readFileSync } from 'node:fs';
import { findCgroupLayout, type CgroupLayout } from '../host/cgroup-layout.ts';
import { V1_CONTROLLERS } from '../cgroup/v1-manager.ts';
import { CAPABILITY_NAMES } from '../kernel/capabilities.ts';
import { release } from 'node:os';
import { EXTENSION_OPTIONS, IDMAP_OPTIONS, MOUNT_OPTIONS, PROPAGATION_OPTIONS, RECURSIVE_OPTIONS } from '../kernel/mount-flags.ts';
import { NAMESPACE_FLAGS } from '../kernel/namespaces.ts';
import { SPEC_VERSION, VERSION } from '../version.ts';

export interface Features {
  ociVersionMin: string;
  ociVersionMax: string;
  hooks: string[];
  mountOptions: string[];
  linux: {
    namespaces: string[];
    capabilities: string[];
    cgroup: { v1: boolean; v2: boolean; systemd: boolean; systemdUser: boolean; rdma: boolean };
    seccomp: SeccompFeatures;
    apparmor: { enabled: boolean };
    selinux: { enabled: boolean };
    intelRdt: { enabled: boolean };
    mountExtensions: { idmap: { enabled: boolean } };
    netDevices: { enabled: boolean };
  };
  annotations: Record<string, string>;
  potentiallyUnsafeConfigAnnotations: string[];
}

/** mount_setattr(2), which the recursive r* options need, is Linux 5.12+. */
export function kernelHasMountSetattr(kernelRelease: string = release()): boolean {
  const [major = 0, minor = 0] = kernelRelease.split('.').map((n) => parseInt(n, 10));
  return major > 5 || (major === 5 && minor >= 12);
}

/** features-linux.md "seccomp". */
export interface SeccompFeatures {
  enabled: boolean;
  actions: string[];
  operators: string[];
  archs: string[];
  knownFlags: string[];
  supportedFlags: string[];
}

/** cgroup support as this host has it: v1 controllers, cgroup2, and rdma in either. */
export function hostCgroupFeatures(layout: CgroupLayout): Features['linux']['cgroup'] {
  const v2Controllers = layout.v2 === undefined ? [] : readWords(`${layout.v2}/cgroup.controllers`);
  return {
    v1: Object.keys(layout.v1).some((c) => V1_CONTROLLERS.has(c)),
    v2: layout.v2 !== undefined,
    // No systemd driver: cgroupsPath "slice:prefix:name" is refused.
    systemd: false,
    systemdUser: false,
    rdma: layout.v1.rdma !== undefined || v2Controllers.includes('rdma'),
  };
}

function readWords(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').trim().split(/\s+/);
  } catch {
    return [];
  }
}

/** What the host offers, read by `tsrun features` (src/cli/commands/features.ts). */
export interface HostFeatures {
  apparmor: boolean;
  selinux: boolean;
  /** An id-mapped bind mount could be made here just now. */
  idmap: boolean;
}

const NO_HOST: HostFeatures = { apparmor: false, selinux: false, idmap: false };

export function featuresDocument(
  seccomp: SeccompFeatures,
  host: HostFeatures = NO_HOST,
  layout: CgroupLayout = findCgroupLayout(),
  kernelRelease: string = release(),
): Features {
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: SPEC_VERSION,
    hooks: ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'],
    // Every name the mount-option tables turn into flags, propagation,
    // recursive attributes (only where the kernel has mount_setattr),
    // extensions or id mappings; anything else goes to mount(2) as
    // filesystem data (features.md: those SHOULD NOT be listed).
    mountOptions: [
      ...Object.keys(MOUNT_OPTIONS),
      ...Object.keys(PROPAGATION_OPTIONS),
      ...(kernelHasMountSetattr(kernelRelease) ? Object.keys(RECURSIVE_OPTIONS) : []),
      ...Object.keys(EXTENSION_OPTIONS),
      ...IDMAP_OPTIONS,
    ].sort(),
    linux: {
      namespaces: Object.keys(NAMESPACE_FLAGS).sort(),
      capabilities: [...CAPABILITY_NAMES],
      cgroup: hostCgroupFeatures(layout),
      seccomp,
      apparmor: { enabled: host.apparmor },
      selinux: { enabled: host.selinux },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: host.idmap } },
      netDevices: { enabled: true },
    },
    annotations: { 'io.github.tsrun.version': VERSION },
    // tsrun gives no annotation a meaning, so none can weaken a container.
    potentiallyUnsafeConfigAnnotations: [],
  };
}
