// The features document of `tsrun features` (runtime-spec features.md and
// features-linux.md, v1.2). It states what this build of tsrun recognizes,
// made from tsrun's own tables; the seccomp part comes from libseccomp and
// the running kernel (src/launch/seccomp-program.ts asks them), and
// linux.cgroup says what this host mounts (the cgroup managers work with
// whatever hierarchies it has; from /proc/self/mountinfo).
import { readFileSync } from 'node:fs';
import pkg from '../../package.json' with { type: 'json' };
import { findCgroupLayout, type CgroupLayout } from '../cgroup/mountinfo.ts';
import { V1_CONTROLLERS } from '../cgroup/v1-manager.ts';
import { CAPABILITY_NAMES } from '../plan/capabilities.ts';
import { MOUNT_OPTIONS, PROPAGATION_OPTIONS } from '../plan/mount-options.ts';
import { NAMESPACE_FLAGS } from '../plan/namespaces.ts';
import { SPEC_VERSION } from './types.ts';

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

/** features-linux.md "seccomp". */
export interface SeccompFeatures {
  enabled: boolean;
  actions: string[];
  operators: string[];
  archs: string[];
  knownFlags: string[];
  supportedFlags: string[];
}

export function featuresDocument(seccomp: SeccompFeatures, layout: CgroupLayout = findCgroupLayout()): Features {
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: SPEC_VERSION,
    hooks: ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'],
    // Every name the mount-option table turns into flags or propagation;
    // anything else goes to mount(2) as filesystem data (features.md: those
    // SHOULD NOT be listed).
    mountOptions: [...Object.keys(MOUNT_OPTIONS), ...Object.keys(PROPAGATION_OPTIONS)].sort(),
    linux: {
      namespaces: Object.keys(NAMESPACE_FLAGS).sort(),
      capabilities: [...CAPABILITY_NAMES],
      cgroup: hostCgroupFeatures(layout),
      seccomp,
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: false } },
      netDevices: { enabled: false },
    },
    annotations: { 'io.github.tsrun.version': pkg.version },
    // tsrun gives no annotation a meaning, so none can weaken a container.
    potentiallyUnsafeConfigAnnotations: [],
  };
}
