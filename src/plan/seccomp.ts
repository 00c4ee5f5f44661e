// linux.seccomp → what the addon's libseccomp needs to compile a filter:
// names of actions, operators and flags resolved to numbers here, syscall
// and architecture names left to libseccomp (which knows every arch's
// table). Pure: src/launch/seccomp-program.ts does the compiling.
import type { LinuxSeccomp, LinuxSyscall } from '../spec/types.ts';

/** The kernel's SECCOMP_RET_* values, which are libseccomp's SCMP_ACT_*. */
const RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  USER_NOTIF: 0x7fc00000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
};

export const SECCOMP_ACTIONS: Record<string, number> = {
  SCMP_ACT_KILL: RET.KILL_THREAD,
  SCMP_ACT_KILL_PROCESS: RET.KILL_PROCESS,
  SCMP_ACT_KILL_THREAD: RET.KILL_THREAD,
  SCMP_ACT_TRAP: RET.TRAP,
  SCMP_ACT_ERRNO: RET.ERRNO,
  SCMP_ACT_TRACE: RET.TRACE,
  SCMP_ACT_ALLOW: RET.ALLOW,
  SCMP_ACT_LOG: RET.LOG,
  SCMP_ACT_NOTIFY: RET.USER_NOTIF,
};

/** The actions whose return data is errnoRet (runc: EPERM when absent). */
export const ACTIONS_WITH_ERRNO = new Set(['SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE']);
const EPERM = 1;

/** libseccomp's enum scmp_compare. */
export const SECCOMP_OPERATORS: Record<string, number> = {
  SCMP_CMP_NE: 1,
  SCMP_CMP_LT: 2,
  SCMP_CMP_LE: 3,
  SCMP_CMP_EQ: 4,
  SCMP_CMP_GE: 5,
  SCMP_CMP_GT: 6,
  SCMP_CMP_MASKED_EQ: 7,
};

/** OCI architecture names → libseccomp's names (seccomp_arch_resolve_name). */
export const SECCOMP_ARCHES: Record<string, string> = {
  SCMP_ARCH_X86: 'x86',
  SCMP_ARCH_X86_64: 'x86_64',
  SCMP_ARCH_X32: 'x32',
  SCMP_ARCH_ARM: 'arm',
  SCMP_ARCH_AARCH64: 'aarch64',
  SCMP_ARCH_MIPS: 'mips',
  SCMP_ARCH_MIPS64: 'mips64',
  SCMP_ARCH_MIPS64N32: 'mips64n32',
  SCMP_ARCH_MIPSEL: 'mipsel',
  SCMP_ARCH_MIPSEL64: 'mipsel64',
  SCMP_ARCH_MIPSEL64N32: 'mipsel64n32',
  SCMP_ARCH_PPC: 'ppc',
  SCMP_ARCH_PPC64: 'ppc64',
  SCMP_ARCH_PPC64LE: 'ppc64le',
  SCMP_ARCH_S390: 's390',
  SCMP_ARCH_S390X: 's390x',
  SCMP_ARCH_PARISC: 'parisc',
  SCMP_ARCH_PARISC64: 'parisc64',
  SCMP_ARCH_RISCV64: 'riscv64',
};

/** SECCOMP_FILTER_FLAG_* of linux/seccomp.h. */
export const SECCOMP_FLAGS: Record<string, number> = {
  SECCOMP_FILTER_FLAG_TSYNC: 1,
  SECCOMP_FILTER_FLAG_LOG: 2,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: 32,
};
const FLAG_NEW_LISTENER = 8;
const FLAG_TSYNC_ESRCH = 16;

/** The action's filter return value, errnoRet (or EPERM) in its data bits. */
export function actionValue(action: string, errnoRet: number | undefined): number {
  const base = SECCOMP_ACTIONS[action];
  if (base === undefined) throw new Error(`unknown seccomp action ${action}`);
  return ACTIONS_WITH_ERRNO.has(action) ? (base | ((errnoRet ?? EPERM) & 0xffff)) >>> 0 : base;
}

export function usesNotify(seccomp: LinuxSeccomp): boolean {
  return seccomp.defaultAction === 'SCMP_ACT_NOTIFY' || (seccomp.syscalls ?? []).some((s) => s.action === 'SCMP_ACT_NOTIFY');
}

/** The flags for seccomp(2): the config's, plus a listener for SCMP_ACT_NOTIFY. */
export function filterFlags(seccomp: LinuxSeccomp): number {
  let flags = 0;
  for (const name of seccomp.flags ?? []) flags |= SECCOMP_FLAGS[name] ?? 0;
  if (usesNotify(seccomp)) {
    flags |= FLAG_NEW_LISTENER;
    // TSYNC alone cannot be combined with a listener; in the single-threaded
    // init it syncs nothing, and TSYNC_ESRCH makes the pair legal.
    if (flags & SECCOMP_FLAGS.SECCOMP_FILTER_FLAG_TSYNC!) flags |= FLAG_TSYNC_ESRCH;
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
