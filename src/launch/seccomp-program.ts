// linux.seccomp → the BPF program tsrun-init loads: checked against what
// the running kernel supports, compiled by libseccomp through the addon,
// and kept in a cache under the state root keyed by the profile's hash, so
// that engines starting many containers with one default profile compile
// it once.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpecError, type SpecProblem } from '../errors.ts';
import { native } from '../native/addon.ts';
import type { PlannedSeccomp } from '../plan/launch-plan.ts';
import {
  actionValue,
  filterFlags,
  flattenProfile,
  SECCOMP_ACTIONS,
  SECCOMP_ARCHES,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
  usesNotify,
  type FlatProfile,
} from '../plan/seccomp.ts';
import type { SeccompFeatures } from '../spec/features.ts';
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

function cacheKey(flat: FlatProfile, version: string): string {
  const h = createHash('sha256');
  h.update(`libseccomp ${version} ${process.arch}\0`);
  h.update(flat.words);
  h.update(`${flat.archs.join('\0')}\0\0${flat.syscalls.join('\0')}`);
  return h.digest('hex');
}

function compile(flat: FlatProfile, configFile: string): Buffer {
  try {
    return native().compileSeccomp(flat.words, flat.archs, flat.syscalls);
  } catch (err) {
    const e = err as Error & { rule?: number };
    const pointer = e.rule !== undefined && e.rule >= 0 ? (flat.rulePointers[e.rule] ?? '/linux/seccomp') : '/linux/seccomp';
    throw new SpecError(configFile, [{ pointer, reason: `libseccomp cannot compile the profile: ${e.message}` }], { cause: err });
  }
}

/** A program from the cache, when one is there and whole. */
function readCached(file: string): Buffer | undefined {
  try {
    const program = readFileSync(file);
    return program.length > 0 && program.length % BPF_INSN_SIZE === 0 ? program : undefined;
  } catch {
    return undefined;
  }
}

/** Written to a temp file and renamed: a reader never sees half a program. */
function writeCached(dir: string, file: string, program: Buffer): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o711 });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, program, { mode: 0o600 });
    renameSync(temp, file);
  } catch {
    // The cache only saves time.
  }
}

/**
 * The filter for linux.seccomp. `cacheDir` (under the state root) keeps compiled
 * programs as seccomp-<sha256>.bpf files; undefined compiles every time.
 */
export function seccompProgram(seccomp: LinuxSeccomp, configFile: string, cacheDir?: string): PlannedSeccomp {
  const problems = kernelProblems(seccomp);
  if (problems.length > 0) throw new SpecError(configFile, problems);
  const flat = flattenProfile(seccomp);
  const plan = (program: Buffer): PlannedSeccomp => ({ flags: filterFlags(seccomp), program, listener: usesNotify(seccomp) });
  if (cacheDir === undefined) return plan(compile(flat, configFile));
  const file = join(cacheDir, `seccomp-${cacheKey(flat, native().seccompInfo().version)}.bpf`);
  const cached = readCached(file);
  if (cached) return plan(cached);
  const program = compile(flat, configFile);
  writeCached(cacheDir, file, program);
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
