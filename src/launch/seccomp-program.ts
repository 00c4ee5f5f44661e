// linux.seccomp → the BPF program tsrun-init loads: checked against what
// the running kernel supports, compiled by libseccomp through the addon,
// and kept in a cache under the state root, so that engines starting many
// containers with one default profile compile it once.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../state/atomic-file.ts';
import { SpecError, type SpecProblem } from '../errors.ts';
import { native } from '../native/addon.ts';
import type { PlannedSeccomp } from '../plan/launch-plan.ts';
import { SECCOMP_ACTIONS, SECCOMP_ARCHES, SECCOMP_FLAGS, SECCOMP_OPERATORS } from '../kernel/seccomp.ts';
import { actionValue, filterFlags, flattenProfile, type FlatProfile } from '../plan/seccomp.ts';
import type { SeccompFeatures } from '../spec/features.ts';
import { usesNotify } from '../spec/seccomp-checks.ts';
import type { LinuxSeccomp } from '../spec/types.ts';

const BPF_INSN_SIZE = 8;

function kernelProblems(seccomp: LinuxSeccomp): SpecProblem[] {
  const n = native();
  const out: SpecProblem[] = [];
  (seccomp.flags ?? []).forEach((flag, i) => {
    if (!n.seccompFlagSupported(SECCOMP_FLAGS[flag]!)) {
      out.push({ pointer: `/linux/seccomp/flags/${i}`, reason: `the running kernel does not support ${flag}: remove the flag` });
    }
  });
  const check = (action: string, pointer: string) => {
    if (!n.seccompActionSupported(actionValue(action, 0))) out.push({ pointer, reason: `the running kernel does not support ${action}` });
  };
  check(seccomp.defaultAction, '/linux/seccomp/defaultAction');
  (seccomp.syscalls ?? []).forEach((rule, i) => check(rule.action, `/linux/seccomp/syscalls/${i}/action`));
  return out;
}

/**
 * What the program is compiled from: libseccomp's version, the machine and
 * the flattened profile. A cache entry holds these bytes and is used only
 * when they equal the profile's byte for byte, so the file name's hash only
 * spreads entries (a collision costs a compile, never a wrong program) and
 * need not be cryptographic: node:crypto would cost every create that has
 * seccomp ~10 ms of module loading.
 */
function cacheInput(flat: FlatProfile, version: string): Buffer {
  return Buffer.concat([
    Buffer.from(`libseccomp ${version} ${process.arch}\0`),
    flat.words,
    Buffer.from(`${flat.archs.join('\0')}\0\0${flat.syscalls.join('\0')}`),
  ]);
}

/** 64 bits of spread: two 32-bit FNV-1a lanes (the second also mixes in the position); hex. */
function spreadHash(data: Buffer): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i]!;
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b ^ byte ^ (i & 0xff), 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

// A cache file: MAGIC, the input's length (u32 LE), the input, the program.
const MAGIC = Buffer.from('TSRSECC1');
const HEADER = MAGIC.length + 4;

function compile(flat: FlatProfile, configFile: string): Buffer {
  try {
    return native().compileSeccomp(flat.words, flat.archs, flat.syscalls);
  } catch (err) {
    const e = err as Error & { rule?: number };
    const pointer = e.rule !== undefined && e.rule >= 0 ? (flat.rulePointers[e.rule] ?? '/linux/seccomp') : '/linux/seccomp';
    throw new SpecError(configFile, [{ pointer, reason: `libseccomp cannot compile the profile: ${e.message}` }], { cause: err });
  }
}

/** The cached program compiled from exactly `input`, if the entry is whole. */
function readCached(file: string, input: Buffer): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  if (data.length <= HEADER || !data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const inputLength = data.readUInt32LE(MAGIC.length);
  if (inputLength !== input.length || !data.subarray(HEADER, HEADER + inputLength).equals(input)) return undefined;
  const program = data.subarray(HEADER + inputLength);
  return program.length > 0 && program.length % BPF_INSN_SIZE === 0 ? program : undefined;
}

/** Written to a temp file and renamed: a reader never sees half an entry. */
function writeCached(dir: string, file: string, input: Buffer, program: Buffer): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o711 });
    const length = Buffer.alloc(4);
    length.writeUInt32LE(input.length);
    writeFileAtomic(file, Buffer.concat([MAGIC, length, input, program]), 0o600);
  } catch {
    // The cache only saves time.
  }
}

/**
 * The filter for linux.seccomp. `cacheDir` (under the state root) keeps compiled
 * programs as seccomp-<hash>.bpf files (with the input they were compiled
 * from); undefined compiles every time.
 */
export function seccompProgram(seccomp: LinuxSeccomp, configFile: string, cacheDir?: string): PlannedSeccomp {
  const problems = kernelProblems(seccomp);
  if (problems.length > 0) throw new SpecError(configFile, problems);
  const flat = flattenProfile(seccomp);
  const plan = (program: Buffer): PlannedSeccomp => ({ flags: filterFlags(seccomp), program, listener: usesNotify(seccomp) });
  if (cacheDir === undefined) return plan(compile(flat, configFile));
  const input = cacheInput(flat, native().seccompInfo().version);
  const file = join(cacheDir, `seccomp-${spreadHash(input)}.bpf`);
  const cached = readCached(file, input);
  if (cached) return plan(cached);
  const program = compile(flat, configFile);
  writeCached(cacheDir, file, input, program);
  return plan(program);
}

/** libseccomp API level (seccomp_api_get) each action needs to be compiled. */
const ACTION_API_LEVEL: Record<string, number> = { SCMP_ACT_KILL_PROCESS: 3, SCMP_ACT_LOG: 3, SCMP_ACT_NOTIFY: 5 };

/**
 * `features`' seccomp part: the names tsrun knows that this libseccomp
 * (architectures it can resolve, its API level) and the running kernel
 * (actions it can return, flags it takes) support.
 */
export function seccompFeatures(): SeccompFeatures {
  const n = native();
  const api = n.seccompInfo().apiLevel;
  return {
    enabled: true,
    actions: Object.keys(SECCOMP_ACTIONS)
      .filter((a) => api >= (ACTION_API_LEVEL[a] ?? 1) && n.seccompActionSupported(actionValue(a, 0)))
      .sort(),
    operators: Object.keys(SECCOMP_OPERATORS).sort(),
    archs: Object.keys(SECCOMP_ARCHES)
      .filter((a) => n.seccompArch(SECCOMP_ARCHES[a]!) !== 0)
      .sort(),
    knownFlags: Object.keys(SECCOMP_FLAGS).sort(),
    supportedFlags: Object.keys(SECCOMP_FLAGS)
      .filter((f) => n.seccompFlagSupported(SECCOMP_FLAGS[f]!))
      .sort(),
  };
}
