// Rootless without a cgroup: which resources count as limits, and that a
// limit is refused by its JSON pointer while devices rules alone are fine.
import t from 'tap';
import { NoCgroupManager } from '../../../src/cgroup/no-cgroup-manager.ts';
import { resourcesSet } from '../../../src/cgroup/resources-set.ts';

t.test('resourcesSet: pointers of the values a config sets', async (t) => {
  t.same(resourcesSet(undefined), []);
  t.same(resourcesSet({}), []);
  t.same(resourcesSet({ memory: {}, cpu: {}, blockIO: { weightDevice: [] } }), [], 'empty objects and arrays set nothing');
  t.same(resourcesSet({ memory: { limit: 1 }, pids: { limit: 5 } }), ['/linux/resources/memory/limit', '/linux/resources/pids/limit']);
  t.same(resourcesSet({ unified: { 'memory.high': '5', 'a/b': 'x' } }), ['/linux/resources/unified/memory.high', '/linux/resources/unified/a~1b']);
  t.same(resourcesSet({ hugepageLimits: [{ pageSize: '2MB', limit: 0 }] }), [
    '/linux/resources/hugepageLimits/0/pageSize',
    '/linux/resources/hugepageLimits/0/limit',
  ]);
});

t.test('apply: devices are ignored, any limit is an error naming it', async (t) => {
  const m = new NoCgroupManager();
  t.same(m.apply({}), []);
  t.same(m.apply({ devices: [{ allow: false, access: 'rwm' }] } as any), []);
  t.throws(
    () => m.apply({ cpu: { shares: 512 } }),
    /^\/linux\/resources\/cpu\/shares: cannot apply a resource limit: running rootless without a delegated cgroup/,
  );
});

t.test('no pid tracked yet: no processes, nothing to wait for; pause refused', async (t) => {
  const m = new NoCgroupManager();
  t.same(m.procs(), []);
  t.equal(await m.waitEmpty(10), true);
  t.equal(m.isFrozen(), false);
  await t.rejects(m.freeze(), /pause needs a cgroup/);
  t.same(m.dirs(), { v1: {} });
  t.equal(m.v2DirFd(), undefined);
});

t.test('a tracked pid whose start time differs (reused pid) is not the container', async (t) => {
  const m = NoCgroupManager.fromRecord({ kind: 'none', pid: process.pid, startTime: -1, ownPidNamespace: false });
  t.same(m.procs(), []);
  const { readProcStat } = await import('../../../src/state/proc-stat.ts');
  const me = NoCgroupManager.fromRecord({ kind: 'none', pid: process.pid, startTime: readProcStat(process.pid)!.startTime, ownPidNamespace: false });
  t.same(me.procs(), [process.pid]);
  t.same(me.toRecord(), { kind: 'none', pid: process.pid, startTime: readProcStat(process.pid)!.startTime, ownPidNamespace: false });
});
