// tsrun's default parent (<mount>/tsrun), shared by every container that
// sets no cgroupsPath: tsrun's cgroup root, made by whichever container
// needs it first and never removed; a missing parent the config named is
// removed with the container that made it, when empty. Against plain directories in t.testdir()
// (rmdir of a non-empty one fails with ENOTEMPTY, as cgroupfs fails with EBUSY).
import t from 'tap';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { CgroupDir } from '../../../src/cgroup/cgroup-dir.ts';
import { managerFromRecord, newManager } from '../../../src/cgroup/manager.ts';
import { V1Manager } from '../../../src/cgroup/v1-manager.ts';
import { V2Manager } from '../../../src/cgroup/v2-manager.ts';
import { CgroupError } from '../../../src/errors.ts';

for (const order of [
  ['a', 'b'],
  ['b', 'a'],
] as const) {
  t.test(`two containers deleted in the order ${order.join(', ')}: the shared parent stays after the last`, async (t) => {
    const root = t.testdir();
    const parent = join(root, 'tsrun');
    const dirs = { a: new CgroupDir(join(parent, 'a'), [], parent), b: new CgroupDir(join(parent, 'b'), [], parent) };
    dirs.a.create();
    dirs.b.create();
    t.same(
      dirs.b.toRecord(),
      { path: join(parent, 'b'), created: [join(parent, 'b')], sharedParent: parent },
      'b did not make the parent but records it as shared',
    );
    // Through a record, as delete sees it.
    const [first, second] = order.map((id) => CgroupDir.fromRecord(JSON.parse(JSON.stringify(dirs[id].toRecord()))));
    await first!.remove();
    t.ok(fs.existsSync(parent), 'the parent stays while the other container is in it');
    await second!.remove();
    t.notOk(fs.existsSync(join(parent, 'a')) || fs.existsSync(join(parent, 'b')), 'both cgroups are gone');
    t.ok(fs.existsSync(parent), 'the parent stays, though a made it and it is empty');
  });
}

t.test('a parent the config named (no sharedParent) that existed before is never removed', async (t) => {
  const root = t.testdir({ machine: {} });
  const cg = new CgroupDir(join(root, 'machine', 'c1'));
  cg.create();
  await cg.remove();
  t.ok(fs.existsSync(join(root, 'machine')));
});

t.test('missing parents the config named are removed with the container that made them, when empty', async (t) => {
  const root = t.testdir();
  const a = new CgroupDir(join(root, 'pod', 'a'));
  a.create();
  t.same(a.toRecord().created, [join(root, 'pod'), join(root, 'pod', 'a')]);
  const b = new CgroupDir(join(root, 'pod', 'b'));
  b.create();
  await b.remove();
  t.ok(fs.existsSync(join(root, 'pod')), 'b did not make it');
  await a.remove();
  t.notOk(fs.existsSync(join(root, 'pod')), 'a made it: removed, now empty');
});

t.test('newManager marks the default parent shared only when cgroupsPath is unset', async (t) => {
  const layout = { v2: '/u', v1: { memory: '/m', pids: '/p' } };
  const rec = newManager(layout, undefined, 'c1').toRecord();
  t.same(rec.kind === 'v1' && rec.dirs.map((d) => d.sharedParent), ['/m/tsrun', '/p/tsrun']);
  t.equal(rec.kind === 'v1' && rec.v2?.sharedParent, '/u/tsrun');
  const named = newManager(layout, '/tsrun/c1', 'c1').toRecord();
  t.same(named.kind === 'v1' && named.dirs.map((d) => d.sharedParent), [undefined, undefined], 'a cgroupsPath of the same shape is not the default');
  const v2 = (path: string | undefined) => {
    const r = newManager({ v2: '/u', v1: {} }, path, 'c1').toRecord();
    return r.kind === 'v2' ? r.sharedParent : 'not v2';
  };
  t.equal(v2(undefined), '/u/tsrun');
  t.equal(v2(''), '/u/tsrun', 'an empty cgroupsPath is unset');
  t.equal(v2('x/y'), undefined);
});

t.test('a record whose sharedParent is not the parent of its cgroup is refused', async (t) => {
  t.throws(() => CgroupDir.fromRecord({ path: '/u/tsrun/c1', created: [], sharedParent: '/u' }), CgroupError);
  t.throws(() => CgroupDir.fromRecord({ path: '/u/tsrun/c1', created: [], sharedParent: 7 }), CgroupError);
  t.throws(() => managerFromRecord({ kind: 'v2', path: '/u/tsrun/c1', created: [], sharedParent: '/etc' }), CgroupError);
});

t.test('v1 and v2 managers keep the shared parent in every hierarchy', async (t) => {
  const root = t.testdir();
  const layout = { v2: join(root, 'unified'), v1: { memory: join(root, 'memory'), pids: join(root, 'pids') } };
  for (const d of Object.values(layout.v1)) fs.mkdirSync(d);
  fs.mkdirSync(layout.v2);
  const a = newManager(layout, undefined, 'a');
  const b = newManager(layout, undefined, 'b');
  a.create();
  b.create();
  await managerFromRecord(a.toRecord()).remove();
  for (const m of ['unified', 'memory', 'pids']) t.ok(fs.existsSync(join(root, m, 'tsrun', 'b')), `${m}: b untouched`);
  await managerFromRecord(b.toRecord()).remove();
  for (const m of ['unified', 'memory', 'pids']) {
    t.same(fs.readdirSync(join(root, m, 'tsrun')), [], `${m}: no container cgroup left, the parent stays`);
  }
});

t.test('rollback of a failed create removes the cgroups it made, not the shared parent', async (t) => {
  const root = t.testdir({ memory: {}, pids: { tsrun: { c1: 'a file where the cgroup should be' } } });
  const mgr = V1Manager.fresh({ memory: join(root, 'memory', 'tsrun', 'c1'), pids: join(root, 'pids', 'tsrun', 'c1') }, undefined, true);
  t.throws(() => mgr.create(), CgroupError);
  t.notOk(fs.existsSync(join(root, 'memory', 'tsrun', 'c1')), 'the cgroup made in memory is taken back');
  t.same(fs.readdirSync(join(root, 'memory', 'tsrun')), [], 'the shared parent it made stays, empty');
  t.ok(fs.existsSync(join(root, 'pids', 'tsrun', 'c1')), 'what was there is untouched');

  const v2 = V2Manager.fresh(join(root, 'pids', 'tsrun', 'c1', 'x'), false);
  t.throws(() => v2.create(), CgroupError);
  t.ok(fs.existsSync(join(root, 'pids', 'tsrun')), 'not a shared parent: kept');
});

t.test("a delete removing the empty shared parent between a create's mkdirs: the create makes it again", async (t) => {
  const root = t.testdir();
  const parent = join(root, 'tsrun');
  const leaf = join(parent, 'c2');
  let removals = 0;
  const { CgroupDir: Mocked } = await t.mockImport<typeof import('../../../src/cgroup/cgroup-dir.ts')>('../../../src/cgroup/cgroup-dir.ts', {
    'node:fs': {
      ...fs,
      mkdirSync: (path: fs.PathLike, ...rest: unknown[]) => {
        // Another container's delete: rmdir of the then empty parent, just
        // before our mkdir of the leaf (the first two times).
        if (String(path) === leaf && removals < 2 && fs.existsSync(parent)) {
          fs.rmdirSync(parent);
          removals++;
        }
        return (fs.mkdirSync as (...a: unknown[]) => unknown)(path, ...rest);
      },
    },
  });
  fs.mkdirSync(parent); // left by a container whose delete is now running
  const cg = new Mocked(leaf, [], parent);
  cg.create();
  t.equal(removals, 2, 'the parent was removed twice under the create');
  t.ok(fs.statSync(leaf).isDirectory(), 'the create still made its cgroup');
  t.same(cg.toRecord().created, [parent, leaf], 'the parent it made again is recorded once');
  await cg.remove();
  t.notOk(fs.existsSync(leaf));
  t.ok(fs.existsSync(parent), 'the shared parent stays');
});
