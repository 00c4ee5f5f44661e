// The features document of `tsrun features` (runtime-spec features.md and
// features-linux.md, v1.2). It states what this build of tsrun recognizes,
// made from tsrun's own tables, and for the LSMs and id-mapped mounts what
// the host offers too (engines decide from them: containerd enables
// user-namespaced pods on mountExtensions.idmap).
import pkg from '../../package.json' with { type: 'json' };
import { CAPABILITY_NAMES } from '../plan/capabilities.ts';
import { MOUNT_OPTIONS, PROPAGATION_OPTIONS } from '../plan/mount-options.ts';
import { IDMAP_OPTIONS } from '../plan/idmap.ts';
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
    seccomp: { enabled: boolean };
    apparmor: { enabled: boolean };
    selinux: { enabled: boolean };
    intelRdt: { enabled: boolean };
    mountExtensions: { idmap: { enabled: boolean } };
    netDevices: { enabled: boolean };
  };
  annotations: Record<string, string>;
  potentiallyUnsafeConfigAnnotations: string[];
}

/** What the host offers, read by `tsrun features` (src/cli/commands/features.ts). */
export interface HostFeatures {
  apparmor: boolean;
  selinux: boolean;
  /** An id-mapped bind mount could be made here just now. */
  idmap: boolean;
}

const NO_HOST: HostFeatures = { apparmor: false, selinux: false, idmap: false };

export function featuresDocument(host: HostFeatures = NO_HOST): Features {
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: SPEC_VERSION,
    hooks: ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'],
    // Every name the mount-option table turns into flags or propagation;
    // anything else goes to mount(2) as filesystem data (features.md: those
    // SHOULD NOT be listed).
    mountOptions: [...Object.keys(MOUNT_OPTIONS), ...Object.keys(PROPAGATION_OPTIONS), ...IDMAP_OPTIONS].sort(),
    linux: {
      namespaces: Object.keys(NAMESPACE_FLAGS).sort(),
      capabilities: [...CAPABILITY_NAMES],
      // Limits are not enforced yet (semantic-checks.ts refuses them); the
      // cgroup tsrun creates and its device filter are cgroup v2 only.
      cgroup: { v1: false, v2: true, systemd: false, systemdUser: false, rdma: false },
      seccomp: { enabled: false },
      apparmor: { enabled: host.apparmor },
      selinux: { enabled: host.selinux },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: host.idmap } },
      netDevices: { enabled: true },
    },
    annotations: { 'io.github.tsrun.version': pkg.version },
    // tsrun gives no annotation a meaning, so none can weaken a container.
    potentiallyUnsafeConfigAnnotations: [],
  };
}
