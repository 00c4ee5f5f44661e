// linux.resources → cgroup v2 files: the conversions runc's fs2 driver makes.
import t from 'tap';
import { blkioWeightToIoWeight, cpuSharesToWeight, memorySwapToV2, unifiedController, v2Writes } from '../../../src/cgroup/v2-files.ts';
import type { CgroupProbe } from '../../../src/cgroup/cgroup-write.ts';

const probe = (files: string[] = ['memory.swap.max']): CgroupProbe => ({
  exists: (_c, f) => files.includes(f),
  read: () => undefined,
});
const short = (ws: ReturnType<typeof v2Writes>) => ws.map((w) => `${w.file}=${w.value} @${w.pointer}`);

t.test('cpu shares → cpu.weight, runc formula 1 + ((shares - 2) * 9999) / 262142', async (t) => {
  t.equal(cpuSharesToWeight(0), 0, 'unset');
  t.equal(cpuSharesToWeight(2), 1, 'minimum');
  t.equal(cpuSharesToWeight(1024), 39, 'the v1 default');
  t.equal(cpuSharesToWeight(512), 20);
  t.equal(cpuSharesToWeight(262144), 10000, 'maximum');
});

t.test('blkio weight → io.weight, runc formula 1 + (w - 10) * 9999 / 990', async (t) => {
  t.equal(blkioWeightToIoWeight(10), 1);
  t.equal(blkioWeightToIoWeight(500), 4950);
  t.equal(blkioWeightToIoWeight(1000), 10000);
});

t.test('swap: the spec gives memory+swap, memory.swap.max is swap alone', async (t) => {
  t.equal(memorySwapToV2(300, 100), 200);
  t.equal(memorySwapToV2(100, 100), 0, 'no swap at all');
  t.equal(memorySwapToV2(-1, 100), -1, 'unlimited');
  t.equal(memorySwapToV2(0, -1), -1, 'memory unlimited and swap unset: both unlimited');
  t.equal(memorySwapToV2(0, 100), 0, 'unset');
  t.throws(() => memorySwapToV2(50, 100), /\/linux\/resources\/memory\/swap: memory\+swap limit 50 is below the memory limit 100/);
  t.throws(() => memorySwapToV2(50, 0), /needs a memory limit/);
});

t.test('memory: swap.max before memory.max, reservation → memory.low', async (t) => {
  t.same(short(v2Writes({ memory: { limit: 1 << 20, swap: 2 << 20, reservation: 1 << 19 } }, probe())), [
    'memory.swap.max=1048576 @/linux/resources/memory/swap',
    'memory.max=1048576 @/linux/resources/memory/limit',
    'memory.low=524288 @/linux/resources/memory/reservation',
  ]);
  t.same(
    short(v2Writes({ memory: { limit: 1 << 20, swap: 1 << 20 } }, probe())),
    ['memory.swap.max=0 @/linux/resources/memory/swap', 'memory.max=1048576 @/linux/resources/memory/limit'],
    'swap equal to the limit: no swap, written as 0',
  );
  t.same(short(v2Writes({ memory: { limit: -1 } }, probe())), [
    'memory.swap.max=max @/linux/resources/memory/swap',
    'memory.max=max @/linux/resources/memory/limit',
  ]);
  t.same(
    short(v2Writes({ memory: { limit: -1 } }, probe([]))),
    ['memory.max=max @/linux/resources/memory/limit'],
    'no swap accounting: unlimited swap is no request',
  );
  t.throws(() => v2Writes({ memory: { limit: 100, swap: 200 } }, probe([])), /memory\/swap: the kernel has no swap accounting/);
  t.throws(() => v2Writes({ memory: { disableOOMKiller: true } }, probe()), /memory\/disableOOMKiller: cgroup v2 has no switch/);
  t.throws(() => v2Writes({ memory: { swappiness: 10 } }, probe()), /memory\/swappiness/);
  t.throws(() => v2Writes({ memory: { kernelTCP: 10 } }, probe()), /memory\/kernelTCP/);
  t.same(v2Writes({ memory: { kernel: 10, useHierarchy: true, disableOOMKiller: false } }, probe()), [], 'deprecated and always-on fields write nothing');
});

t.test('cpu: weight, max, burst, idle, cpuset; realtime is refused', async (t) => {
  t.same(short(v2Writes({ cpu: { shares: 1024, quota: 50000, period: 100000, burst: 1000, idle: 1, cpus: '0-1', mems: '0' } }, probe())), [
    'cpu.weight=39 @/linux/resources/cpu/shares',
    'cpu.max=50000 100000 @/linux/resources/cpu/quota',
    'cpu.max.burst=1000 @/linux/resources/cpu/burst',
    'cpu.idle=1 @/linux/resources/cpu/idle',
    'cpuset.cpus=0-1 @/linux/resources/cpu/cpus',
    'cpuset.mems=0 @/linux/resources/cpu/mems',
  ]);
  t.same(short(v2Writes({ cpu: { quota: -1 } }, probe())), ['cpu.max=max @/linux/resources/cpu/quota']);
  t.same(short(v2Writes({ cpu: { period: 20000 } }, probe())), ['cpu.max=max 20000 @/linux/resources/cpu/period'], 'a period alone keeps quota max');
  t.throws(() => v2Writes({ cpu: { realtimeRuntime: 1000 } }, probe()), /cpu\/realtimeRuntime: cgroup v2 has no real-time/);
});

t.test('pids, io, hugetlb, rdma, unified', async (t) => {
  t.same(short(v2Writes({ pids: { limit: 10 } }, probe())), ['pids.max=10 @/linux/resources/pids/limit']);
  t.same(short(v2Writes({ pids: { limit: -1 } }, probe())), ['pids.max=max @/linux/resources/pids/limit']);
  const io = {
    blockIO: {
      weight: 500,
      weightDevice: [{ major: 8, minor: 0, weight: 100 }],
      throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
      throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 0 }],
    },
  };
  t.same(short(v2Writes(io, probe())), [
    'io.weight=4950 @/linux/resources/blockIO/weight',
    'io.weight=8:0 910 @/linux/resources/blockIO/weightDevice/0/weight',
    'io.max=8:0 rbps=1048576 @/linux/resources/blockIO/throttleReadBpsDevice/0',
    'io.max=8:16 wiops=max @/linux/resources/blockIO/throttleWriteIOPSDevice/0',
  ]);
  t.same(
    short(v2Writes({ blockIO: { weight: 500 } }, probe(['io.bfq.weight']))),
    ['io.bfq.weight=500 @/linux/resources/blockIO/weight'],
    'BFQ takes the v1 scale',
  );
  t.throws(() => v2Writes({ blockIO: { leafWeight: 10 } }, probe()), /blockIO\/leafWeight/);
  t.same(short(v2Writes({ hugepageLimits: [{ pageSize: '2MB', limit: 4194304 }] }, probe(['hugetlb.2MB.rsvd.max']))), [
    'hugetlb.2MB.max=4194304 @/linux/resources/hugepageLimits/0',
    'hugetlb.2MB.rsvd.max=4194304 @/linux/resources/hugepageLimits/0',
  ]);
  t.same(short(v2Writes({ rdma: { mlx5_1: { hcaHandles: 3 } } }, probe())), ['rdma.max=mlx5_1 hca_handle=3 hca_object=max @/linux/resources/rdma/mlx5_1']);
  t.throws(() => v2Writes({ network: { classID: 1 } }, probe()), /network\/classID: cgroup v2 has no net_cls/);
  const u = v2Writes({ pids: { limit: 5 }, unified: { 'pids.max': '7', 'cgroup.max.descendants': '3' } }, probe());
  t.same(
    short(u),
    [
      'pids.max=5 @/linux/resources/pids/limit',
      'pids.max=7 @/linux/resources/unified/pids.max',
      'cgroup.max.descendants=3 @/linux/resources/unified/cgroup.max.descendants',
    ],
    'unified last, so it wins',
  );
  t.same(
    u.map((w) => w.controller),
    ['pids', 'pids', ''],
  );
  t.equal(unifiedController('hugetlb.2MB.max'), 'hugetlb');
});
