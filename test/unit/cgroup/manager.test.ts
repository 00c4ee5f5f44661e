// The managers against fake cgroup trees made of plain directories and
// files in t.testdir(): which hierarchy each limit goes to, what is
// created and removed, records, and the choice between v1 and v2.
import t from 'tap';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { managerFromRecord, newManager } from '../../../src/cgroup/manager.ts';
import { V1Manager } from '../../../src/cgroup/v1-manager.ts';
import { enableControllers, V2Manager } from '../../../src/cgroup/v2-manager.ts';
import { CgroupError } from '../../../src/errors.ts';

/** Pre-create the interface files a kernel would show in a new cgroup (cgroupfs does that itself). */
function touch(dir: string, files: string[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of files) fs.writeFileSync(join(dir, f), '');
}

t.test('newManager: v1 where the host mounts v1 controllers, else v2; unknown hierarchies are ignored', async (t) => {
  const hybrid = newManager({ v2: '/u', v1: { memory: '/m', cpu: '/c', cpuacct: '/c', name: '/s' } }, undefined, 'c1');
  t.equal(hybrid.kind, 'v1');
  t.same(hybrid.dirs(), { v2: '/u/tsrun/c1', v1: { memory: '/m/tsrun/c1', cpu: '/c/tsrun/c1', cpuacct: '/c/tsrun/c1' } });
  const rec = hybrid.toRecord();
  t.same(rec.kind === 'v1' && rec.dirs.map((d) => d.path), ['/m/tsrun/c1', '/c/tsrun/c1'], 'co-mounted controllers share one directory');
  const unified = newManager({ v2: '/sys/fs/cgroup', v1: {} }, '/a/b', 'c1');
  t.equal(unified.kind, 'v2');
  t.same(unified.dirs(), { v2: '/sys/fs/cgroup/a/b', v1: {} });
  t.throws(() => newManager({ v1: {} }, undefined, 'c1'), CgroupError, 'no hierarchy at all');
  t.throws(() => newManager({ v2: '/u', v1: {} }, 'system.slice:x:y', 'c1'), /systemd/);
});

t.test('records round-trip; a record without kind is an old v2 one; remove() trusts only checked records', async (t) => {
  const v1 = V1Manager.fresh({ memory: '/m/x', pids: '/p/x' }, '/u/x');
  const back = managerFromRecord(JSON.parse(JSON.stringify(v1.toRecord())));
  t.same(back.toRecord(), v1.toRecord());
  t.equal(back.kind, 'v1');
  const old = managerFromRecord({ path: '/sys/fs/cgroup/unified/tsrun/c1', created: [] });
  t.equal(old.kind, 'v2');
  t.same(old.dirs().v2, '/sys/fs/cgroup/unified/tsrun/c1');
  t.throws(() => managerFromRecord({ kind: 'v1', controllers: { memory: '/elsewhere' }, dirs: [{ path: '/m/x', created: [] }] }), /not one of its dirs/);
  t.throws(() => managerFromRecord({ kind: 'v1', controllers: {}, dirs: [{ path: '/m/x', created: ['/etc'] }] }), /not the cgroup or one of its parents/);
});

t.test('v1: each limit goes to its hierarchy, the rest to cgroup2; the cpuset is filled from the parent first', async (t) => {
  const root = t.testdir();
  const m = join(root, 'memory');
  const cs = join(root, 'cpuset');
  const u = join(root, 'unified');
  touch(m, []);
  touch(cs, []);
  fs.writeFileSync(join(cs, 'cpuset.cpus'), '0-3\n');
  fs.writeFileSync(join(cs, 'cpuset.mems'), '0\n');
  touch(u, []);
  fs.writeFileSync(join(u, 'cgroup.controllers'), 'hugetlb pids\n');
  fs.writeFileSync(join(u, 'cgroup.subtree_control'), '');
  const mgr = newManager({ v2: u, v1: { memory: m, cpuset: cs } }, undefined, 'c1');
  mgr.create();
  const leaf = (h: string) => join(root, h, 'tsrun', 'c1');
  // What cgroupfs would show: the interface files of each new directory.
  fs.writeFileSync(join(cs, 'tsrun', 'cpuset.cpus'), '');
  fs.writeFileSync(join(cs, 'tsrun', 'cpuset.mems'), '');
  touch(leaf('cpuset'), ['cpuset.cpus', 'cpuset.mems', 'cgroup.procs']);
  touch(leaf('memory'), ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes', 'memory.oom_control', 'cgroup.procs']);
  touch(leaf('unified'), ['hugetlb.2MB.max', 'pids.max', 'cgroup.max.descendants']);
  fs.writeFileSync(join(u, 'tsrun', 'cgroup.controllers'), 'hugetlb pids\n');
  fs.writeFileSync(join(u, 'tsrun', 'cgroup.subtree_control'), '');
  // A second create() of the same directories (as after a restart) fills the empty cpuset files.
  V1Manager.fromRecord(mgr.toRecord()).create();
  t.equal(fs.readFileSync(join(cs, 'tsrun', 'cpuset.cpus'), 'utf8'), '0-3', 'parent cpus copied into the created parent');
  t.equal(fs.readFileSync(join(leaf('cpuset'), 'cpuset.mems'), 'utf8'), '0', 'and mems into the leaf');

  const warnings = mgr.apply({
    memory: { limit: 100, swap: 200, disableOOMKiller: true, kernel: 5 },
    cpu: { cpus: '1' },
    pids: { limit: 10 },
    hugepageLimits: [{ pageSize: '2MB', limit: 2097152 }],
    unified: { 'cgroup.max.descendants': '3' },
  });
  t.equal(fs.readFileSync(join(leaf('memory'), 'memory.limit_in_bytes'), 'utf8'), '100');
  t.equal(fs.readFileSync(join(leaf('memory'), 'memory.memsw.limit_in_bytes'), 'utf8'), '200');
  t.equal(fs.readFileSync(join(leaf('memory'), 'memory.oom_control'), 'utf8'), '1');
  t.equal(fs.readFileSync(join(leaf('cpuset'), 'cpuset.cpus'), 'utf8'), '1');
  t.equal(fs.readFileSync(join(leaf('unified'), 'pids.max'), 'utf8'), '10', 'pids is not a v1 hierarchy here: cgroup2 has it');
  t.equal(fs.readFileSync(join(leaf('unified'), 'hugetlb.2MB.max'), 'utf8'), '2097152');
  t.equal(fs.readFileSync(join(leaf('unified'), 'cgroup.max.descendants'), 'utf8'), '3');
  t.equal(fs.readFileSync(join(u, 'cgroup.subtree_control'), 'utf8'), '+hugetlb', 'controllers enabled top down (a fake file keeps the last write)');
  t.equal(fs.readFileSync(join(u, 'tsrun', 'cgroup.subtree_control'), 'utf8'), '+hugetlb', 'in the parent tsrun made too');
  t.match(warnings, [/memory\/kernel: kernel memory limits are deprecated and ignored/]);

  t.throws(
    () => mgr.apply({ blockIO: { weight: 100 } }),
    /\/linux\/resources\/blockIO\/weight: the io controller is not available in the cgroup v2 hierarchy \(.*: hugetlb pids\)/,
  );
  t.throws(
    () => mgr.apply({ memory: { swappiness: 5 } }),
    /\/linux\/resources\/memory\/swappiness: cannot write .*memory\.swappiness: the file does not exist/,
  );
  t.same(
    mgr.joinFds().map((j) => j.file),
    [join(leaf('memory'), 'cgroup.procs'), join(leaf('cpuset'), 'cgroup.procs')],
    'one cgroup.procs per v1 directory',
  );
  const rec = mgr.toRecord();
  t.same(rec.kind === 'v1' && rec.v2?.created, [join(u, 'tsrun'), leaf('unified')], 'the cgroup2 directories it made are recorded for remove()');
});

t.test('v1 without cgroup2: a controller nobody has is an error naming the field; devices go to the v1 lists', async (t) => {
  const root = t.testdir();
  const d = join(root, 'devices');
  touch(join(d, 'tsrun', 'c1'), ['devices.allow', 'devices.deny']);
  const mgr = V1Manager.fresh({ devices: join(d, 'tsrun', 'c1') });
  t.throws(() => mgr.apply({ pids: { limit: 3 } }), /\/linux\/resources\/pids: the pids controller is not mounted on this host/);
  t.throws(() => mgr.apply({ unified: { 'pids.max': '3' } }), /unified: the host has no cgroup v2/);
  mgr.apply({ devices: [{ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }] });
  t.equal(fs.readFileSync(join(d, 'tsrun', 'c1', 'devices.allow'), 'utf8'), 'c 1:3 rwm');
  t.equal(fs.readFileSync(join(d, 'tsrun', 'c1', 'devices.deny'), 'utf8'), 'a');
});

t.test('v1 freezer: freeze waits for FROZEN, thaw for THAWED; isFrozen reads freezer.state', async (t) => {
  const root = t.testdir({ f: { 'freezer.state': 'THAWED\n', 'cgroup.procs': '' } });
  const mgr = V1Manager.fresh({ freezer: join(root, 'f') });
  t.equal(mgr.isFrozen(), false);
  await mgr.freeze();
  t.equal(fs.readFileSync(join(root, 'f', 'freezer.state'), 'utf8'), 'FROZEN');
  t.equal(mgr.isFrozen(), true);
  await mgr.thaw();
  t.equal(mgr.isFrozen(), false);
  t.same(mgr.procs(), []);
  t.equal(await mgr.waitEmpty(10), true);
});

t.test('v2: enableControllers writes +ctrl in each ancestor that lacks it, and refuses a controller the root lacks', async (t) => {
  const root = t.testdir({
    'cgroup.controllers': 'cpu memory',
    'cgroup.subtree_control': 'memory',
    a: { 'cgroup.controllers': 'memory', 'cgroup.subtree_control': '', b: { 'cgroup.controllers': '' } },
  });
  enableControllers(join(root, 'a', 'b'), 'cpu', '/linux/resources/cpu/shares');
  t.equal(fs.readFileSync(join(root, 'cgroup.subtree_control'), 'utf8'), '+cpu');
  t.equal(fs.readFileSync(join(root, 'a', 'cgroup.subtree_control'), 'utf8'), '+cpu');
  t.throws(
    () => enableControllers(join(root, 'a', 'b'), 'pids', '/linux/resources/pids/limit'),
    /\/linux\/resources\/pids\/limit: the pids controller is not available/,
  );
  enableControllers(join(root, 'a', 'b'), '', '/x');
  t.pass('core files need no controller');
  const mgr = new V2Manager(join(root, 'a', 'b'));
  t.same(mgr.joinFds(), [], 'nothing to join on a unified host');
  t.equal(mgr.kind, 'v2');
});

t.test('v1 create is all or nothing; a cgroup with processes in any hierarchy is refused and left alone', async (t) => {
  const root = t.testdir({ m: {}, p: { tsrun: { c1: 'a file where the cgroup should be' } }, busy: { tsrun: { c1: { 'cgroup.procs': '4242\n' } } } });
  const mgr = V1Manager.fresh({ memory: join(root, 'm', 'tsrun', 'c1'), pids: join(root, 'p', 'tsrun', 'c1') });
  t.throws(() => mgr.create(), CgroupError);
  t.notOk(fs.existsSync(join(root, 'm', 'tsrun')), 'the memory directories made before the failure are taken back');
  const busy = V1Manager.fresh({ memory: join(root, 'm', 'tsrun', 'c1'), cpu: join(root, 'busy', 'tsrun', 'c1') });
  t.throws(() => busy.create(), /already exists and has processes \(4242\)/);
  t.ok(fs.existsSync(join(root, 'busy', 'tsrun', 'c1', 'cgroup.procs')), "the other container's cgroup is untouched");
  t.notOk(fs.existsSync(join(root, 'm', 'tsrun')));
});

t.test('a unified key naming no controller the kernel has is "no such file", not a missing controller', async (t) => {
  const root = t.testdir({ 'cgroup.controllers': 'memory', 'cgroup.subtree_control': '', c1: { 'cgroup.controllers': '' } });
  t.throws(
    () => enableControllers(join(root, 'c1'), 'nosuch', '/linux/resources/unified/nosuch.max'),
    /unified\/nosuch\.max: the kernel has no cgroup controller named nosuch/,
  );
});
