// The lifecycle record both ways: TypeScript encodes it (lifecycle-record.ts,
// named slots), build/Release/plan-dump checks it with plan-reader.c and
// reads it back with the front door's own loader (csrc/frontdoor/lifecycle.c,
// the same named slots in plan.h); what C read must be what TS meant.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { sampleLifecycle as sample } from '../../helpers/samples.ts';
import { encodeEnvelope, REC } from '../../../src/plan/encode.ts';
import { CGKILL, encodeLifecycle, FREEZER, LC_HOOK_KIND, LCF, lifecycleRecords, PROCS, RMDIR } from '../../../src/plan/lifecycle-record.ts';

const PLAN_DUMP = resolve(import.meta.dirname, '../../../build/Release/plan-dump');

t.test('plan-reader.c takes every lifecycle record unchanged', async (t) => {
  const input = sample();
  const r = spawnSync(PLAN_DUMP, { input: encodeLifecycle(input), encoding: 'utf8' });
  t.equal(r.status, 0, r.stdout);
  // plan-dump's named "fields"/"list" views cover the launch plan's kinds; the raw numbers are what matter here.
  const got = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .map(({ kind, nums, strs }: { kind: number; nums: string[]; strs: string[] }) => ({ kind, nums, strs }));
  t.same(
    got,
    lifecycleRecords(input).map((rec) => ({ kind: rec.kind, nums: rec.nums.map((n) => BigInt.asUintN(64, BigInt(n)).toString()), strs: rec.strs })),
  );
  t.ok(
    got.every((rec: { kind: number }) => rec.kind >= REC.LC_CONTAINER && rec.kind <= REC.LC_HOOK),
    'only lifecycle kinds',
  );
});

t.test('the front door reads back what create meant', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-lifecycle-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'lifecycle'), encodeLifecycle(sample()));
  const r = spawnSync(PLAN_DUMP, ['--lifecycle', dir], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stdout);
  const lc = JSON.parse(r.stdout);
  t.same(lc, {
    pid: 4242,
    startTime: '987654321',
    flags: LCF.MOUNT_NS,
    ociVersion: '1.2.0',
    id: 'c1',
    bundle: '/b',
    rootfs: '/b/rootfs',
    created: '2026-01-01T00:00:00.000Z',
    owner: 'root',
    fifo: '/run/tsrun/c1/exec.fifo',
    // JSON.stringify's order: the integer-like key first.
    annotations: [
      ['7', 'integer keys come first in JS'],
      ['z', '1'],
      ['ü "q"', 'line\nbreak'],
    ],
    freezer: {
      kind: FREEZER.V1,
      control: '/cg/freezer/tsrun/c1/freezer.state',
      freeze: 'FROZEN',
      thaw: 'THAWED',
      stateFile: '/cg/freezer/tsrun/c1/freezer.state',
      stateKey: '',
    },
    procs: [
      { flags: PROCS.ALONE, path: '/cg/unified/tsrun/c1' },
      { flags: 0, path: '/cg/cpu/tsrun/c1' },
      { flags: 0, path: '/cg/freezer/tsrun/c1' },
    ],
    cgroupKill: { flags: CGKILL.THAW_FROZEN, path: '/cg/unified/tsrun/c1/cgroup.kill' },
    // Deepest first per hierarchy; never the shared parent, though this container made /cg/cpu/tsrun.
    rmdirs: [
      { how: RMDIR.TREE, path: '/cg/cpu/tsrun/c1' },
      { how: RMDIR.TREE, path: '/cg/freezer/tsrun/c1' },
      { how: RMDIR.TREE, path: '/cg/unified/tsrun/c1' },
    ],
    hooks: [
      { kind: LC_HOOK_KIND.POSTSTART, timeout: 3, hasEnv: 1, path: '/bin/h', args: ['h', '-x'], env: ['A=1'] },
      { kind: LC_HOOK_KIND.POSTSTOP, timeout: 0, hasEnv: 0, path: '/bin/p', args: [], env: [] },
    ],
  });
});

t.test('a v2 manager: its one directory, cgroup.kill without a thaw, no shared parent without the default path', async (t) => {
  const input = { ...sample(), cgroup: { kind: 'v2' as const, path: '/cg/a/b', created: ['/cg/a', '/cg/a/b'] }, sharedParents: [] };
  const recs = lifecycleRecords(input);
  t.same(
    recs.filter((r) => r.kind === REC.LC_FREEZER).map((r) => r.strs),
    [['/cg/a/b/cgroup.freeze', '1', '0', '/cg/a/b/cgroup.events', 'frozen']],
  );
  t.same(
    recs.filter((r) => r.kind === REC.LC_CGROUP_KILL).map((r) => r.nums),
    [[0]],
  );
  t.same(
    recs.filter((r) => r.kind === REC.LC_RMDIR).map((r) => [r.nums[0], r.strs[0]]),
    [
      [RMDIR.TREE, '/cg/a/b'],
      [RMDIR.IF_EMPTY, '/cg/a'],
    ],
  );
});

t.test('the front door refuses damaged or foreign records (and hands the call to node)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-lifecycle-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const good = encodeLifecycle(sample());
  const refused = (buf: Buffer) => {
    writeFileSync(join(dir, 'lifecycle'), buf);
    return spawnSync(PLAN_DUMP, ['--lifecycle', dir], { encoding: 'utf8', timeout: 10_000 }).status === 1;
  };
  t.ok(refused(good.subarray(0, good.length - 8)), 'truncated');
  const kind = Buffer.from(good);
  kind.writeUInt32LE(REC.LSM, 24); // a launch-plan kind where the container record should be
  t.ok(refused(kind), 'a launch-plan record');
  const noContainer = Buffer.from(good);
  noContainer.writeUInt32LE(3, 24 + 8); // num_count 3 < LC_CONTAINER_SLOTS
  t.ok(refused(noContainer), 'a container record with too few numbers');
  // Hook counts whose sum wraps back to the strings there are (1 + argc + env_count = 4 mod 2^64).
  const wrapped = lifecycleRecords(sample()).map((r) =>
    r.kind === REC.LC_HOOK && r.strs.length === 4 ? { ...r, nums: [r.nums[0]!, r.nums[1]!, 2n ** 64n - 1n, 4, 1] } : r,
  );
  t.ok(refused(encodeEnvelope(wrapped)), 'hook argc and env_count that wrap around');
});

t.test('a lifecycle record missing a named slot is a plan error in the reader itself', async (t) => {
  for (const kind of [REC.LC_CONTAINER, REC.LC_FREEZER, REC.LC_PROCS, REC.LC_CGROUP_KILL, REC.LC_RMDIR, REC.LC_HOOK]) {
    const recs = lifecycleRecords(sample()).map((r) => (r.kind === kind ? { ...r, nums: r.nums.slice(0, -1) } : r));
    const r = spawnSync(PLAN_DUMP, { input: encodeEnvelope(recs), encoding: 'utf8' });
    t.equal(r.status, 1, `kind ${kind}`);
    t.match(r.stdout, /fewer numbers than its kind's slots/, `kind ${kind}`);
  }
  const short = lifecycleRecords(sample()).map((r) => (r.kind === REC.LC_CONTAINER ? { ...r, strs: r.strs.slice(0, -1) } : r));
  t.match(
    spawnSync(PLAN_DUMP, { input: encodeEnvelope(short), encoding: 'utf8' }).stdout,
    /fewer strings than its kind needs/,
    'a container record without its owner',
  );
});
