import t from 'tap';
import { cgroupV1Mounts, cgroupV1Views } from '../../../src/plan/cgroup-v1-mount.ts';
import { encodePlan, planRecords, REC } from '../../../src/plan/encode.ts';
import { plan } from '../../../src/plan/plan.ts';
import type { PlannedMount } from '../../../src/plan/launch-plan.ts';
import type { Spec } from '../../../src/spec/types.ts';
import { MS } from '../../../src/kernel/mount-flags.ts';

// A systemd host's v1 layout: cpu and cpuacct share a hierarchy.
const MOUNTS = {
  cpu: '/sys/fs/cgroup/cpu,cpuacct',
  cpuacct: '/sys/fs/cgroup/cpu,cpuacct',
  memory: '/sys/fs/cgroup/memory',
  pids: '/sys/fs/cgroup/pids',
};
const DIRS = {
  cpu: '/sys/fs/cgroup/cpu,cpuacct/tsrun/c1',
  cpuacct: '/sys/fs/cgroup/cpu,cpuacct/tsrun/c1',
  memory: '/sys/fs/cgroup/memory/tsrun/c1',
  pids: '/sys/fs/cgroup/pids/tsrun/c1',
};

t.test('one view per hierarchy, and one per controller of a shared hierarchy, in name order', async (t) => {
  t.same(cgroupV1Views(MOUNTS, DIRS), [
    { name: 'cpu', dir: '/sys/fs/cgroup/cpu,cpuacct/tsrun/c1' },
    { name: 'cpu,cpuacct', dir: '/sys/fs/cgroup/cpu,cpuacct/tsrun/c1' },
    { name: 'cpuacct', dir: '/sys/fs/cgroup/cpu,cpuacct/tsrun/c1' },
    { name: 'memory', dir: '/sys/fs/cgroup/memory/tsrun/c1' },
    { name: 'pids', dir: '/sys/fs/cgroup/pids/tsrun/c1' },
  ]);
});

t.test('a controller the host does not mount has no view', async (t) => {
  t.same(cgroupV1Views({ memory: '/sys/fs/cgroup/memory' }, { memory: '/m/c1', pids: '/p/c1' }), [{ name: 'memory', dir: '/m/c1' }]);
  t.same(cgroupV1Views({}, {}), []);
});

const CGROUP: PlannedMount = {
  pointer: '/mounts/3',
  source: 'cgroup',
  destination: '/sys/fs/cgroup',
  fstype: 'cgroup2',
  data: '',
  flags: MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.RELATIME,
  propagation: 0,
  bind: false,
  attrSet: 0,
  attrClear: 0,
  extensions: 0,
};
const VIEWS = [
  { name: 'memory', dir: '/sys/fs/cgroup/memory/tsrun/c1' },
  { name: 'pids', dir: '/sys/fs/cgroup/pids/tsrun/c1' },
];

t.test('a read-only cgroup mount: a writable tmpfs, read-only binds, then the tmpfs remounted read-only', async (t) => {
  const m = cgroupV1Mounts(CGROUP, VIEWS, 'mode=755');
  t.equal(m.length, 4);
  t.match(m[0], { source: 'tmpfs', destination: '/sys/fs/cgroup', fstype: 'tmpfs', data: 'mode=755', bind: false });
  t.equal(m[0]!.flags & MS.RDONLY, 0, 'the binds make their directories in it');
  t.equal(m[0]!.flags & MS.NOSUID, MS.NOSUID);
  t.match(m[1], { source: '/sys/fs/cgroup/memory/tsrun/c1', destination: '/sys/fs/cgroup/memory', fstype: 'bind', bind: true });
  t.equal(m[1]!.flags, MS.BIND | MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC, 'bound read-only with the mount security flags');
  t.match(m[2], { source: '/sys/fs/cgroup/pids/tsrun/c1', destination: '/sys/fs/cgroup/pids', bind: true });
  t.match(m[3], { source: 'tmpfs', destination: '/sys/fs/cgroup', fstype: 'tmpfs', bind: false });
  t.equal(m[3]!.flags, CGROUP.flags | MS.REMOUNT, 'the last step makes the tmpfs read-only');
  for (const x of m) t.equal(x.fallbackBind, undefined);
  for (const x of m) t.equal(x.pointer, '/mounts/3', "each stands for the config's cgroup mount in errors");
});

t.test('a writable cgroup mount needs no remount', async (t) => {
  const m = cgroupV1Mounts({ ...CGROUP, flags: MS.NOSUID, propagation: MS.SLAVE }, VIEWS, 'mode=755');
  t.equal(m.length, 3);
  t.equal(m[0]!.propagation, MS.SLAVE, 'the tmpfs keeps the propagation asked of the mount');
  t.equal(m[1]!.flags, MS.BIND | MS.NOSUID);
  t.equal(m[1]!.propagation, 0);
});

const spec: Spec = {
  ociVersion: '1.2.0',
  root: { path: 'rootfs' },
  process: { cwd: '/', user: { uid: 0, gid: 0 }, args: ['sh'] },
  mounts: [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    { destination: '/mnt', type: 'bind', source: '/srv', options: ['rbind'] },
  ],
  linux: { namespaces: [{ type: 'mount' }], mountLabel: 'system_u:object_r:container_file_t:s0' },
};
const options = { bundle: '/b', rootfsParentMount: '/', rootfsParentShared: false, noPivot: false, noNewKeyring: false, preserveFds: 0 };

t.test('plan() puts the v1 view in place of the cgroup mount, in its position', async (t) => {
  const p = plan(spec, { ...options, cgroupDir: '/sys/fs/cgroup/unified/tsrun/c1', cgroupV1Views: VIEWS });
  t.same(
    p.mounts.map((m) => [m.destination, m.fstype]),
    [
      ['/proc', 'proc'],
      ['/sys/fs/cgroup', 'tmpfs'],
      ['/sys/fs/cgroup/memory', 'bind'],
      ['/sys/fs/cgroup/pids', 'bind'],
      ['/sys/fs/cgroup', 'tmpfs'],
      ['/mnt', 'bind'],
    ],
  );
  t.equal(p.mounts[1]!.data, 'mode=755,context="system_u:object_r:container_file_t:s0"', 'the tmpfs carries the mount label');
  t.same(
    p.mounts.map((m) => m.pointer),
    ['/mounts/0', '/mounts/1', '/mounts/1', '/mounts/1', '/mounts/1', '/mounts/2'],
    "errors name the config's entries, not the planned ones",
  );
  const records = planRecords(p).filter((r) => r.kind === REC.MOUNT);
  t.equal(records.length, 6, 'each is a mount record of its own');
  t.ok(encodePlan(p).length > 0);
});

t.test('without v1 views the cgroup mount stays cgroup2', async (t) => {
  const p = plan(spec, { ...options, cgroupDir: '/sys/fs/cgroup/unified/tsrun/c1' });
  t.same(
    p.mounts.map((m) => m.fstype),
    ['proc', 'cgroup2', 'bind'],
  );
  t.equal(plan(spec, { ...options, cgroupV1Views: [] }).mounts[1]!.fstype, 'cgroup2');
});

t.test('a bind at /sys/fs/cgroup, or an explicit cgroup2 mount, is left as the config says', async (t) => {
  const bound: Spec = { ...spec, mounts: [{ destination: '/sys/fs/cgroup', type: 'bind', source: '/sys/fs/cgroup', options: ['rbind', 'ro'] }] };
  t.same(
    plan(bound, { ...options, cgroupV1Views: VIEWS }).mounts.map((m) => m.source),
    ['/sys/fs/cgroup'],
  );
  const v2: Spec = { ...spec, mounts: [{ destination: '/sys/fs/cgroup', type: 'cgroup2', source: 'cgroup2' }] };
  t.same(
    plan(v2, { ...options, cgroupV1Views: VIEWS }).mounts.map((m) => m.fstype),
    ['cgroup2'],
  );
});
