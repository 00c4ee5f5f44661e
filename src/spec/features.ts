// The features document of `tsrun features` (runtime-spec features.md and
// features-linux.md, v1.2). It states what this build of tsrun recognizes,
// made from tsrun's own tables; the seccomp part comes from libseccomp and
// the running kernel (src/launch/seccomp-program.ts asks them).
import pkg from '../../package.json' with { type: 'json' };
import { CAPABILITY_NAMES } from '../plan/capabilities.ts';
import { release } from 'node:os';
import { EXTENSION_OPTIONS, MOUNT_OPTIONS, PROPAGATION_OPTIONS, RECURSIVE_OPTIONS } from '../plan/mount-options.ts';
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

export function featuresDocument(seccomp: SeccompFeatures, kernelRelease: string = release()): Features {
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: SPEC_VERSION,
    hooks: ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'],
    // Every name the mount-option tables turn into flags, propagation,
    // recursive attributes (only where the kernel has mount_setattr) or
    // extensions; anything else goes to mount(2) as filesystem data
    // (features.md: those SHOULD NOT be listed).
    mountOptions: [
      ...Object.keys(MOUNT_OPTIONS),
      ...Object.keys(PROPAGATION_OPTIONS),
      ...(kernelHasMountSetattr(kernelRelease) ? Object.keys(RECURSIVE_OPTIONS) : []),
      ...Object.keys(EXTENSION_OPTIONS),
    ].sort(),
    linux: {
      namespaces: Object.keys(NAMESPACE_FLAGS).sort(),
      capabilities: [...CAPABILITY_NAMES],
      // Limits are not enforced yet (semantic-checks.ts refuses them); the
      // cgroup tsrun creates and its device filter are cgroup v2 only.
      cgroup: { v1: false, v2: true, systemd: false, systemdUser: false, rdma: false },
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
