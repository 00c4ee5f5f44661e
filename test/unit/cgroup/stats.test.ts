import t from 'tap';
import { CgroupError } from '../../../src/errors.ts';
import { hugePageSizeName, MAX_UINT64, parseCpuList, readStats, toJson, type ControllerSource } from '../../../src/cgroup/stats.ts';

function source(version: 1 | 2, files: Record<string, string>, dir = '/fake'): ControllerSource {
  return { version, dir, read: (f) => files[f] };
}

// Texts as this kind of kernel writes them (Linux 6.x, hybrid host).
const V1_CPUACCT = {
  'cpuacct.stat': 'user 48550\nsystem 31906\n',
  'cpuacct.usage': '804579206120\n',
  'cpuacct.usage_percpu': '390861370957 413727957902 \n',
  'cpuacct.usage_all': 'cpu user system\n0 238476000000 149896000000\n1 244468000000 167496000000\n',
};
const V1_CPU = { 'cpu.stat': 'nr_periods 12\nnr_throttled 3\nthrottled_time 4500000\nnr_bursts 0\nburst_time 0\n' };
const V1_MEMORY = {
  'memory.stat': 'cache 12308480\nrss 7897088\nswap 0\nhierarchical_memory_limit 9223372036854771712\n',
  'memory.usage_in_bytes': '20205568\n',
  'memory.max_usage_in_bytes': '31457280\n',
  'memory.failcnt': '7\n',
  'memory.limit_in_bytes': '33554432\n',
  'memory.memsw.usage_in_bytes': '20205568\n',
  'memory.memsw.max_usage_in_bytes': '31457280\n',
  'memory.memsw.failcnt': '0\n',
  'memory.memsw.limit_in_bytes': '9223372036854771712\n',
  'memory.kmem.usage_in_bytes': '1048576\n',
  'memory.kmem.max_usage_in_bytes': '2097152\n',
  'memory.kmem.failcnt': '0\n',
  'memory.kmem.limit_in_bytes': '9223372036854771712\n',
};

t.test('v1: cpuacct usage in ns, ticks converted, throttling from the cpu hierarchy', async (t) => {
  const s = readStats({ cpuacct: source(1, V1_CPUACCT), cpu: source(1, V1_CPU) });
  t.same(s.cpu.usage, {
    total: 804579206120n,
    percpu: [390861370957n, 413727957902n],
    percpu_kernel: [149896000000n, 167496000000n],
    percpu_user: [238476000000n, 244468000000n],
    kernel: 31906n * 10_000_000n,
    user: 48550n * 10_000_000n,
  });
  t.same(s.cpu.throttling, { periods: 12n, throttledPeriods: 3n, throttledTime: 4500000n });
  t.equal(s.cpu.psi, undefined);
});

t.test('v1: memory usage, memsw as swap, kmem, raw memory.stat, cache', async (t) => {
  const s = readStats({ memory: source(1, V1_MEMORY) });
  t.same(s.memory.usage, { limit: 33554432n, usage: 20205568n, max: 31457280n, failcnt: 7n });
  t.same(s.memory.swap, { limit: 9223372036854771712n, usage: 20205568n, max: 31457280n, failcnt: 0n });
  t.same(s.memory.kernel, { limit: 9223372036854771712n, usage: 1048576n, max: 2097152n, failcnt: 0n });
  // kmem.tcp files absent: a zero entry keeps only the non-omitempty fields.
  t.same(s.memory.kernelTCP, { limit: 0n, failcnt: 0n });
  t.equal(s.memory.cache, 12308480n);
  t.equal(s.memory.raw?.rss, 7897088n);
  t.equal(s.memory.raw?.hierarchical_memory_limit, 9223372036854771712n);
});

t.test('v1: a missing required file is a CgroupError naming it', async (t) => {
  const files: Record<string, string> = { ...V1_MEMORY };
  delete files['memory.failcnt'];
  t.throws(() => readStats({ memory: source(1, files, '/sys/fs/cgroup/memory/tsrun/c1') }), {
    constructor: CgroupError,
    message: /\/sys\/fs\/cgroup\/memory\/tsrun\/c1\/memory\.failcnt: file does not exist/,
  });
  t.throws(() => readStats({ memory: source(1, { ...V1_MEMORY, 'memory.failcnt': 'lots\n' }) }), {
    message: /memory\.failcnt: "lots" is not a number/,
  });
});

t.test('v1: pids with and without a limit', async (t) => {
  t.same(readStats({ pids: source(1, { 'pids.current': '3\n', 'pids.max': '64\n' }) }).pids, { current: 3n, limit: 64n });
  t.same(readStats({ pids: source(1, { 'pids.current': '3\n', 'pids.max': 'max\n' }) }).pids, { current: 3n });
  t.same(readStats({ pids: source(1, { 'pids.current': '0\n', 'pids.max': 'max\n' }) }).pids, {});
});

t.test('v1: blkio prefers the throttle recursive files when CFQ/BFQ are absent', async (t) => {
  const s = readStats({
    blkio: source(1, {
      'blkio.throttle.io_serviced_recursive': '8:0 Read 124\n8:0 Write 104\n8:0 Total 228\nTotal 228\n',
      'blkio.throttle.io_service_bytes_recursive': '8:0 Read 1282048\n8:0 Write 0\nTotal 1282048\n',
      'blkio.throttle.io_serviced': '8:0 Read 1\n',
      'blkio.throttle.io_service_bytes': '8:0 Read 1\n',
    }),
  });
  t.same(s.blkio, {
    ioServiceBytesRecursive: [
      { major: 8n, op: 'Read', value: 1282048n },
      { major: 8n, op: 'Write' },
    ],
    ioServicedRecursive: [
      { major: 8n, op: 'Read', value: 124n },
      { major: 8n, op: 'Write', value: 104n },
      { major: 8n, op: 'Total', value: 228n },
    ],
  });
  // An idle cgroup: only "Total 0" lines, so no entries at all.
  t.same(
    readStats({ blkio: source(1, { 'blkio.throttle.io_serviced_recursive': 'Total 0\n', 'blkio.throttle.io_service_bytes_recursive': 'Total 0\n' }) }).blkio,
    {},
  );
  t.throws(() => readStats({ blkio: source(1, { 'blkio.throttle.io_serviced_recursive': 'garbage\n', 'blkio.throttle.io_service_bytes_recursive': '' }) }), {
    message: /malformed line "garbage"/,
  });
});

t.test('v1: BFQ files win, sectors without an op', async (t) => {
  const s = readStats({
    blkio: source(1, {
      'blkio.bfq.io_serviced_recursive': '8:16 Read 5\n',
      'blkio.bfq.io_service_bytes_recursive': '8:16 Read 4096\n',
      'blkio.throttle.io_serviced_recursive': '8:0 Read 1\n',
      'blkio.throttle.io_service_bytes_recursive': '8:0 Read 1\n',
    }),
  });
  t.same(s.blkio.ioServicedRecursive, [{ major: 8n, minor: 16n, op: 'Read', value: 5n }]);
  const cfq = readStats({
    blkio: source(1, {
      'blkio.sectors_recursive': '8:0 6792\n',
      'blkio.io_service_time_recursive': '',
      'blkio.io_wait_time_recursive': '',
      'blkio.io_merged_recursive': '',
      'blkio.io_queued_recursive': '',
      'blkio.time_recursive': '',
      'blkio.io_serviced_recursive': '',
      'blkio.io_service_bytes_recursive': '',
    }),
  });
  t.same(cfq.blkio, { sectorsRecursive: [{ major: 8n, value: 6792n }] });
});

t.test('v1: cpuset lists and flags; hugetlb per page size', async (t) => {
  const s = readStats(
    {
      cpuset: source(1, {
        'cpuset.cpus': '0-2,5\n',
        'cpuset.mems': '0\n',
        'cpuset.cpu_exclusive': '0\n',
        'cpuset.mem_hardwall': '1\n',
        'cpuset.sched_load_balance': '1\n',
        'cpuset.sched_relax_domain_level': '-1\n',
      }),
      hugetlb: source(1, { 'hugetlb.2MB.usage_in_bytes': '4194304\n', 'hugetlb.2MB.max_usage_in_bytes': '6291456\n', 'hugetlb.2MB.failcnt': '2\n' }),
    },
    { hugePageSizes: ['2MB'] },
  );
  t.same(s.cpuset.cpus, [0, 1, 2, 5]);
  t.same(s.cpuset.mems, [0]);
  t.equal(s.cpuset.mem_hardwall, 1n);
  t.equal(s.cpuset.sched_load_balance, 1n);
  t.equal(s.cpuset.sched_relax_domain_level, -1n);
  t.same(s.hugetlb, { '2MB': { usage: 4194304n, max: 6291456n, failcnt: 2n } });
});

const V2 = {
  'cpu.stat': 'usage_usec 2500\nuser_usec 1500\nsystem_usec 1000\nnr_periods 10\nnr_throttled 4\nthrottled_usec 300\nnr_bursts 0\nburst_usec 0\n',
  'cpu.pressure': 'some avg10=1.50 avg60=0.25 avg300=0.00 total=12345\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=678\n',
  'memory.stat': 'anon 1000\nfile 2000\nkernel 300\n',
  'memory.current': '3300\n',
  'memory.max': '67108864\n',
  'memory.peak': '5000\n',
  'memory.swap.current': '100\n',
  'memory.swap.max': 'max\n',
  'pids.current': '2\n',
  'pids.max': '10\n',
  'io.stat': '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n254:1 rbytes=0 wbytes=512 rios=0 wios=1 dbytes=0 dios=0\n',
  'hugetlb.2MB.current': '2097152\n',
  'hugetlb.2MB.events': 'max 3\n',
  'cgroup.procs': '10\n11\n',
};

t.test('v2: cpu.stat microseconds become nanoseconds; PSI kept', async (t) => {
  const s = readStats({ cpu: source(2, V2) });
  t.same(s.cpu.usage, { total: 2_500_000n, kernel: 1_000_000n, user: 1_500_000n });
  t.same(s.cpu.throttling, { periods: 10n, throttledPeriods: 4n, throttledTime: 300_000n });
  t.same(s.cpu.psi, { some: { avg10: 1.5, avg60: 0.25, avg300: 0, total: 12345n }, full: { avg10: 0, avg60: 0, avg300: 0, total: 678n } });
});

t.test('v2: memory.current/max/peak; swap reported as memory+swap like v1 memsw; cache is file', async (t) => {
  const s = readStats({ memory: source(2, V2) });
  t.same(s.memory.usage, { limit: 67108864n, usage: 3300n, max: 5000n, failcnt: 0n });
  // swap.max "max" stays the largest uint64 (no wrap-around).
  t.same(s.memory.swap, { limit: MAX_UINT64, usage: 3400n, failcnt: 0n });
  t.equal(s.memory.cache, 2000n);
  t.same(s.memory.raw, { anon: 1000n, file: 2000n, kernel: 300n });

  // memory.max "max" with a limited swap saturates instead of wrapping.
  const limitedSwap = readStats({ memory: source(2, { ...V2, 'memory.max': 'max\n', 'memory.swap.max': '1000\n' }) });
  t.equal(limitedSwap.memory.usage.limit, MAX_UINT64);
  t.equal(limitedSwap.memory.swap.limit, MAX_UINT64);
  const both = readStats({ memory: source(2, { ...V2, 'memory.swap.max': '1000\n' }) });
  t.equal(both.memory.swap.limit, 67108864n + 1000n);

  // No swap accounting: no memory.swap.* files, swap = memory alone; no peak before Linux 5.19.
  const files: Record<string, string> = { ...V2 };
  delete files['memory.swap.current'];
  delete files['memory.swap.max'];
  delete files['memory.peak'];
  const noSwap = readStats({ memory: source(2, files) });
  t.same(noSwap.memory.swap, { limit: 67108864n, usage: 3300n, failcnt: 0n });
  t.same(noSwap.memory.usage, { limit: 67108864n, usage: 3300n, failcnt: 0n });
});

t.test('v2: pids with the controller, and counted from cgroup.procs without it', async (t) => {
  t.same(readStats({ pids: source(2, V2) }).pids, { current: 2n, limit: 10n });
  t.same(readStats({ pids: source(2, V2) }, { v2PidsController: false }).pids, { current: 2n });
});

t.test('v2: io.stat mapped to v1 tables; hugetlb failcnt from events', async (t) => {
  const s = readStats({ io: source(2, V2), hugetlb: source(2, V2) }, { hugePageSizes: ['2MB'] });
  t.same(s.blkio, {
    ioServiceBytesRecursive: [
      { major: 8n, op: 'Read', value: 4096n },
      { major: 8n, op: 'Write', value: 8192n },
      { major: 254n, minor: 1n, op: 'Read' },
      { major: 254n, minor: 1n, op: 'Write', value: 512n },
    ],
    ioServicedRecursive: [
      { major: 8n, op: 'Read', value: 1n },
      { major: 8n, op: 'Write', value: 2n },
      { major: 254n, minor: 1n, op: 'Read' },
      { major: 254n, minor: 1n, op: 'Write', value: 1n },
    ],
  });
  t.same(s.hugetlb, { '2MB': { usage: 2097152n, failcnt: 3n } });
});

t.test('no sources: the empty shape runc prints', async (t) => {
  t.equal(
    toJson(readStats({})),
    '{"cpu":{"usage":{"kernel":0,"user":0},"throttling":{}},' +
      '"cpuset":{"cpu_exclusive":0,"mem_hardwall":0,"mem_exclusive":0,"memory_migrate":0,"memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,"sched_load_balance":0,"sched_relax_domain_level":0},' +
      '"memory":{"usage":{"limit":0,"failcnt":0},"swap":{"limit":0,"failcnt":0},"kernel":{"limit":0,"failcnt":0},"kernelTCP":{"limit":0,"failcnt":0}},' +
      '"pids":{},"blkio":{},"hugetlb":{},"intel_rdt":{},"network_interfaces":null}',
  );
});

t.test('toJson writes uint64 exactly', async (t) => {
  t.equal(toJson({ a: MAX_UINT64, b: [1n, 2.5], c: 'x"y', d: undefined, e: true }), '{"a":18446744073709551615,"b":[1,2.5],"c":"x\\"y","e":true}');
  t.equal(toJson(9223372036854771712n), '9223372036854771712');
});

t.test('helpers: cpu lists and huge page size names', async (t) => {
  t.same(parseCpuList('0-3,8,10-11\n'), [0, 1, 2, 3, 8, 10, 11]);
  t.same(parseCpuList('\n'), []);
  t.throws(() => parseCpuList('a-b'), /"a-b" is not a cpu or node range/);
  t.equal(hugePageSizeName('hugepages-2048kB'), '2MB');
  t.equal(hugePageSizeName('hugepages-1048576kB'), '1GB');
  t.equal(hugePageSizeName('hugepages-64kB'), '64KB');
  t.equal(hugePageSizeName('hugepages-32768kB'), '32MB');
  t.equal(hugePageSizeName('other'), undefined);
});
