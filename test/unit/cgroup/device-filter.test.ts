// The device program is checked by running it: a small interpreter for the
// instructions device-filter.ts emits evaluates it against requests, and a
// structural check rejects what the kernel verifier would (unreachable or
// out-of-range instructions, falling off the end, uninitialised registers).
import t from 'tap';
import { DEFAULT_DEVICE_RULES, deviceFilterProgram, withDefaultDeviceRules } from '../../../src/cgroup/device-filter.ts';
import type { LinuxDeviceCgroup } from '../../../src/spec/types.ts';

type DevType = 'c' | 'b';
interface Request {
  type: DevType;
  major: number;
  minor: number;
  /** Requested access letters, e.g. "rw". */
  access: string;
}

const TYPE_BITS = { b: 1, c: 2 } as const;
const ACCESS_BITS: Record<string, number> = { m: 1, r: 2, w: 4 };

interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

function decode(prog: Buffer): Insn[] {
  if (prog.length % 8 !== 0) throw new Error(`program length ${prog.length} is not a multiple of 8`);
  const out: Insn[] = [];
  for (let at = 0; at < prog.length; at += 8) {
    const regs = prog.readUInt8(at + 1);
    out.push({ code: prog.readUInt8(at), dst: regs & 0xf, src: regs >> 4, off: prog.readInt16LE(at + 2), imm: prog.readInt32LE(at + 4) });
  }
  return out;
}

const JUMPS = new Set([0x05, 0x15, 0x16, 0x55, 0x56, 0x5e]);

/** What the verifier insists on: every instruction reachable, jumps in range, no fall-through past the end. */
function checkStructure(insns: Insn[]): void {
  const seen = new Set<number>();
  const todo = [0];
  while (todo.length > 0) {
    const pc = todo.pop() as number;
    if (pc < 0 || pc >= insns.length) throw new Error(`control flow leaves the program at ${pc}`);
    if (seen.has(pc)) continue;
    seen.add(pc);
    const ins = insns[pc] as Insn;
    if (ins.code === 0x95) continue;
    if (ins.code === 0x05) todo.push(pc + 1 + ins.off);
    else if (JUMPS.has(ins.code)) todo.push(pc + 1, pc + 1 + ins.off);
    else todo.push(pc + 1);
  }
  if (seen.size !== insns.length) throw new Error(`${insns.length - seen.size} unreachable instruction(s)`);
}

/** Run the program on a struct bpf_cgroup_dev_ctx; returns r0 (1 allow, 0 deny). */
function run(insns: Insn[], req: Request): number {
  const ctx = Buffer.alloc(12);
  let access = 0;
  for (const c of req.access) access |= ACCESS_BITS[c] ?? 0;
  ctx.writeUInt32LE(((access << 16) | TYPE_BITS[req.type]) >>> 0, 0);
  ctx.writeUInt32LE(req.major >>> 0, 4);
  ctx.writeUInt32LE(req.minor >>> 0, 8);

  const CTX = 'ctx';
  const regs: (number | typeof CTX | undefined)[] = new Array(11).fill(undefined);
  regs[1] = CTX;
  const scalar = (r: number): number => {
    const v = regs[r];
    if (typeof v !== 'number') throw new Error(`r${r} read as a number while ${v === undefined ? 'uninitialised' : 'a pointer'}`);
    return v;
  };
  for (let pc = 0, steps = 0; steps < 10_000; steps++) {
    const ins = insns[pc];
    if (!ins) throw new Error(`pc ${pc} outside the program`);
    pc++;
    switch (ins.code) {
      case 0x61: // ldx w
        if (regs[ins.src] !== CTX) throw new Error(`load through r${ins.src}, which is not the context`);
        if (![0, 4, 8].includes(ins.off)) throw new Error(`context offset ${ins.off}`);
        regs[ins.dst] = ctx.readUInt32LE(ins.off);
        break;
      case 0x54: // and32 imm
        regs[ins.dst] = (scalar(ins.dst) & ins.imm) >>> 0;
        break;
      case 0x74: // rsh32 imm
        regs[ins.dst] = scalar(ins.dst) >>> ins.imm;
        break;
      case 0xb4: // mov32 imm
        regs[ins.dst] = ins.imm >>> 0;
        break;
      case 0xbc: // mov32 reg
        regs[ins.dst] = scalar(ins.src);
        break;
      case 0x56: // jmp32 jne imm
        if (scalar(ins.dst) !== ins.imm >>> 0) pc += ins.off;
        break;
      case 0x16: // jmp32 jeq imm
        if (scalar(ins.dst) === ins.imm >>> 0) pc += ins.off;
        break;
      case 0x5e: // jmp32 jne reg
        if (scalar(ins.dst) !== scalar(ins.src)) pc += ins.off;
        break;
      case 0x05: // ja
        pc += ins.off;
        break;
      case 0x95: // exit
        return scalar(0);
      default:
        throw new Error(`opcode 0x${ins.code.toString(16)} not expected`);
    }
  }
  throw new Error('program did not terminate');
}

/** Compile `rules`, check it like the verifier, and return a decision function. */
function compile(rules: LinuxDeviceCgroup[]): (type: DevType, major: number, minor: number, access: string) => boolean {
  const insns = decode(deviceFilterProgram(rules));
  checkStructure(insns);
  return (type, major, minor, access) => {
    const r0 = run(insns, { type, major, minor, access });
    if (r0 !== 0 && r0 !== 1) throw new Error(`program returned ${r0}`);
    return r0 === 1;
  };
}

t.test('encoding: little-endian struct bpf_insn, dst in the low nibble', async (t) => {
  const prog = deviceFilterProgram([]);
  t.equal(prog.length, 8 * 8, 'six loads/shifts, then r0 = 0; exit');
  t.same([...prog.subarray(0, 8)], [0x61, 0x12, 0, 0, 0, 0, 0, 0], 'ldxw r2, [r1+0]');
  t.same([...prog.subarray(8, 16)], [0x54, 0x02, 0, 0, 0xff, 0xff, 0, 0], 'and32 r2, 0xffff');
  t.same([...prog.subarray(40, 48)], [0x61, 0x15, 8, 0, 0, 0, 0, 0], 'ldxw r5, [r1+8]');
  t.same([...prog.subarray(56, 64)], [0x95, 0, 0, 0, 0, 0, 0, 0], 'exit');
});

t.test('no rules: everything denied', async (t) => {
  const allowed = compile([]);
  t.notOk(allowed('c', 1, 3, 'r'));
  t.notOk(allowed('b', 8, 0, 'm'));
});

t.test('allow c 1:3 rwm: only /dev/null', async (t) => {
  const allowed = compile([
    { allow: false, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  ]);
  for (const a of ['r', 'w', 'm', 'rw', 'rwm']) t.ok(allowed('c', 1, 3, a), `c 1:3 ${a}`);
  t.notOk(allowed('c', 1, 5, 'r'), 'c 1:5');
  t.notOk(allowed('b', 1, 3, 'r'), 'b 1:3: type matters');
  t.notOk(allowed('c', 3, 1, 'r'), 'major and minor not swapped');
});

t.test('last match wins: deny after allow, allow after deny', async (t) => {
  const allowed = compile([
    { allow: true, type: 'c', major: 1, access: 'rwm' },
    { allow: false, type: 'c', major: 1, minor: 5, access: 'rwm' },
  ]);
  t.ok(allowed('c', 1, 3, 'rw'));
  t.notOk(allowed('c', 1, 5, 'r'), 'the later deny wins for 1:5');

  const reversed = compile([
    { allow: false, type: 'c', major: 1, minor: 5, access: 'rwm' },
    { allow: true, type: 'c', major: 1, access: 'rwm' },
  ]);
  t.ok(reversed('c', 1, 5, 'r'), 'the later allow wins');
});

t.test('a deny covering part of the request denies it (no O_RDWR hole)', async (t) => {
  const allowed = compile([
    { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
    { allow: false, type: 'c', major: 1, minor: 5, access: 'w' },
  ]);
  t.ok(allowed('c', 1, 5, 'r'));
  t.notOk(allowed('c', 1, 5, 'w'));
  t.notOk(allowed('c', 1, 5, 'rw'), 'read|write in one request is denied');
  t.ok(allowed('c', 1, 5, 'm'));
});

t.test('access is a subset check: "rw" allows r, w, rw but not m', async (t) => {
  const allowed = compile([{ allow: true, type: 'c', major: 10, minor: 229, access: 'rw' }]);
  t.ok(allowed('c', 10, 229, 'r'));
  t.ok(allowed('c', 10, 229, 'w'));
  t.ok(allowed('c', 10, 229, 'rw'));
  t.notOk(allowed('c', 10, 229, 'm'));
  t.notOk(allowed('c', 10, 229, 'rm'), 'one uncovered access is enough to refuse');

  const mknodOnly = compile([{ allow: true, type: 'b', access: 'm' }]);
  t.ok(mknodOnly('b', 8, 0, 'm'));
  t.notOk(mknodOnly('b', 8, 0, 'r'));
});

t.test('wildcards: absent, null and -1 majors/minors; type "a" and absent type cover b and c', async (t) => {
  const anyMajor = compile([{ allow: true, type: 'c', minor: 7, access: 'r' }]);
  t.ok(anyMajor('c', 1, 7, 'r'));
  t.ok(anyMajor('c', 250, 7, 'r'));
  t.notOk(anyMajor('c', 1, 8, 'r'));

  const runcStyle = compile([{ allow: true, type: 'c', major: 136, minor: -1, access: 'rwm' }]);
  t.ok(runcStyle('c', 136, 4, 'rw'), 'minor -1 is a wildcard');
  t.notOk(runcStyle('c', 137, 4, 'rw'));

  const allTypes = compile([{ allow: true, type: 'a', major: 8, access: 'r' }]);
  t.ok(allTypes('b', 8, 1, 'r'));
  t.ok(allTypes('c', 8, 1, 'r'));
  t.notOk(allTypes('b', 9, 1, 'r'));
});

t.test('a rule matching everything ends the program (the verifier rejects dead code)', async (t) => {
  const allowAll = compile([{ allow: false, type: 'c', major: 1, minor: 3, access: 'r' }, { allow: true }]);
  t.ok(allowAll('c', 1, 3, 'r'), 'the later allow-all wins');
  t.ok(allowAll('b', 259, 0, 'rwm'));
  const prog = deviceFilterProgram([{ allow: true, access: 'rwm' }]);
  t.equal(prog.length, 8 * 8, 'prologue, r0 = 1, exit: the default tail is left out');

  const denyAllLast = compile([...DEFAULT_DEVICE_RULES, { allow: false, type: 'a', access: 'rwm' }]);
  t.notOk(denyAllLast('c', 1, 3, 'r'), 'a deny-all after everything denies everything');
});

t.test('majors and minors use the full u32 range', async (t) => {
  const allowed = compile([{ allow: true, type: 'c', major: 0xffff_fff0, minor: 0x8000_0000, access: 'r' }]);
  t.ok(allowed('c', 0xffff_fff0, 0x8000_0000, 'r'));
  t.notOk(allowed('c', 0x7fff_fff0, 0x8000_0000, 'r'));
});

t.test('the usual config: deny all, config allows, runc defaults appended', async (t) => {
  const allowed = compile([
    { allow: false, access: 'rwm' },
    { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' }, // /dev/fuse
    ...DEFAULT_DEVICE_RULES,
  ]);
  for (const [maj, min] of [
    [1, 3],
    [1, 5],
    [1, 7],
    [1, 8],
    [1, 9],
    [5, 0],
    [5, 2],
    [136, 0],
    [136, 9],
    [10, 200],
  ] as const) {
    t.ok(allowed('c', maj, min, 'rw'), `c ${maj}:${min} rw`);
  }
  t.ok(allowed('c', 10, 229, 'rw'), '/dev/fuse from the config');
  t.ok(allowed('c', 10, 229, 'm'), 'mknod beyond the config’s "rw": the defaults allow mknod of any char device');
  t.ok(allowed('c', 4, 1, 'm'), 'mknod of any char device');
  t.ok(allowed('b', 8, 0, 'm'), 'mknod of any block device');
  t.notOk(allowed('b', 8, 0, 'r'), 'but not reading a disk');
  t.notOk(allowed('c', 4, 1, 'rw'), '/dev/tty1 denied');
  t.notOk(allowed('c', 5, 1, 'rw'), '/dev/console as a node is not in runc’s list');
});

t.test('DEFAULT_DEVICE_RULES is runc’s AllowedDevices list', async (t) => {
  t.same(
    DEFAULT_DEVICE_RULES.map((r) => `${r.type} ${r.major ?? '*'}:${r.minor ?? '*'} ${r.access}`),
    ['c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 1:8 rwm', 'c 1:7 rwm', 'c 5:0 rwm', 'c 1:5 rwm', 'c 1:9 rwm', 'c 136:* rwm', 'c 5:2 rwm', 'c 10:200 rwm'],
  );
  t.ok(DEFAULT_DEVICE_RULES.every((r) => r.allow));
  t.ok(Object.isFrozen(DEFAULT_DEVICE_RULES));
});

// The semantic checks reject these with a pointer (test/unit/spec/device-rule-checks.test.ts);
// reaching the compiler with one is a bug, never a program with a wrong meaning.
t.test('an unchecked invalid entry is a bug, not a program', async (t) => {
  const cases: LinuxDeviceCgroup[] = [
    { allow: true, type: 'x' },
    { allow: true, access: '' },
    { allow: true, access: 'rwx' },
  ];
  for (const bad of cases) t.throws(() => deviceFilterProgram([{ allow: false, access: 'rwm' }, bad]), /unchecked/, JSON.stringify(bad));
});

t.test('absent access means rwm', async (t) => {
  const allowed = compile([{ allow: true, type: 'c', major: 1, minor: 3 }]);
  t.ok(allowed('c', 1, 3, 'rwm'));
});

t.test('withDefaultDeviceRules: the config rules first, the defaults last (a config cannot deny them)', async (t) => {
  const config = [{ allow: false, access: 'rwm' }];
  t.same(withDefaultDeviceRules(config), [...config, ...DEFAULT_DEVICE_RULES]);
  t.same(withDefaultDeviceRules(undefined), [...DEFAULT_DEVICE_RULES]);
  const rules = compile(withDefaultDeviceRules([{ allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }]));
  t.ok(rules('c', 1, 3, 'rw'), '/dev/null stays usable');
});
