import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readCgroupStats, statsSources } from '../../../src/cgroup/cgroup-stats.ts';
import { hugePageSizeName } from '../../../src/cgroup/stats.ts';

// The page sizes come from this host's /sys/kernel/mm/hugepages.
function hostPageSizes(): string[] {
  try {
    return readdirSync('/sys/kernel/mm/hugepages')
      .map(hugePageSizeName)
      .filter((s): s is string => s !== undefined);
  } catch {
    return [];
  }
}

function tree(root: string, files: Record<string, string>): string {
  mkdirSync(root, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

t.test('hybrid: v1 hierarchies first, the cgroup2 directory for what only it has', async (t) => {
  const base = t.testdir();
  const hugetlbFiles = Object.fromEntries(
    hostPageSizes().flatMap((size) => [
      [`hugetlb.${size}.current`, '0\n'],
      [`hugetlb.${size}.events`, 'max 4\n'],
    ]),
  );
  const v2 = tree(join(base, 'unified'), { 'cgroup.controllers': 'hugetlb\n', 'cpu.stat': 'usage_usec 1\n', 'cgroup.procs': '5\n', ...hugetlbFiles });
  const dirs = {
    v2,
    v1: {
      cpu: tree(join(base, 'cpu'), { 'cpu.stat': 'nr_periods 4\nnr_throttled 1\nthrottled_time 99\n' }),
      cpuacct: tree(join(base, 'cpuacct'), { 'cpuacct.stat': 'user 1\nsystem 2\n', 'cpuacct.usage': '777\n', 'cpuacct.usage_percpu': '700 77\n' }),
      pids: tree(join(base, 'pids'), { 'pids.current': '1\n', 'pids.max': 'max\n' }),
    },
  };
  const { sources, v2PidsController } = statsSources(dirs);
  t.same(Object.fromEntries(Object.entries(sources).map(([k, s]) => [k, `${s!.version}:${s!.dir.slice(base.length)}`])), {
    cpu: '1:/cpu',
    cpuacct: '1:/cpuacct',
    pids: '1:/pids',
    hugetlb: '2:/unified',
  });
  t.equal(v2PidsController, false);
  const s = readCgroupStats(dirs);
  t.same(s.cpu.usage, { total: 777n, percpu: [700n, 77n], kernel: 20_000_000n, user: 10_000_000n });
  t.same(s.cpu.throttling, { periods: 4n, throttledPeriods: 1n, throttledTime: 99n });
  t.same(s.pids, { current: 1n });
  t.same(s.hugetlb, Object.fromEntries(hostPageSizes().map((size) => [size, { failcnt: 4n }])));
});

t.test('unified: everything from the one directory; cpu.stat and pids without their controllers', async (t) => {
  const dir = tree(t.testdir(), {
    'cgroup.controllers': 'memory io\n',
    'cgroup.procs': '10\n11\n12\n',
    'cpu.stat': 'usage_usec 5\nuser_usec 3\nsystem_usec 2\n',
    'memory.stat': 'file 7\n',
    'memory.current': '100\n',
    'memory.max': 'max\n',
    'io.stat': '',
  });
  const { sources } = statsSources({ v2: dir, v1: {} });
  t.same(Object.keys(sources).sort(), ['cpu', 'io', 'memory', 'pids']);
  const s = readCgroupStats({ v2: dir, v1: {} });
  t.same(s.pids, { current: 3n }, 'counted from cgroup.procs');
  t.equal(s.cpu.usage.total, 5000n);
  t.equal(s.memory.usage.usage, 100n);
  t.equal(s.memory.cache, 7n);
});

t.test('a cgroup directory that is gone is an error naming the file', async (t) => {
  const base = t.testdir();
  t.throws(() => readCgroupStats({ v1: { pids: join(base, 'gone') } }), { message: /gone\/pids\.current: file does not exist/ });
});
