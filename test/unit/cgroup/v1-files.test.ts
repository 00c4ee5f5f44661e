// linux.resources → cgroup v1 files, as runc's fs driver writes them.
import t from 'tap';
import { v1DeviceWrites, v1Writes } from '../../../src/cgroup/v1-files.ts';
import type { CgroupProbe } from '../../../src/cgroup/cgroup-write.ts';

const probe = (files: string[] = ['memory.memsw.limit_in_bytes', 'blkio.bfq.weight'], current?: string): CgroupProbe => ({
  exists: (_c, f) => files.includes(f),
  read: (_c, f) => (f === 'memory.limit_in_bytes' ? current : undefined),
});
const short = (ws: ReturnType<typeof v1Writes>) => ws.map((w) => `${w.controller}:${w.file}=${w.value}`);

t.test('memory and memsw: the order keeps memsw >= limit at every step', async (t) => {
  // Raising: memsw first (the new memsw is above the current limit).
  t.same(short(v1Writes({ memory: { limit: 200, swap: 400 } }, probe(undefined, '100'))), [
    'memory:memory.memsw.limit_in_bytes=400',
    'memory:memory.limit_in_bytes=200',
  ]);
  // Lowering below the current limit: limit first.
  t.same(short(v1Writes({ memory: { limit: 50, swap: 80 } }, probe(undefined, '100'))), [
    'memory:memory.limit_in_bytes=50',
    'memory:memory.memsw.limit_in_bytes=80',
  ]);
  t.same(
    short(v1Writes({ memory: { limit: 50, swap: -1 } }, probe(undefined, '100'))),
    ['memory:memory.memsw.limit_in_bytes=-1', 'memory:memory.limit_in_bytes=50'],
    'unlimited memsw first',
  );
  t.same(
    short(v1Writes({ memory: { limit: -1 } }, probe())),
    ['memory:memory.memsw.limit_in_bytes=-1', 'memory:memory.limit_in_bytes=-1'],
    'memory -1, swap unset: both unlimited',
  );
  t.same(short(v1Writes({ memory: { limit: -1 } }, probe([]))), ['memory:memory.limit_in_bytes=-1'], 'no swap accounting');
  t.throws(() => v1Writes({ memory: { limit: 100, swap: 200 } }, probe([])), /\/linux\/resources\/memory\/swap: the kernel has no swap accounting/);
});

t.test('other memory fields', async (t) => {
  const ws = v1Writes({ memory: { reservation: 10, kernel: 5, kernelTCP: 6, disableOOMKiller: true, swappiness: 0, useHierarchy: true } }, probe());
  t.same(short(ws), [
    'memory:memory.soft_limit_in_bytes=10',
    'memory:memory.kmem.tcp.limit_in_bytes=6',
    'memory:memory.oom_control=1',
    'memory:memory.swappiness=0',
  ]);
  t.same(
    ws.map((w) => w.pointer),
    [
      '/linux/resources/memory/reservation',
      '/linux/resources/memory/kernelTCP',
      '/linux/resources/memory/disableOOMKiller',
      '/linux/resources/memory/swappiness',
    ],
  );
  t.throws(() => v1Writes({ memory: { swappiness: 101 } }, probe()), /memory\/swappiness: invalid swappiness 101/);
});

t.test('cpu and cpuset', async (t) => {
  const ws = v1Writes(
    { cpu: { shares: 512, quota: 50000, period: 100000, burst: 10, realtimePeriod: 1000000, realtimeRuntime: 950000, idle: 1, cpus: '1', mems: '0' } },
    probe(),
  );
  t.same(short(ws), [
    'cpu:cpu.shares=512',
    'cpu:cpu.cfs_period_us=100000',
    'cpu:cpu.cfs_quota_us=50000',
    'cpu:cpu.cfs_burst_us=10',
    'cpu:cpu.rt_period_us=1000000',
    'cpu:cpu.rt_runtime_us=950000',
    'cpu:cpu.idle=1',
    'cpuset:cpuset.cpus=1',
    'cpuset:cpuset.mems=0',
  ]);
  t.equal(ws[1]!.retryAfterRest, true, 'the period is retried after the quota on EINVAL');
  t.notOk(v1Writes({ cpu: { period: 100000 } }, probe())[0]!.retryAfterRest, 'no quota, no retry');
  t.same(short(v1Writes({ cpu: { quota: -1 } }, probe())), ['cpu:cpu.cfs_quota_us=-1']);
});

t.test('pids, blkio (CFQ or BFQ files), hugetlb, net_cls, net_prio, rdma', async (t) => {
  t.same(short(v1Writes({ pids: { limit: 77 } }, probe())), ['pids:pids.max=77']);
  t.same(short(v1Writes({ pids: { limit: -1 } }, probe())), ['pids:pids.max=max']);
  const bio = { blockIO: { weight: 300, weightDevice: [{ major: 8, minor: 0, weight: 200 }], throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 1024 }] } };
  t.same(short(v1Writes(bio, probe())), [
    'blkio:blkio.bfq.weight=300',
    'blkio:blkio.bfq.weight_device=8:0 200',
    'blkio:blkio.throttle.write_bps_device=8:0 1024',
  ]);
  t.same(
    short(v1Writes(bio, probe(['blkio.weight']))).slice(0, 2),
    ['blkio:blkio.weight=300', 'blkio:blkio.weight_device=8:0 200'],
    'CFQ files where they exist',
  );
  t.same(short(v1Writes({ hugepageLimits: [{ pageSize: '2MB', limit: 8 }] }, probe())), ['hugetlb:hugetlb.2MB.limit_in_bytes=8']);
  t.same(
    short(
      v1Writes(
        {
          network: {
            classID: 0x100001,
            priorities: [
              { name: 'eth0', priority: 5 },
              { name: 'lo', priority: 2 },
            ],
          },
        },
        probe(),
      ),
    ),
    ['net_cls:net_cls.classid=1048577', 'net_prio:net_prio.ifpriomap=eth0 5', 'net_prio:net_prio.ifpriomap=lo 2'],
  );
  t.same(short(v1Writes({ rdma: { mlx4_0: { hcaHandles: 2, hcaObjects: 2000 } } }, probe())), ['rdma:rdma.max=mlx4_0 hca_handle=2 hca_object=2000']);
  t.throws(() => v1Writes({ unified: { 'pids.max': '1' } }, probe()), /unified: the host has no cgroup v2/);
});

t.test('v1 devices lists: deny all, then each rule in order', async (t) => {
  const ws = v1DeviceWrites([
    { allow: false, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
    { allow: true, type: 'c', major: 136, access: 'rw' },
  ]);
  t.same(short(ws), ['devices:devices.deny=a', 'devices:devices.deny=a', 'devices:devices.allow=c 1:3 rwm', 'devices:devices.allow=c 136:* rw']);
  t.equal(ws[2]!.pointer, '/linux/resources/devices/1');
});
