// Rules config.json must follow that a JSON Schema cannot state: relations
// between fields, names from kernel tables, and what tsrun does not do yet.
// Each check reads a schema-valid Spec and returns every problem it finds;
// none throws, so the user sees all of them at once.
import { posix } from 'node:path';
import type { SpecProblem } from '../errors.ts';
import { capabilityBit } from '../kernel/capabilities.ts';
import { PROPAGATION_OPTIONS } from '../kernel/mount-flags.ts';
import { rlimitResource } from '../kernel/rlimits.ts';
import { seccompProblems } from './seccomp-checks.ts';
import { isIdmapped } from './idmapped-mount.ts';
import { IOPRIO_LEVELS, parseCpuList, PERSONALITY_FLAGS } from '../kernel/process-attrs.ts';
import { SPEC_VERSION } from '../version.ts';
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
const MAX_MINOR = Number(SPEC_VERSION.split('.')[1]);
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

const checkVersion: Check = (spec) => {
  const match = SEMVER.exec(spec.ociVersion);
  if (!match) return [problem(`must be a SemVer version such as "1.2.0", not ${JSON.stringify(spec.ociVersion)}`, 'ociVersion')];
  if (match[1] !== '1') {
    return [problem(`version ${spec.ociVersion} is not supported: tsrun reads runtime-spec 1.x configs`, 'ociVersion')];
  }
  // A later minor version may change rules for fields tsrun knows (1.3
  // makes a failing poststart hook an error): refuse what `features`
  // does not promise (ociVersionMax) rather than apply 1.2's rules to it.
  // Any 1.2 patch release is accepted: patch releases change no rules.
  if (Number(match[2]) > MAX_MINOR) {
    return [problem(`version ${spec.ociVersion} is newer than this tsrun supports (runtime-spec up to ${SPEC_VERSION}, 1.${MAX_MINOR}.x)`, 'ociVersion')];
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
  // Only the five sets: the schema lets other keys through, with any value.
  const SETS: CapabilitySet[] = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'];
  const sets = SETS.map((set) => [set, process.capabilities?.[set] ?? []] as const);
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

const NICE_MIN = -20;
const NICE_MAX = 19;
const RT_PRIORITY_MAX = 99;

// The rules runc's validator states for process.scheduler (sched(7)):
// nice is -20..19, a static priority belongs to the real-time policies and
// runtime/deadline/period to SCHED_DEADLINE only.
function schedulerProblems(process: Process, base: string[]): SpecProblem[] {
  const s = process.scheduler;
  if (!s) return [];
  const out: SpecProblem[] = [];
  const at = [...base, 'scheduler'];
  if (s.nice !== undefined && (s.nice < NICE_MIN || s.nice > NICE_MAX)) out.push(problem(`must be between ${NICE_MIN} and ${NICE_MAX}`, ...at, 'nice'));
  const realtime = s.policy === 'SCHED_FIFO' || s.policy === 'SCHED_RR';
  if (s.priority !== undefined && s.priority !== 0 && !realtime) {
    out.push(problem(`a priority needs SCHED_FIFO or SCHED_RR, not ${s.policy}`, ...at, 'priority'));
  } else if (realtime && ((s.priority ?? 0) < 1 || (s.priority ?? 0) > RT_PRIORITY_MAX)) {
    out.push(problem(`must be between 1 and ${RT_PRIORITY_MAX} for ${s.policy}`, ...at, 'priority'));
  }
  if (s.policy !== 'SCHED_DEADLINE') {
    for (const f of ['runtime', 'deadline', 'period'] as const) {
      if (s[f]) out.push(problem(`${f} needs the SCHED_DEADLINE policy, not ${s.policy}`, ...at, f));
    }
  }
  return out;
}

function processAttrProblems(process: Process, base: string[]): SpecProblem[] {
  const out = schedulerProblems(process, base);
  const level = process.ioPriority?.priority;
  // ioprio_set(2): levels 0 (highest) to 7 within a class.
  if (level !== undefined && (level < 0 || level >= IOPRIO_LEVELS)) {
    out.push(problem(`must be between 0 and ${IOPRIO_LEVELS - 1}`, ...base, 'ioPriority', 'priority'));
  }
  for (const when of ['initial', 'final'] as const) {
    const list = process.execCPUAffinity?.[when];
    if (list === undefined || list.trim() === '') continue;
    const cpus = parseCpuList(list);
    if (typeof cpus === 'string') out.push(problem(cpus, ...base, 'execCPUAffinity', when));
  }
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
  return [...out, ...capabilityProblems(process, base), ...rlimitProblems(process, base), ...processAttrProblems(process, base)];
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
      out.push(
        problem(`duplicate namespace type ${JSON.stringify(ns.type)} (first at ${pointer('linux', 'namespaces', seen)})`, 'linux', 'namespaces', i, 'type'),
      );
    } else {
      first.set(ns.type, i);
    }
    const reason = ns.path !== undefined ? notAbsolute(ns.path) : undefined;
    if (reason) out.push(problem(reason, 'linux', 'namespaces', i, 'path'));
  });
  // No "mount" entry: config-linux.md has the container inherit the
  // runtime's mount namespace. tsrun-init then chroots into the rootfs
  // bind instead of pivot_root, and `delete` detaches that bind (plan.ts).
  return out;
};

// Mappings are written only for a user namespace tsrun creates; a joined
// one already has its own.
// user_namespaces(7): at most 340 lines per map file, ids are 32-bit, and
// no two lines may overlap on either side; the kernel's EINVAL says none
// of that, so each is named here.
const MAX_ID_MAP_RANGES = 340;
const ID_LIMIT = 2 ** 32;

function idMapRangeProblems(maps: readonly { containerID: number; hostID: number; size: number }[], field: string): SpecProblem[] {
  const out: SpecProblem[] = [];
  if (maps.length > MAX_ID_MAP_RANGES) {
    out.push(problem(`has ${maps.length} ranges: the kernel takes at most ${MAX_ID_MAP_RANGES}`, 'linux', field));
  }
  maps.forEach((m, i) => {
    if (m.size === 0) out.push(problem('size must be at least 1', 'linux', field, i, 'size'));
    for (const side of ['containerID', 'hostID'] as const) {
      if (m[side] + m.size > ID_LIMIT) out.push(problem(`${side} + size passes 2^32 (${m[side]} + ${m.size})`, 'linux', field, i));
    }
    // Past the kernel's limit (already reported) the pairwise check is skipped: it is quadratic.
    for (let j = 0; j < i && maps.length <= MAX_ID_MAP_RANGES; j++) {
      const o = maps[j]!;
      for (const side of ['containerID', 'hostID'] as const) {
        if (m[side] < o[side] + o.size && o[side] < m[side] + m.size) {
          out.push(problem(`its ${side} range overlaps the one of ${pointer('linux', field, j)}`, 'linux', field, i));
        }
      }
    }
  });
  return out;
}

const checkIdMappings: Check = (spec) => {
  const out: SpecProblem[] = [];
  const newUserNs = createsNamespace(spec, 'user');
  for (const field of ['uidMappings', 'gidMappings'] as const) {
    const maps = spec.linux?.[field];
    if (maps?.length) out.push(...idMapRangeProblems(maps, field));
    if (newUserNs && !maps) out.push(problem(`missing required property "${field}": a new user namespace needs them`, 'linux'));
    else if (newUserNs && maps?.length === 0) out.push(problem('must not be empty: a new user namespace needs at least one mapping', 'linux', field));
    else if (!newUserNs && maps?.length) {
      out.push(problem('mappings need a new user namespace: add {"type": "user"} without a path to /linux/namespaces', 'linux', field));
    }
  }
  return out;
};

// runc refuses these too: without a uts namespace the container would
// rename the host. A joined one is the config's choice: the names are set
// there (as runc does).
const checkUts: Check = (spec) =>
  (['hostname', 'domainname'] as const).flatMap((field) =>
    spec[field] && !namespaceOf(spec, 'uts') ? [problem(`setting the ${field} needs a uts namespace: add {"type": "uts"} to /linux/namespaces`, field)] : [],
  );

// config-linux.md leaves the flags open; tsrun takes the flag names of
// personality(2) (linux/personality.h), where runc warns and drops them.
const checkPersonality: Check = (spec) =>
  (spec.linux?.personality?.flags ?? []).flatMap((flag, i) =>
    Object.hasOwn(PERSONALITY_FLAGS, flag)
      ? []
      : [
          problem(
            `unknown personality flag ${JSON.stringify(flag)}: must be one of ${sorted(Object.keys(PERSONALITY_FLAGS))}`,
            'linux',
            'personality',
            'flags',
            i,
          ),
        ],
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

// Linux interface names (dev_valid_name): 1-15 bytes, no "/", ":" or
// blank, not "." or "..".
const IFNAMSIZ = 16;
function interfaceNameProblem(name: string): string | undefined {
  if (name === '' || Buffer.byteLength(name) >= IFNAMSIZ) return `interface name ${JSON.stringify(name)} must have 1 to ${IFNAMSIZ - 1} bytes`;
  if (name === '.' || name === '..' || /[/:\s]/.test(name)) return `${JSON.stringify(name)} is not a valid interface name`;
  return undefined;
}

// config-linux.md (1.2): devices move into the container's network
// namespace, so there must be one; runc refuses the host's too.
const checkNetDevices: Check = (spec) => {
  const devices = Object.entries(spec.linux?.netDevices ?? {});
  const out: SpecProblem[] = [];
  const targets = new Map<string, string>();
  for (const [host, opts] of devices) {
    const hostProblem = interfaceNameProblem(host);
    if (hostProblem) out.push(problem(hostProblem, 'linux', 'netDevices', host));
    const inside = opts.name || host;
    const nameProblem = opts.name !== undefined && opts.name !== '' ? interfaceNameProblem(opts.name) : undefined;
    if (nameProblem) out.push(problem(nameProblem, 'linux', 'netDevices', host, 'name'));
    const other = targets.get(inside);
    if (other !== undefined) out.push(problem(`${JSON.stringify(inside)} is already the name of ${other} in the container`, 'linux', 'netDevices', host));
    targets.set(inside, host);
  }
  if (devices.length && !namespaceOf(spec, 'network')) {
    out.push(problem('moving network devices needs a network namespace: add {"type": "network"} to /linux/namespaces', 'linux', 'netDevices'));
  }
  return out;
};

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

// A field "sets" something unless it is absent, an empty string, list or
// object, or false (every boolean field here defaults to false, and an empty
// label or profile means none, as in runc).
function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.values(value).some(isSet);
  return true;
}

// Every limit is applied by the cgroup manager at create (a value the
// kernel refuses is reported there, naming the field and the file). What a
// schema cannot say, and what no host can make right, is checked here:
// unified keys are file names inside the container's own cgroup, and
// cgroupsPath stays inside the hierarchy.
const SYSTEMD_CGROUPS_PATH = /^[^/:]*:[^/:]*:[^/:]+$/;

const checkResources: Check = (spec) => {
  const out: SpecProblem[] = [];
  for (const key of Object.keys(spec.linux?.resources?.unified ?? {})) {
    if (key === '' || key.includes('/') || key === '.' || key === '..' || key.includes('\0')) {
      out.push(problem('a unified key must be a plain cgroup file name (no "/" or "..")', 'linux', 'resources', 'unified', key));
    }
  }
  const path = spec.linux?.cgroupsPath;
  if (typeof path === 'string') {
    if (path.split('/').includes('..')) out.push(problem('cgroupsPath must stay inside the cgroup hierarchy: ".." is not allowed', 'linux', 'cgroupsPath'));
    else if (SYSTEMD_CGROUPS_PATH.test(path)) {
      out.push(
        problem(
          'the systemd "slice:prefix:name" form needs the systemd cgroup driver, which tsrun does not have: use a path such as /tsrun/<id>',
          'linux',
          'cgroupsPath',
        ),
      );
    }
  }
  return out;
};

// linux.resources.devices (config-linux.md, the v1 devices list's
// fields): checked here, before the state directory and the cgroup exist,
// so the device filter compiled at create only meets rules it can encode.
// The schema has made allow a boolean and the numbers int64 integers.
const U32_MAX = 0xffff_ffff;
const DEVICE_RULE_TYPES = ['a', 'b', 'c'];

const checkDeviceRules: Check = (spec) =>
  (spec.linux?.resources?.devices ?? []).flatMap((r, i) => {
    const out: SpecProblem[] = [];
    const at = (field: string) => ['linux', 'resources', 'devices', i, field];
    if (r.type !== undefined && !DEVICE_RULE_TYPES.includes(r.type)) {
      out.push(problem(`device type ${JSON.stringify(r.type)} must be one of a (all), b (block), c (char)`, ...at('type')));
    }
    for (const field of ['major', 'minor'] as const) {
      const v = r[field];
      // -1 is runc's own "every number", as an absent field is.
      if (v === undefined || v === -1) continue;
      if (v < 0 || v > U32_MAX) out.push(problem(`device ${field} ${v} must be from 0 to ${U32_MAX}, or -1 or absent for every ${field}`, ...at(field)));
    }
    if (r.access === '') out.push(problem('device access is empty: use letters from "rwm", or leave it out for all three', ...at('access')));
    const bad = [...(r.access ?? '')].find((c) => !'rwm'.includes(c));
    if (bad !== undefined) out.push(problem(`device access ${JSON.stringify(r.access)} has ${JSON.stringify(bad)}: use letters from "rwm"`, ...at('access')));
    return out;
  });

// Fields the schema accepts but tsrun-init does not apply yet. Ignoring a
// security setting (an LSM label) would run the container weaker
// than asked, so each one is refused by name instead.
const NOT_APPLIED: { tokens: string[]; get: (spec: Spec) => unknown }[] = [{ tokens: ['linux', 'intelRdt'], get: (s) => s.linux?.intelRdt }];

const checkNotApplied: Check = (spec) => {
  return NOT_APPLIED.filter((f) => isSet(f.get(spec))).map((f) => problem('not supported yet by tsrun: remove the field', ...f.tokens));
};

// config.md (1.2): an id-mapped mount is a bind mount mapped through
// its own uidMappings/gidMappings, or (idmap/ridmap alone) through the
// container's user namespace mappings, as runc reads it.
const checkIdmappedMounts: Check = (spec) => {
  const out: SpecProblem[] = [];
  (spec.mounts ?? []).forEach((m, i) => {
    if (!isIdmapped(m)) return;
    const options = m.options ?? [];
    if (m.type !== 'bind' && !options.includes('bind') && !options.includes('rbind')) {
      out.push(problem('an id-mapped mount must be a bind mount: use type "bind" or the "bind"/"rbind" option', 'mounts', i));
    }
    const uid = Boolean(m.uidMappings?.length);
    const gid = Boolean(m.gidMappings?.length);
    if (uid !== gid) out.push(problem(`missing ${uid ? 'gidMappings' : 'uidMappings'}: an id-mapped mount needs both`, 'mounts', i));
    if (!uid && !gid && !spec.linux?.uidMappings?.length) {
      out.push(
        problem(
          "idmap without mappings of its own maps through the container's: add uidMappings/gidMappings here or a user namespace with mappings",
          'mounts',
          i,
        ),
      );
    }
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
  checkPersonality,
  checkNetDevices,
  checkSysctl,
  checkDevices,
  checkRootfsPropagation,
  checkTimeOffsets,
  checkMaskedAndReadonly,
  checkResources,
  checkDeviceRules,
  seccompProblems,
  checkNotApplied,
  checkIdmappedMounts,
];

/** Every semantic problem of a schema-valid config, in document order of the checks. */
export function semanticProblems(spec: Spec): SpecProblem[] {
  return CHECKS.flatMap((check) => check(spec));
}
