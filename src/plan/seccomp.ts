// linux.seccomp → what the addon's libseccomp needs to compile a filter:
// names of actions, operators and flags resolved to numbers here (tables in
// kernel/seccomp.ts), syscall and architecture names left to libseccomp.
// Pure: src/launch/seccomp-program.ts does the compiling.
import {
  ACTIONS_WITH_ERRNO,
  SECCOMP_ACTIONS,
  SECCOMP_ARCHES,
  SECCOMP_FLAG_NEW_LISTENER,
  SECCOMP_FLAG_TSYNC_ESRCH,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
} from '../kernel/seccomp.ts';
import { usesNotify } from '../spec/seccomp-checks.ts';
import type { LinuxSeccomp, LinuxSyscall } from '../spec/types.ts';

/** runc's errnoRet when the config gives none. */
const EPERM = 1;

/** The action's filter return value, errnoRet (or EPERM) in its data bits. */
export function actionValue(action: string, errnoRet: number | undefined): number {
  const base = SECCOMP_ACTIONS[action];
  if (base === undefined) throw new Error(`unknown seccomp action ${action}`);
  return ACTIONS_WITH_ERRNO.has(action) ? (base | ((errnoRet ?? EPERM) & 0xffff)) >>> 0 : base;
}

/** The flags for seccomp(2): the config's, plus a listener for SCMP_ACT_NOTIFY. */
export function filterFlags(seccomp: LinuxSeccomp): number {
  let flags = 0;
  for (const name of seccomp.flags ?? []) flags |= SECCOMP_FLAGS[name] ?? 0;
  if (usesNotify(seccomp)) {
    flags |= SECCOMP_FLAG_NEW_LISTENER;
    // TSYNC alone cannot be combined with a listener; in the single-threaded
    // init it syncs nothing, and TSYNC_ESRCH makes the pair legal.
    if (flags & SECCOMP_FLAGS.SECCOMP_FILTER_FLAG_TSYNC!) flags |= SECCOMP_FLAG_TSYNC_ESRCH;
  }
  return flags;
}

export interface FlatProfile {
  /** u64 words: default action, rule count, then per rule: action, syscall index, arg count, args (index, op, value, valueTwo). */
  words: Buffer;
  /** libseccomp names of the architectures to add (the native one is always in). */
  archs: string[];
  syscalls: string[];
  /** JSON pointer of each rule's syscall name, for errors. */
  rulePointers: string[];
}

function ruleWords(rule: LinuxSyscall): bigint[] {
  const args = rule.args ?? [];
  const out: bigint[] = [BigInt(actionValue(rule.action, rule.errnoRet)), 0n, BigInt(args.length)];
  for (const a of args) {
    out.push(BigInt(a.index), BigInt(SECCOMP_OPERATORS[a.op] ?? 0), BigInt(a.value), BigInt(a.valueTwo ?? 0));
  }
  return out;
}

export function flattenProfile(seccomp: LinuxSeccomp): FlatProfile {
  const words: bigint[] = [BigInt(actionValue(seccomp.defaultAction, seccomp.defaultErrnoRet)), 0n];
  const syscalls: string[] = [];
  const rulePointers: string[] = [];
  (seccomp.syscalls ?? []).forEach((rule, i) => {
    const template = ruleWords(rule);
    rule.names.forEach((name, j) => {
      template[1] = BigInt(syscalls.length);
      syscalls.push(name);
      rulePointers.push(`/linux/seccomp/syscalls/${i}/names/${j}`);
      words.push(...template);
    });
  });
  words[1] = BigInt(rulePointers.length);
  const buf = Buffer.alloc(words.length * 8);
  words.forEach((w, i) => buf.writeBigUInt64LE(BigInt.asUintN(64, w), i * 8));
  const archs = [...new Set((seccomp.architectures ?? []).map((a) => SECCOMP_ARCHES[a] ?? a))];
  return { words: buf, archs, syscalls, rulePointers };
}
