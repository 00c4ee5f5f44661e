// OCI linux.resources.devices → a BPF_PROG_TYPE_CGROUP_DEVICE program, as
// raw `struct bpf_insn` bytes for the addon to load and attach (cgroup v2 has
// no devices.allow file; the kernel asks the program on every open/mknod).
//
// Semantics follow the v1 devices list that the spec refers to: entries apply
// in order, so the *last* entry matching a request decides, and anything no
// entry matches is denied. The program tests the entries in reverse order and
// returns at the first match, which is the last matching entry (as crun's
// ebpf.c and runc's pre-emulator devicefilter.go do).
//
// One departure from crun/runc: they match a deny entry only when it covers
// *all* the requested access, so after [allow c 1:5 rwm, deny c 1:5 w] an
// open(O_RDWR) (read|write in one request) is allowed although writing was
// denied. Here a deny entry matches when it covers *any* requested access,
// as the v1 kernel's match_exception_partial() does for deny exceptions
// (security/device_cgroup.c), so the program never allows a request that a
// per-access reading of the list would deny.
//
// Program shape (register use as in systemd, crun and runc):
//   r2 = ctx->access_type & 0xffff    device type (BPF_DEVCG_DEV_*)
//   r3 = ctx->access_type >> 16       requested access (BPF_DEVCG_ACC_*)
//   r4 = ctx->major
//   r5 = ctx->minor
//   per entry, last first:
//     if r2 != type goto next                  (omitted for type "a")
//     r1 = r3; r1 &= access                    (omitted for "rwm")
//       allow entry: if r1 != r3 goto next     all requested access covered
//       deny entry:  if r1 == 0 goto next      any requested access covered
//     if r4 != major goto next                 (omitted for a wildcard)
//     if r5 != minor goto next                 (omitted for a wildcard)
//     r0 = allow; exit
//   next: …
//   r0 = 0; exit                               default deny
import type { LinuxDeviceCgroup } from '../spec/types.ts';

const rule = (type: 'c' | 'b', major: number | undefined, minor: number | undefined, access: string): LinuxDeviceCgroup => ({
  allow: true,
  type,
  ...(major === undefined ? {} : { major }),
  ...(minor === undefined ? {} : { minor }),
  access,
});

/**
 * The device rules every container gets on top of its config, the same set as
 * runc's AllowedDevices (libcontainer/specconv/spec_linux.go). The caller
 * appends them after the config's rules, so (last match wins) a config
 * cannot deny these, exactly as with runc.
 */
export const DEFAULT_DEVICE_RULES: readonly LinuxDeviceCgroup[] = Object.freeze([
  rule('c', undefined, undefined, 'm'), // mknod of any char device (the node is still unusable)
  rule('b', undefined, undefined, 'm'), // mknod of any block device
  rule('c', 1, 3, 'rwm'), // /dev/null
  rule('c', 1, 8, 'rwm'), // /dev/random
  rule('c', 1, 7, 'rwm'), // /dev/full
  rule('c', 5, 0, 'rwm'), // /dev/tty
  rule('c', 1, 5, 'rwm'), // /dev/zero
  rule('c', 1, 9, 'rwm'), // /dev/urandom
  rule('c', 136, undefined, 'rwm'), // /dev/pts/* (also /dev/console, a bind of one pty)
  rule('c', 5, 2, 'rwm'), // /dev/ptmx
  // /dev/net/tun: runc dropped it in 1.2.0-rc1 and restored it because
  // engines had come to rely on it (runc PR #3468).
  rule('c', 10, 200, 'rwm'),
]);

// runc's order: the config's rules (applied in order, last match wins),
// then the defaults every container needs, which a config cannot deny.
// A linux.devices node is reachable only when a rule allows it, as in runc.
export function withDefaultDeviceRules(configRules: readonly LinuxDeviceCgroup[] = []): LinuxDeviceCgroup[] {
  return [...configRules, ...DEFAULT_DEVICE_RULES];
}

// include/uapi/linux/bpf.h: enum bpf_cgroup_dev_type / bpf_cgroup_dev_access.
const DEV_BLOCK = 1;
const DEV_CHAR = 2;
const ACC_MKNOD = 1;
const ACC_READ = 2;
const ACC_WRITE = 4;
const ACC_ALL = ACC_MKNOD | ACC_READ | ACC_WRITE;
const ACCESS_BITS: Record<string, number> = { r: ACC_READ, w: ACC_WRITE, m: ACC_MKNOD };

// Opcodes (class | op | source), include/uapi/linux/bpf_common.h and bpf.h.
export const OP = {
  LDX_MEM_W: 0x61, // BPF_LDX | BPF_MEM | BPF_W
  ALU32_AND_K: 0x54, // BPF_ALU | BPF_AND | BPF_K
  ALU32_RSH_K: 0x74, // BPF_ALU | BPF_RSH | BPF_K
  ALU32_MOV_K: 0xb4, // BPF_ALU | BPF_MOV | BPF_K
  ALU32_MOV_X: 0xbc, // BPF_ALU | BPF_MOV | BPF_X
  // BPF_JMP32 compares the low 32 bits: majors and minors are u32 in the
  // context, and a 64-bit compare would sign-extend immediates ≥ 2^31.
  JMP32_JNE_K: 0x56, // BPF_JMP32 | BPF_JNE | BPF_K
  JMP32_JEQ_K: 0x16, // BPF_JMP32 | BPF_JEQ | BPF_K
  JMP32_JNE_X: 0x5e, // BPF_JMP32 | BPF_JNE | BPF_X
  EXIT: 0x95, // BPF_JMP | BPF_EXIT
} as const;

const INSN_SIZE = 8;

interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

const insn = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });

// The semantic checks (spec/semantic-checks.ts) reject bad rules before
// create makes anything; meeting one here is a bug, not a config error.
function unchecked(r: LinuxDeviceCgroup): Error {
  return new Error(`device rule ${JSON.stringify(r)} reached the device filter unchecked`);
}

function accessMask(r: LinuxDeviceCgroup): number {
  if (r.access === undefined) return ACC_ALL;
  let mask = 0;
  for (const c of r.access) {
    const bit = ACCESS_BITS[c];
    if (bit === undefined) throw unchecked(r);
    mask |= bit;
  }
  if (mask === 0) throw unchecked(r);
  return mask;
}

const isWildcard = (v: number | undefined): boolean => v === undefined || v === -1;

/** The instructions of one entry's block; jumps hold -1 until their target is known. */
function ruleBlock(r: LinuxDeviceCgroup): { insns: Insn[]; matchesAll: boolean } {
  const insns: Insn[] = [];
  const type = r.type ?? 'a';
  if (type !== 'a' && type !== 'b' && type !== 'c') throw unchecked(r);
  if (type !== 'a') insns.push(insn(OP.JMP32_JNE_K, 2, 0, -1, type === 'b' ? DEV_BLOCK : DEV_CHAR));
  const access = accessMask(r);
  if (access !== ACC_ALL) {
    // r1 = requested & entry's access. Every request asks for at least one
    // access, so with "rwm" both tests below always pass and are left out.
    insns.push(insn(OP.ALU32_MOV_X, 1, 3, 0, 0), insn(OP.ALU32_AND_K, 1, 0, 0, access));
    insns.push(r.allow ? insn(OP.JMP32_JNE_X, 1, 3, -1, 0) : insn(OP.JMP32_JEQ_K, 1, 0, -1, 0));
  }
  // Immediates are s32 on the wire; `| 0` maps u32 values ≥ 2^31 onto the same bits.
  if (!isWildcard(r.major)) insns.push(insn(OP.JMP32_JNE_K, 4, 0, -1, (r.major as number) | 0));
  if (!isWildcard(r.minor)) insns.push(insn(OP.JMP32_JNE_K, 5, 0, -1, (r.minor as number) | 0));
  const matchesAll = insns.length === 0;
  insns.push(insn(OP.ALU32_MOV_K, 0, 0, 0, r.allow ? 1 : 0), insn(OP.EXIT, 0, 0, 0, 0));
  // Every "goto next" lands just past this block's exit.
  insns.forEach((ins, i) => {
    if (ins.off === -1) ins.off = insns.length - (i + 1);
  });
  return { insns, matchesAll };
}

/**
 * The device program for `rules` (the config's entries, already checked by
 * the semantic checks, followed by the caller's additions, e.g.
 * DEFAULT_DEVICE_RULES), as little-endian `struct bpf_insn` records.
 */
export function deviceFilterProgram(rules: readonly LinuxDeviceCgroup[]): Buffer {
  const program: Insn[] = [
    insn(OP.LDX_MEM_W, 2, 1, 0, 0),
    insn(OP.ALU32_AND_K, 2, 0, 0, 0xffff),
    insn(OP.LDX_MEM_W, 3, 1, 0, 0),
    insn(OP.ALU32_RSH_K, 3, 0, 0, 16),
    insn(OP.LDX_MEM_W, 4, 1, 4, 0),
    insn(OP.LDX_MEM_W, 5, 1, 8, 0),
  ];
  let decided = false;
  for (const r of [...rules].reverse()) {
    const { insns, matchesAll } = ruleBlock(r);
    program.push(...insns);
    // An entry matching every request decides everything: the verifier
    // rejects unreachable instructions, so nothing may follow it.
    if (matchesAll) {
      decided = true;
      break;
    }
  }
  if (!decided) program.push(insn(OP.ALU32_MOV_K, 0, 0, 0, 0), insn(OP.EXIT, 0, 0, 0, 0));
  return encode(program);
}

function encode(program: Insn[]): Buffer {
  const buf = Buffer.alloc(program.length * INSN_SIZE);
  program.forEach((ins, i) => {
    const at = i * INSN_SIZE;
    buf.writeUInt8(ins.code, at);
    buf.writeUInt8((ins.src << 4) | ins.dst, at + 1); // dst_reg:4 is the low nibble
    buf.writeInt16LE(ins.off, at + 2);
    buf.writeInt32LE(ins.imm, at + 4);
  });
  return buf;
}
