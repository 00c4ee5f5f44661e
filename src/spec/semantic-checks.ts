// Rules config.json must follow that a JSON Schema cannot state: relations
// between fields, names from kernel tables, and what tsrun does not do yet.
// Each check reads a schema-valid Spec and returns every problem it finds;
// none throws, so the user sees all of them at once.
import { posix } from 'node:path';
import type { SpecProblem } from '../errors.ts';
import { capabilityBit } from '../plan/capabilities.ts';
import { PROPAGATION_OPTIONS } from '../plan/mount-options.ts';
import { rlimitResource } from '../plan/rlimits.ts';
import type { CapabilitySet, HookName, LinuxNamespace, NamespaceType, Process, Spec } from './types.ts';

type Check = (spec: Spec) => SpecProblem[];

/** A JSON pointer (RFC 6901) from its unescaped tokens. */
export function pointer(...tokens: (string | number)[]): string {
  return tokens.map((t) => `/${String(t).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

function problem(reason: string, ...tokens: (string | number)[]): SpecProblem {
  return { pointer: pointer(...tokens), reason };
}

function notAbsolute(path: string): string | undefined {
  return path.startsWith('/') ? undefined : `must be an absolute path, not ${JSON.stringify(path)}`;
}

/** The namespace entry of a type, if the config lists one. */
function namespaceOf(spec: Spec, type: NamespaceType): LinuxNamespace | undefined {
  return spec.linux?.namespaces?.find((ns) => ns.type === type);
}

function createsNamespace(spec: Spec, type: NamespaceType): boolean {
  const ns = namespaceOf(spec, type);
  return ns !== undefined && !ns.path;
}

function sorted(names: Iterable<string>): string {
  return [...names].sort().join(', ');
}

// config.md: ociVersion is SemVer 2.0.0; the spec is compatible within a major.
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

const checkVersion: Check = (spec) => {
  const match = SEMVER.exec(spec.ociVersion);
  if (!match) return [problem(`must be a SemVer version such as "1.2.0", not ${JSON.stringify(spec.ociVersion)}`, 'ociVersion')];
  if (match[1] !== '1') {
    return [problem(`version ${spec.ociVersion} is not supported: tsrun reads runtime-spec 1.x configs`, 'ociVersion')];
  }
  return [];
};

// The spec makes root optional (a VM runtime may not need one); tsrun always
// pivots into a root filesystem.
const checkRoot: Check = (spec) => {
  if (!spec.root) return [problem('missing required property "root": tsrun needs a root filesystem')];
  if (spec.root.path === '') return [problem('must not be empty', 'root', 'path')];
  return [];
};

function capabilityProblems(process: Process, base: string[]): SpecProblem[] {
  const sets = Object.entries(process.capabilities ?? {}) as [CapabilitySet, string[]][];
  return sets.flatMap(([set, names]) =>
    names.flatMap((name, i) =>
      capabilityBit(name) === undefined ? [problem(`unknown capability ${JSON.stringify(name)}`, ...base, 'capabilities', set, i)] : [],
    ),
  );
}

function rlimitProblems(process: Process, base: string[]): SpecProblem[] {
  const out: SpecProblem[] = [];
  const first = new Map<string, number>();
  (process.rlimits ?? []).forEach((r, i) => {
    if (rlimitResource(r.type) === undefined) out.push(problem(`unknown rlimit ${JSON.stringify(r.type)}`, ...base, 'rlimits', i, 'type'));
    const seen = first.get(r.type);
    // config.md: duplicated rlimit types MUST be an error.
    if (seen !== undefined) {
      out.push(problem(`duplicate rlimit ${JSON.stringify(r.type)} (first at ${pointer(...base, 'rlimits', seen)})`, ...base, 'rlimits', i, 'type'));
    } else {
      first.set(r.type, i);
    }
    if (r.soft > r.hard) out.push(problem(`soft limit ${r.soft} is above the hard limit ${r.hard}`, ...base, 'rlimits', i, 'soft'));
  });
  return out;
}

/**
 * Problems of one process object, under `base` (["process"] in config.json;
 * `exec --process` can check its file with []).
 */
export function processProblems(process: Process, base: string[] = ['process']): SpecProblem[] {
  const out: SpecProblem[] = [];
  // config.md: args is optional in the schema, but POSIX platforms need at
  // least one entry, the program to run.
  if (!process.args) out.push(problem('missing required property "args": tsrun needs a program to run', ...base));
  else if (process.args.length === 0) out.push(problem('must have at least one element, the program to run', ...base, 'args'));
  const cwd = notAbsolute(process.cwd);
  if (cwd) out.push(problem(cwd, ...base, 'cwd'));
  return [...out, ...capabilityProblems(process, base), ...rlimitProblems(process, base)];
}

// runtime.md: process is only required for start, but create already
// prepares it, so tsrun requires it up front.
const checkProcess: Check = (spec) => {
  if (!spec.process) return [problem('missing required property "process": tsrun needs a process to run')];
  return processProblems(spec.process);
};

// config.md (Linux): a relative destination is deprecated but allowed and
// means relative to "/"; an empty one would mount over the root itself.
const checkMounts: Check = (spec) =>
  (spec.mounts ?? []).flatMap((m, i) => [
    ...(m.destination === '' ? [problem('must not be empty', 'mounts', i, 'destination')] : []),
    // runc's tmpcopyup fills a new tmpfs; on any other mount it has no meaning
    ...(m.options ?? []).flatMap((o, j) =>
      o === 'tmpcopyup' && m.type !== 'tmpfs' ? [problem('tmpcopyup applies to tmpfs mounts only', 'mounts', i, 'options', j)] : [],
    ),
  ]);

const HOOK_NAMES: HookName[] = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];

// config.md: hook paths MUST be absolute.
const checkHooks: Check = (spec) =>
  HOOK_NAMES.flatMap((name) =>
    (spec.hooks?.[name] ?? []).flatMap((hook, i) => {
      const reason = notAbsolute(hook.path);
      return reason ? [problem(reason, 'hooks', name, i, 'path')] : [];
    }),
  );

const checkNamespaces: Check = (spec) => {
  const out: SpecProblem[] = [];
  const first = new Map<string, number>();
  (spec.linux?.namespaces ?? []).forEach((ns, i) => {
    const seen = first.get(ns.type);
    // config-linux.md: duplicated namespace types MUST be an error.
    if (seen !== undefined) {
      out.push(problem(`duplicate namespace type ${JSON.stringify(ns.type)} (first at ${pointer('linux', 'namespaces', seen)})`, 'linux', 'namespaces', i, 'type'));
    } else {
      first.set(ns.type, i);
    }
    const reason = ns.path !== undefined ? notAbsolute(ns.path) : undefined;
    if (reason) out.push(problem(reason, 'linux', 'namespaces', i, 'path'));
  });
  // tsrun-init mounts the rootfs and calls pivot_root: in the runtime's own
  // mount namespace that would rearrange the host's mounts. A namespace
  // joined by path is the config's explicit choice (runtime.md: MUST join).
  if (!(spec.linux?.namespaces ?? []).some((ns) => ns.type === 'mount')) {
    out.push(problem('a mount namespace is required: add {"type": "mount"}', 'linux', 'namespaces'));
  }
  return out;
};

// Mappings are written only for a user namespace tsrun creates; a joined
// one already has its own.
const checkIdMappings: Check = (spec) => {
  const out: SpecProblem[] = [];
  const newUserNs = createsNamespace(spec, 'user');
  for (const field of ['uidMappings', 'gidMappings'] as const) {
    const maps = spec.linux?.[field];
    if (newUserNs && !maps) out.push(problem(`missing required property "${field}": a new user namespace needs them`, 'linux'));
    else if (newUserNs && maps?.length === 0) out.push(problem('must not be empty: a new user namespace needs at least one mapping', 'linux', field));
    else if (!newUserNs && maps?.length) {
      out.push(problem('mappings need a new user namespace: add {"type": "user"} without a path to /linux/namespaces', 'linux', field));
    }
  }
  return out;
};

// runc refuses these too: without its own uts namespace the container would
// rename the host (or the namespace it joined).
const checkUts: Check = (spec) =>
  (['hostname', 'domainname'] as const).flatMap((field) =>
    spec[field] && !createsNamespace(spec, 'uts')
      ? [problem(`setting the ${field} needs a new uts namespace: add {"type": "uts"} without a path to /linux/namespaces`, field)]
      : [],
  );

// The sysctls that a namespace isolates (runc libcontainer/configs/validate).
const IPC_SYSCTLS = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

function sysctlNamespace(name: string): NamespaceType | undefined {
  if (IPC_SYSCTLS.has(name) || name.startsWith('fs.mqueue.')) return 'ipc';
  if (name.startsWith('net.')) return 'network';
  if (name === 'kernel.domainname') return 'uts';
  return undefined;
}

// sysctl(8): "/" may separate the parts instead of "."; then a "." is part of
// a name (net/ipv4/conf/eth0.100/forwarding). Normalize to the dotted form.
function dottedSysctl(key: string): string {
  const sep = /[./]/.exec(key);
  if (!sep || sep[0] === '.') return key;
  return key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

const checkSysctl: Check = (spec) =>
  Object.keys(spec.linux?.sysctl ?? {}).flatMap((key) => {
    // Every part non-empty: this also keeps "." and ".." out of the
    // /proc/sys path the key becomes.
    if (key.split(/[./]/).some((part) => part === '') || key.includes('\0')) {
      return [problem('not a sysctl name: use dotted parts such as net.ipv4.ip_forward', 'linux', 'sysctl', key)];
    }
    const name = dottedSysctl(key);
    if (name === 'kernel.hostname') return [problem('set the hostname with the "hostname" field, not a sysctl', 'linux', 'sysctl', key)];
    const type = sysctlNamespace(name);
    if (!type) {
      return [problem(`sysctl ${name} is not isolated by a namespace: setting it would change the host`, 'linux', 'sysctl', key)];
    }
    // Like runc, a joined namespace is accepted: the config chose it.
    if (!namespaceOf(spec, type)) {
      const a = type === 'ipc' ? 'an' : 'a';
      return [problem(`sysctl ${name} needs ${a} ${type} namespace: add {"type": "${type}"} to /linux/namespaces`, 'linux', 'sysctl', key)];
    }
    return [];
  });

// config-linux.md: "major, minor" are REQUIRED unless type is p. The path
// may lie outside /dev, but it must be inside the container, absolutely.
const checkDevices: Check = (spec) =>
  (spec.linux?.devices ?? []).flatMap((d, i) => {
    const out: SpecProblem[] = [];
    for (const field of ['major', 'minor'] as const) {
      if (d.type !== 'p' && d[field] === undefined) {
        out.push(problem(`missing required property "${field}": a "${d.type}" device needs major and minor numbers`, 'linux', 'devices', i));
      }
    }
    const reason = notAbsolute(d.path) ?? (posix.normalize(d.path) === '/' ? 'must name a file, not the root directory' : undefined);
    if (reason) out.push(problem(reason, 'linux', 'devices', i, 'path'));
    return out;
  });

// The spec lists shared, slave, private and unbindable; runc and crun also
// take the recursive forms, which tsrun's propagation table knows.
const checkRootfsPropagation: Check = (spec) => {
  const value = spec.linux?.rootfsPropagation;
  if (value === undefined || Object.hasOwn(PROPAGATION_OPTIONS, value)) return [];
  return [problem(`must be one of ${sorted(Object.keys(PROPAGATION_OPTIONS))}`, 'linux', 'rootfsPropagation')];
};

// time_namespaces(7): only these two clocks have offsets, and the offsets
// can only be written into a time namespace before anything runs in it.
const OFFSET_CLOCKS = ['boottime', 'monotonic'];
const NSEC_PER_SEC = 1_000_000_000;

const checkTimeOffsets: Check = (spec) => {
  const offsets = Object.entries(spec.linux?.timeOffsets ?? {});
  const out: SpecProblem[] = [];
  for (const [clock, offset] of offsets) {
    if (!OFFSET_CLOCKS.includes(clock)) {
      out.push(problem(`unknown clock ${JSON.stringify(clock)}: must be one of ${sorted(OFFSET_CLOCKS)}`, 'linux', 'timeOffsets', clock));
    }
    if ((offset.nanosecs ?? 0) >= NSEC_PER_SEC) out.push(problem(`must be below ${NSEC_PER_SEC}`, 'linux', 'timeOffsets', clock, 'nanosecs'));
  }
  if (offsets.length > 0 && !createsNamespace(spec, 'time')) {
    out.push(problem('time offsets need a new time namespace: add {"type": "time"} without a path to /linux/namespaces', 'linux', 'timeOffsets'));
  }
  return out;
};

// config-linux.md: the values MUST be absolute paths.
const checkMaskedAndReadonly: Check = (spec) =>
  (['maskedPaths', 'readonlyPaths'] as const).flatMap((field) =>
    (spec.linux?.[field] ?? []).flatMap((path, i) => {
      const reason = notAbsolute(path);
      return reason ? [problem(reason, 'linux', field, i)] : [];
    }),
  );

const RESOURCES_NOT_ENFORCED =
  'resource limits are not supported yet by tsrun (no cgroup manager enforces them): remove the field';

// A field "sets" something unless it is absent, an empty string, list or
// object, or false (every boolean field here defaults to false, and an empty
// label or profile means none, as in runc).
function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.values(value).some(isSet);
  return true;
}

// Only linux.resources.devices is applied (the eBPF device filter). Anything
// else would be a limit the user asked for and silently did not get.
const checkResources: Check = (spec) => {
  const out: SpecProblem[] = [];
  for (const [group, value] of Object.entries(spec.linux?.resources ?? {})) {
    if (group === 'devices' || !isSet(value)) continue;
    if (Array.isArray(value) || typeof value !== 'object') {
      out.push(problem(RESOURCES_NOT_ENFORCED, 'linux', 'resources', group));
      continue;
    }
    for (const [field, inner] of Object.entries(value as Record<string, unknown>)) {
      if (isSet(inner)) out.push(problem(RESOURCES_NOT_ENFORCED, 'linux', 'resources', group, field));
    }
  }
  return out;
};

// Fields the schema accepts but tsrun-init does not apply yet. Ignoring a
// security setting (seccomp, an LSM label) would run the container weaker
// than asked, so each one is refused by name instead.
const NOT_APPLIED: { tokens: string[]; get: (spec: Spec) => unknown }[] = [
  { tokens: ['linux', 'seccomp'], get: (s) => s.linux?.seccomp },
  { tokens: ['process', 'apparmorProfile'], get: (s) => s.process?.apparmorProfile },
  { tokens: ['process', 'selinuxLabel'], get: (s) => s.process?.selinuxLabel },
  { tokens: ['linux', 'mountLabel'], get: (s) => s.linux?.mountLabel },
  { tokens: ['linux', 'intelRdt'], get: (s) => s.linux?.intelRdt },
  { tokens: ['process', 'ioPriority'], get: (s) => s.process?.ioPriority },
  { tokens: ['process', 'scheduler'], get: (s) => s.process?.scheduler },
  { tokens: ['process', 'execCPUAffinity'], get: (s) => s.process?.execCPUAffinity },
  { tokens: ['linux', 'personality', 'flags'], get: (s) => s.linux?.personality?.flags },
  // v1.2: host interfaces moved into the container's network namespace.
  // An entry with no options ({"eth1": {}}) still asks for a device: count keys.
  {
    tokens: ['linux', 'netDevices'],
    get: (s) => Object.keys(((s.linux as Record<string, unknown> | undefined)?.netDevices as object | undefined) ?? {}).length || undefined,
  },
];

const checkNotApplied: Check = (spec) => {
  const out = NOT_APPLIED.filter((f) => isSet(f.get(spec))).map((f) => problem('not supported yet by tsrun: remove the field', ...f.tokens));
  // Idmapped mounts (mount_setattr MOUNT_ATTR_IDMAP) are not implemented.
  (spec.mounts ?? []).forEach((m, i) => {
    for (const field of ['uidMappings', 'gidMappings'] as const) {
      if (m[field]?.length) out.push(problem('idmapped mounts are not supported yet by tsrun: remove the field', 'mounts', i, field));
    }
    (m.options ?? []).forEach((option, j) => {
      if (option === 'idmap' || option === 'ridmap') {
        out.push(problem('idmapped mounts are not supported yet by tsrun: remove the option', 'mounts', i, 'options', j));
      }
    });
  });
  return out;
};

const CHECKS: Check[] = [
  checkVersion,
  checkRoot,
  checkProcess,
  checkMounts,
  checkHooks,
  checkNamespaces,
  checkIdMappings,
  checkUts,
  checkSysctl,
  checkDevices,
  checkRootfsPropagation,
  checkTimeOffsets,
  checkMaskedAndReadonly,
  checkResources,
  checkNotApplied,
];

/** Every semantic problem of a schema-valid config, in document order of the checks. */
export function semanticProblems(spec: Spec): SpecProblem[] {
  return CHECKS.flatMap((check) => check(spec));
}
