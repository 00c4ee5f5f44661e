// The provisional cgroup record: `created` names exactly the directories
// that do not exist yet, so a delete --force after a killed create removes
// what create made and never a directory that was there before.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { plannedCgroupRecord } from '../../../src/container/planned-cgroup-record.ts';

t.test('v2: the missing leaf and parents, outermost first; existing ones left out', async (t) => {
  const mount = t.testdir({ existing: {} });
  const leaf = join(mount, 'existing/tsrun/c1');
  t.same(plannedCgroupRecord({ kind: 'v2', path: leaf, created: [] }), { kind: 'v2', path: leaf, created: [join(mount, 'existing/tsrun'), leaf] });
  mkdirSync(join(mount, 'existing/tsrun'));
  t.same((plannedCgroupRecord({ kind: 'v2', path: leaf, created: [] }) as { created: string[] }).created, [leaf], 'a shared parent that exists is not ours');
  mkdirSync(leaf);
  t.same((plannedCgroupRecord({ kind: 'v2', path: leaf, created: [] }) as { created: string[] }).created, [], 'nor a cgroup that exists already');
});

t.test('v1: every hierarchy and the hybrid v2 directory', async (t) => {
  const mount = t.testdir({ cpu: { tsrun: {} }, pids: {}, unified: {} });
  const rec = plannedCgroupRecord({
    kind: 'v1',
    controllers: { cpu: join(mount, 'cpu/tsrun/c1'), pids: join(mount, 'pids/tsrun/c1') },
    dirs: [
      { path: join(mount, 'cpu/tsrun/c1'), created: [] },
      { path: join(mount, 'pids/tsrun/c1'), created: [] },
    ],
    v2: { path: join(mount, 'unified/tsrun/c1'), created: [] },
  });
  t.same(rec, {
    kind: 'v1',
    controllers: { cpu: join(mount, 'cpu/tsrun/c1'), pids: join(mount, 'pids/tsrun/c1') },
    dirs: [
      { path: join(mount, 'cpu/tsrun/c1'), created: [join(mount, 'cpu/tsrun/c1')] },
      { path: join(mount, 'pids/tsrun/c1'), created: [join(mount, 'pids/tsrun'), join(mount, 'pids/tsrun/c1')] },
    ],
    v2: { path: join(mount, 'unified/tsrun/c1'), created: [join(mount, 'unified/tsrun'), join(mount, 'unified/tsrun/c1')] },
  });
});
