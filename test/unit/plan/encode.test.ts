// The TS encoder and the C reader agree: plans round-trip through
// build/Release/plan-dump, which checks them with csrc/init/plan-reader.c.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import t from 'tap';
import { encodePlan, planRecords, REC, SLOTS } from '../../../src/plan/encode.ts';
import type { LaunchPlan } from '../../../src/plan/launch-plan.ts';

const PLAN_DUMP = resolve(import.meta.dirname, '../../../build/Release/plan-dump');

interface Dumped {
  kind: number;
  fields: Record<string, string>;
  list: string[];
  nums: string[];
  strs: string[];
}

function dump(buf: Buffer): { error?: string; records?: Dumped[] } {
  const r = spawnSync(PLAN_DUMP, { input: buf, encoding: 'utf8' });
  if (r.status !== 0) return { error: JSON.parse(r.stdout).error };
  return {
    records: r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
  };
}

export function samplePlan(): LaunchPlan {
  return {
    namespaces: [{ flag: 0x20000000 }, { flag: 0x40000000, joinPath: '/run/netns/x' }],
    timeOffsets: [{ clock: 1, secs: -5n, nanosecs: 7 }],
    uidMappings: '',
    gidMappings: '',
    hostname: 'h',
    domainname: 'd',
    rootfs: { path: '/b/rootfs', parentMount: '/', readonly: true, noPivot: false, hostMountNs: false, hostPropagation: 0x84000, rootPropagation: 0 },
    mounts: [
      {
        pointer: '/mounts/0',
        source: 'proc',
        destination: '/proc',
        fstype: 'proc',
        data: '',
        flags: 14,
        propagation: 0,
        bind: false,
        attrSet: 0,
        attrClear: 0,
        extensions: 0,
      },
    ],
    devices: [{ path: '/dev/null', type: 0o020000, major: 1, minor: 3, mode: 0o666, uid: 0, gid: 0, bind: false, hostPath: '/dev/null' }],
    symlinks: [{ target: '/proc/self/fd', path: '/dev/fd' }],
    maskedPaths: ['/proc/kcore'],
    readonlyPaths: ['/proc/sys'],
    sysctl: [{ path: 'net/ipv4/ip_forward', value: '1' }],
    rlimits: [{ resource: 7, soft: 1024n, hard: 0xffffffffffffffffn }],
    capabilities: { bounding: 1n << 40n, effective: 1n, inheritable: 0n, permitted: 1n, ambient: 0n },
    user: { uid: 1000, gid: 1000, umask: 0o022, additionalGids: [5, 6] },
    process: {
      noNewPrivileges: true,
      terminal: false,
      oomScoreAdj: -500,
      newKeyring: true,
      keyringName: '_ses.c1',
      keyringPerm: 0x80000,
      preserveFds: 2,
    },
    args: ['sh', '-c', 'echo "ünïcode"'],
    env: ['PATH=/bin'],
    cwd: '/',
    hooks: [{ kind: 'startContainer', path: '/h', args: ['h', 'a'], env: ['X=1'], timeout: 3 }],
    personality: 0x40008,
    ioPriority: (2 << 13) | 7,
    scheduler: { policy: 6, nice: -3, priority: 0, flags: 0x1n, runtime: 10_000_000n, deadline: 30_000_000n, period: 30_000_000n },
    cpuAffinity: { initial: [0b101n], final: [1n, 1n << 63n] },
    lsm: { kind: 'apparmor', file: 'apparmor/exec', value: 'exec tsrun-test' },
  };
}

t.test('every record survives the C reader unchanged', async (t) => {
  const plan = samplePlan();
  const out = dump(encodePlan(plan));
  t.notOk(out.error, out.error ?? 'no error');
  const want = planRecords(plan).map((r) => ({
    kind: r.kind,
    nums: r.nums.map((n) => BigInt.asUintN(64, BigInt(n)).toString()),
    strs: r.strs,
  }));
  t.same(
    out.records!.map(({ kind, nums, strs }) => ({ kind, nums, strs })),
    want,
  );
});

t.test('plan-dump names every slot as encode.ts does', async (t) => {
  const recs = dump(encodePlan(samplePlan())).records!;
  const kindName = Object.fromEntries(Object.entries(REC).map(([name, kind]) => [kind, name]));
  for (const r of recs) {
    const name = kindName[r.kind] as keyof typeof SLOTS;
    const slots = (SLOTS as Record<string, readonly string[]>)[name] ?? [];
    t.same(
      Object.keys(r.fields),
      slots.map((s) => s.toLowerCase()),
      `${name}: the slots, in order`,
    );
    t.same([...Object.values(r.fields), ...r.list], r.nums, `${name}: fields then list are all the numbers`);
  }
  const by = (kind: number) => recs.find((r) => r.kind === kind)!;
  t.same(by(REC.USER).fields, { uid: '1000', gid: '1000', umask: '18' });
  t.same(by(REC.USER).list, ['5', '6'], 'additional gids follow the slots');
  t.match(by(REC.PROCESS).fields, {
    flags: String(1 | 4 | 8),
    oom_score_adj: BigInt.asUintN(64, -500n).toString(),
    preserve_fds: '2',
    keyring_perm: String(0x80000),
  });
  t.match(by(REC.ROOTFS).fields, { flags: '1', host_propagation: String(0x84000), root_propagation: '0' });
  t.match(by(REC.MOUNT).fields, { flags: '14', kind: '0', tree_fd: BigInt.asUintN(64, -1n).toString() });
  t.match(by(REC.DEVICE).fields, { type: String(0o020000), major: '1', minor: '3', mode: String(0o666), how: '0' });
  t.same(by(REC.RLIMIT).fields, { resource: '7', soft: '1024', hard: '18446744073709551615' });
  t.match(by(REC.HOOK).fields, { kind: '2', timeout: '3', argc: '2' });
  t.same(by(REC.LSM).fields, { kind: '1' });
});

/** A one-record plan with a record of `kind` holding `nums` and `strs`. */
function onePlan(kind: number, nums: number[], strs: string[]): Buffer {
  const body = Buffer.concat(strs.map((s) => Buffer.from(`${s}\0`)));
  const size = Math.ceil((16 + nums.length * 8 + body.length) / 8) * 8;
  const rec = Buffer.alloc(size);
  rec.writeUInt32LE(kind, 0);
  rec.writeUInt32LE(size, 4);
  rec.writeUInt32LE(nums.length, 8);
  rec.writeUInt32LE(strs.length, 12);
  nums.forEach((n, i) => rec.writeUInt32LE(n, 16 + i * 8));
  body.copy(rec, 16 + nums.length * 8);
  const head = Buffer.alloc(24);
  head.write('TSRPLAN\0', 0, 'latin1');
  head.writeUInt32LE(1, 8);
  head.writeUInt32LE(24 + size, 12);
  head.writeUInt32LE(1, 16);
  return Buffer.concat([head, rec]);
}

t.test('a record with fewer numbers than its slots is a plan error, not a 0', async (t) => {
  t.notOk(dump(onePlan(REC.USER, [1000, 1000, 18], [])).error, 'all three USER slots: fine');
  t.match(dump(onePlan(REC.USER, [1000, 1000], [])).error, /fewer numbers than its kind's slots/, 'no umask: refused');
  t.match(dump(onePlan(REC.USER, [], [])).error, /fewer numbers/, 'no uid: refused, never read as root');
  t.match(dump(onePlan(REC.MOUNT, [0, 0, 0, 0, 0, 0], ['a', 'b', 'c', 'd'])).error, /fewer numbers/, 'a mount without its tree fd slot');
  t.match(dump(onePlan(REC.ARG, [], [])).error, /fewer strings/, 'an argument record without its string');
  t.notOk(dump(onePlan(REC.ARG, [], ['sh'])).error);
});

t.test("joined namespaces get fds after the fixed ones; negatives are two's complement", async (t) => {
  const recs = dump(encodePlan(samplePlan())).records!;
  const ns = recs.filter((r) => r.kind === REC.NAMESPACE);
  // base = 3 + preserveFds(2) = 5; namespaces start at base + 4.
  t.same(
    ns.map((r) => r.nums[1]),
    [BigInt.asUintN(64, -1n).toString(), '9'],
  );
  const proc = recs.find((r) => r.kind === REC.PROCESS)!;
  t.equal(proc.nums[1], BigInt.asUintN(64, -500n).toString());
});

t.test('the C reader rejects damaged plans', async (t) => {
  const good = encodePlan(samplePlan());
  const badMagic = Buffer.from(good);
  badMagic.write('XXXXXXX', 0);
  t.match(dump(badMagic).error, /magic/);
  t.match(dump(good.subarray(0, good.length - 8)).error, /size/);
  const badVersion = Buffer.from(good);
  badVersion.writeUInt32LE(99, 8);
  t.match(dump(badVersion).error, /version/);
  const unterminated = Buffer.from(good);
  // the last record (the LSM one) ends in strings: overwrite them and the padding with 'x'
  unterminated.fill(0x78, good.length - 16);
  t.match(dump(unterminated).error, /not terminated|size/);
  const hugeCount = Buffer.from(good);
  hugeCount.writeUInt32LE(24 + 1, 24 + 8); // first record: num_count far past its size
  t.match(dump(hugeCount).error, /numbers past/);
});

t.test('the seccomp record: flags, the listener fd after the namespace fds, one number per BPF instruction', async (t) => {
  // Two instructions: ld [0] (nr); ret ALLOW.
  const program = Buffer.alloc(16);
  program.writeUInt16LE(0x20, 0);
  program.writeUInt32LE(0, 4);
  program.writeUInt16LE(0x06, 8);
  program.writeUInt32LE(0x7fff0000, 12);
  const plan = { ...samplePlan(), seccomp: { flags: 8, program, listener: true } };
  const out = dump(encodePlan(plan));
  t.notOk(out.error, out.error ?? 'no error');
  const rec = out.records!.find((r) => r.kind === REC.SECCOMP)!;
  // base 5 + FIRST_NS 4 + one joined namespace: the listener is fd 10.
  t.same(rec.nums, ['8', '10', '32', String((0x7fff0000n << 32n) | 6n)]);
  const none = dump(encodePlan({ ...plan, seccomp: { flags: 0, program, listener: false } })).records!.find((r) => r.kind === REC.SECCOMP)!;
  t.equal(none.nums[1], BigInt.asUintN(64, -1n).toString());
});
