// config-linux.md control groups: cgroupsPath and the resources the host can
// show. A limit is read back from the host, from the cgroup the container
// process is in: the v1 hierarchy when the controller is mounted as v1,
// otherwise the cgroup2 one; a controller in neither is a skip.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectEq, expectTrue, fail, skip, type Case } from '../lib/case.ts';
import { ownCgroups, type Ctx } from '../lib/context.ts';

const S = 'config-linux.md' as const;

function cgroupsDeclaredOff(ctx: Ctx): void {
  const cg = ctx.features?.linux?.cgroup as { v1?: boolean; v2?: boolean } | undefined;
  if (cg && cg.v1 === false && cg.v2 === false) skip('runtime declares no cgroup support (features: linux.cgroup v1 and v2 false)');
}

interface Located {
  file: string;
  version: 1 | 2;
}

/** Where controller `ctrl` keeps `v1file`/`v2file` for process `pid`. */
function locate(ctx: Ctx, pid: number, ctrl: string, v1file: string, v2file: string): Located {
  const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const own = ownCgroups(ctx.host);
  const v1mnt = ctx.host.cgroupV1.get(ctrl);
  if (v1mnt) {
    const l = lines.find((x) => (x.split(':')[1] ?? '').split(',').includes(ctrl));
    const p = l?.split(':')[2];
    if (p === undefined) fail(`process ${pid} has no ${ctrl} cgroup`);
    if (p === own.get(v1mnt)) fail(`container process is in the caller's ${ctrl} cgroup ${p}: no cgroup was set up for it, and create did not fail`);
    return { file: path.join(v1mnt, p, v1file), version: 1 };
  }
  const v2 = ctx.host.cgroupV2;
  if (v2 && v2.controllers.includes(ctrl)) {
    const p = lines.find((x) => x.startsWith('0::'))?.slice(3);
    if (p === undefined) fail(`process ${pid} has no cgroup2 path`);
    if (p === own.get(v2.mount)) fail(`container process is in the caller's cgroup2 cgroup ${p}: no cgroup was set up for it, and create did not fail`);
    return { file: path.join(v2.mount, p, v2file), version: 2 };
  }
  skip(`host lacks the ${ctrl} controller (neither cgroup v1 nor the cgroup2 hierarchy has it)`);
}

async function createdPid(ctx: Ctx, create = true): Promise<number> {
  if (create) {
    ctx.config.process.args = ['/bin/probe', 'sleep=30'];
    ctx.must(await ctx.create(), 'create');
  }
  const { state } = await ctx.state();
  if (!state?.pid) fail('no pid in state after create');
  return state.pid as number;
}

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    fail(`cannot read ${file}: ${(e as Error).message}`);
  }
}

function resourceCase(
  id: string,
  section: string,
  requirement: string,
  ctrl: string,
  set: (r: Record<string, any>) => void,
  check: (ctx: Ctx, pid: number) => void,
): Case {
  return {
    id,
    spec: S,
    section,
    level: 'MUST',
    area: 'cgroups',
    requirement,
    async run(ctx) {
      cgroupsDeclaredOff(ctx);
      set(ctx.config.linux.resources);
      ctx.config.process.args = ['/bin/probe', 'sleep=30'];
      const c = await ctx.create();
      // Runtimes MAY support a subset of values; refusing one with an error is
      // what the spec asks for, but then nothing can be checked.
      if (c.code !== 0 && !c.timedOut) skip(`runtime refused the setting with an error, as config.md "Valid values" allows: ${c.summary.slice(-200)}`);
      const pid = await createdPid(ctx, false);
      check(ctx, pid);
      return `checked the ${ctrl} controller`;
    },
  };
}

function resctrlMount(): string | undefined {
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ');
    if (post?.startsWith('resctrl ')) return pre?.split(' ')[4];
  }
  return undefined;
}

/** The container process's cgroup2 directory; fails if it is the caller's own. */
function v2Dir(ctx: Ctx, pid: number): string {
  const v2 = ctx.host.cgroupV2!;
  const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const p = lines.find((x) => x.startsWith('0::'))?.slice(3);
  if (p === undefined) fail(`process ${pid} has no cgroup2 path: ${lines.join(' ; ')}`);
  if (p === ownCgroups(ctx.host).get(v2.mount))
    fail(`container process is in the caller's cgroup2 cgroup ${p}: no cgroup2 cgroup was set up for it, and create did not fail`);
  return path.join(v2.mount, p);
}

/** create with resources.unified; a refusal is a skip (a runtime MAY support a subset). */
async function createUnified(ctx: Ctx): Promise<number> {
  ctx.config.process.args = ['/bin/probe', 'sleep=30'];
  const c = await ctx.create();
  if (c.code !== 0 && !c.timedOut) skip(`runtime refused linux.resources.unified with an error, as config.md "Valid values" allows: ${c.summary.slice(-200)}`);
  return createdPid(ctx, false);
}

export const resourceCases: Case[] = [
  {
    id: 'cgroups-path-relative',
    spec: S,
    section: 'cgroups-path',
    level: 'MUST',
    area: 'cgroups',
    requirement:
      'If the value is specified, the runtime MUST consistently attach to the same place in the cgroups hierarchy given the same value of cgroupsPath.',
    async run(ctx) {
      cgroupsDeclaredOff(ctx);
      const pid = await createdPid(ctx);
      const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
      const suffix = `/tsrun-conformance/${ctx.id}`;
      const hits = lines.filter((l) => l.endsWith(suffix));
      expectTrue(hits.length > 0, `no hierarchy places the process at a path ending in ${suffix}: ${lines.join(' ; ')}`);
      return `attached in: ${hits.map((h) => h.split(':')[1] || 'cgroup2').join(', ')}`;
    },
  },
  {
    id: 'cgroups-path-absolute',
    spec: S,
    section: 'cgroups-path',
    level: 'MUST',
    area: 'cgroups',
    requirement: 'In the case of an absolute path (starting with /), the runtime MUST take the path to be relative to the cgroups mount point.',
    async run(ctx) {
      cgroupsDeclaredOff(ctx);
      if (!ctx.opts.allowRootCgroups)
        skip('not run by default: an absolute cgroupsPath makes cgroups at the root of every host hierarchy (pass --allow-root-cgroups)');
      ctx.config.linux.cgroupsPath = `/tsrun-conformance/${ctx.id}`;
      const pid = await createdPid(ctx);
      const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
      const bad = lines.filter((l) => !l.endsWith(`:/tsrun-conformance/${ctx.id}`));
      expectTrue(bad.length < lines.length, `no hierarchy has the process at /tsrun-conformance/${ctx.id}: ${lines.join(' ; ')}`);
    },
  },
  resourceCase(
    'memory-limit',
    'memory',
    'limit (int64, OPTIONAL) - sets limit of memory usage in bytes',
    'memory',
    (r) => (r.memory = { limit: 64 * 1024 * 1024 }),
    (ctx, pid) => {
      const l = locate(ctx, pid, 'memory', 'memory.limit_in_bytes', 'memory.max');
      expectEq(read(l.file), String(64 * 1024 * 1024), l.file);
    },
  ),
  resourceCase(
    'cpu-shares-quota',
    'cpu',
    'shares (uint64, OPTIONAL) - specifies a relative share of CPU time; quota (int64, OPTIONAL) - total amount of time in microseconds for which all tasks in a cgroup can run during one period; period (uint64, OPTIONAL)',
    'cpu',
    (r) => (r.cpu = { shares: 512, quota: 50000, period: 100000 }),
    (ctx, pid) => {
      const l = locate(ctx, pid, 'cpu', 'cpu.shares', 'cpu.max');
      if (l.version === 1) {
        const dir = path.dirname(l.file);
        expectEq(
          [read(l.file), read(path.join(dir, 'cpu.cfs_quota_us')), read(path.join(dir, 'cpu.cfs_period_us'))],
          ['512', '50000', '100000'],
          `${dir} cpu.shares, cpu.cfs_quota_us, cpu.cfs_period_us`,
        );
      } else {
        expectEq(read(l.file), '50000 100000', l.file);
      }
    },
  ),
  resourceCase(
    'pids-limit',
    'pids',
    'limit (int64, REQUIRED) - specifies the maximum number of tasks in the cgroup',
    'pids',
    (r) => (r.pids = { limit: 77 }),
    (ctx, pid) => {
      const l = locate(ctx, pid, 'pids', 'pids.max', 'pids.max');
      expectEq(read(l.file), '77', l.file);
    },
  ),
  resourceCase(
    'blkio-weight',
    'block-io',
    'weight (uint16, OPTIONAL) - specifies per-cgroup weight. This is default weight of the group on all devices until and unless overridden by per-device rules.',
    'blkio',
    (r) => (r.blockIO = { weight: 300 }),
    (ctx, pid) => {
      const l = locate(ctx, pid, 'blkio', 'blkio.weight', 'io.weight');
      if (!fs.existsSync(l.file) && fs.existsSync(path.join(path.dirname(l.file), 'blkio.bfq.weight'))) {
        expectEq(read(path.join(path.dirname(l.file), 'blkio.bfq.weight')), '300', 'blkio.bfq.weight');
        return;
      }
      if (!fs.existsSync(l.file)) skip(`the host's blkio controller has no weight file (${path.basename(l.file)}; no CFQ/BFQ)`);
      expectTrue(read(l.file).includes('300'), `${l.file}: ${read(l.file)}`);
    },
  ),
  resourceCase(
    'hugepage-limits',
    'huge-page-limits',
    'hugepageLimits (array of objects, OPTIONAL) represents the hugetlb controller which allows to limit the HugeTLB reservations (if supported) or usage (page fault).',
    'hugetlb',
    (r) => (r.hugepageLimits = [{ pageSize: '2MB', limit: 8 * 1024 * 1024 }]),
    (ctx, pid) => {
      if (!fs.existsSync('/sys/kernel/mm/hugepages/hugepages-2048kB')) skip('host has no 2MB huge pages');
      const l = locate(ctx, pid, 'hugetlb', 'hugetlb.2MB.limit_in_bytes', 'hugetlb.2MB.max');
      expectEq(read(l.file), String(8 * 1024 * 1024), l.file);
    },
  ),
  {
    id: 'devices-cgroup-order',
    spec: S,
    section: 'allowed-device-list',
    level: 'MUST',
    area: 'cgroups',
    requirement: 'The runtime MUST apply entries in the listed order.',
    async run(ctx) {
      cgroupsDeclaredOff(ctx);
      const dev = { path: '/dev/conf-fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 };
      ctx.config.linux.devices = [dev];
      ctx.config.linux.resources.devices = [
        { allow: false, access: 'rwm' },
        { allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' },
      ];
      const allowed = await ctx.runProbe(['openrw=/dev/conf-fuse']);
      expectEq(allowed['openrw:/dev/conf-fuse']?.errno, 0, 'errno opening the device allowed by the last entry');
      ctx.config.linux.resources.devices = [
        { allow: false, access: 'rwm' },
        { allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' },
        { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' },
      ];
      const denied = await ctx.runProbe(['openrw=/dev/conf-fuse'], { id: ctx.newId() });
      expectEq(denied['openrw:/dev/conf-fuse']?.errno, 1, 'errno opening the device denied by the last entry (EPERM)');
    },
  },
  {
    id: 'unified-written',
    spec: S,
    section: 'unified',
    level: 'MUST',
    area: 'cgroups',
    requirement:
      'unified (object, OPTIONAL) allows cgroup v2 parameters to be set. Each key in the map refers to a file in the cgroup unified hierarchy. Configuration unknown to the runtime MUST still be written to the relevant file.',
    async run(ctx) {
      cgroupsDeclaredOff(ctx);
      ctx.need(!!ctx.host.cgroupV2, 'host has no cgroup2 hierarchy mounted');
      // A core interface file: no controller needed.
      ctx.config.linux.resources.unified = { 'cgroup.max.descendants': '7' };
      const pid = await createUnified(ctx);
      const file = path.join(v2Dir(ctx, pid), 'cgroup.max.descendants');
      expectEq(read(file), '7', file);
    },
  },
  {
    id: 'unified-controller-enabled',
    spec: S,
    section: 'unified',
    level: 'MUST',
    area: 'cgroups',
    requirement: 'The OCI runtime MUST ensure that the needed cgroup controllers are enabled for the cgroup.',
    async run(ctx) {
      cgroupsDeclaredOff(ctx);
      const v2 = ctx.host.cgroupV2;
      ctx.need(!!v2, 'host has no cgroup2 hierarchy mounted');
      ctx.need(
        !!v2?.controllers.includes('hugetlb'),
        `the host's cgroup2 hierarchy lacks the hugetlb controller (it has: ${v2?.controllers.join(', ') || 'none'})`,
      );
      ctx.need(fs.existsSync('/sys/kernel/mm/hugepages/hugepages-2048kB'), 'host has no 2MB huge pages');
      ctx.config.linux.resources.unified = { 'hugetlb.2MB.max': String(8 * 1024 * 1024) };
      const pid = await createUnified(ctx);
      const dir = v2Dir(ctx, pid);
      expectEq(read(path.join(dir, 'hugetlb.2MB.max')), String(8 * 1024 * 1024), path.join(dir, 'hugetlb.2MB.max'));
      const parent = path.dirname(dir);
      expectTrue(
        read(path.join(parent, 'cgroup.subtree_control')).split(/\s+/).includes('hugetlb'),
        `hugetlb is not enabled in ${parent}/cgroup.subtree_control`,
      );
    },
  },
  {
    id: 'unified-controller-absent',
    spec: S,
    section: 'unified',
    level: 'MUST',
    area: 'cgroups',
    requirement: 'The runtime MUST generate an error when the configuration refers to a cgroup controller that is not present or that cannot be enabled.',
    async run(ctx) {
      cgroupsDeclaredOff(ctx);
      const v2 = ctx.host.cgroupV2;
      ctx.need(!!v2, 'host has no cgroup2 hierarchy mounted');
      const missing = ['pids', 'memory', 'cpu', 'io', 'rdma', 'misc'].find((c) => !v2!.controllers.includes(c));
      ctx.need(!!missing, `the host's cgroup2 hierarchy has every candidate controller (${v2!.controllers.join(', ')})`);
      const key = { pids: 'pids.max', memory: 'memory.max', cpu: 'cpu.weight', io: 'io.weight', rdma: 'rdma.max', misc: 'misc.max' }[missing!]!;
      ctx.config.linux.resources.unified = { [key]: key === 'pids.max' ? '10' : key === 'cpu.weight' || key === 'io.weight' ? '100' : 'max' };
      ctx.config.process.args = ['/bin/probe', 'sleep=30'];
      const c = await ctx.create();
      const s = c.code === 0 ? await ctx.start() : c;
      expectTrue(s.code !== 0 && !s.timedOut, `unified ${key} was accepted although the cgroup2 hierarchy has no ${missing} controller (create: ${c.summary})`);
    },
  },
  {
    id: 'intel-rdt-no-resctrl',
    spec: S,
    section: 'intelrdt',
    level: 'MUST',
    requirement: 'If no mounted resctrl pseudo-filesystem is available in the runtime mount namespace, the runtime MUST generate an error.',
    async run(ctx) {
      ctx.need(!resctrlMount(), `host has resctrl mounted at ${resctrlMount()}: the missing-resctrl error cannot be provoked`);
      ctx.config.linux.intelRdt = { closID: 'conformance' };
      ctx.config.process.args = ['/bin/probe', 'sleep=30'];
      const c = await ctx.create();
      const s = c.code === 0 ? await ctx.start() : c;
      expectTrue(s.code !== 0 && !s.timedOut, `intelRdt was accepted with no resctrl filesystem mounted (create: ${c.summary})`);
    },
  },
  {
    id: 'intel-rdt-tasks',
    spec: S,
    section: 'intelrdt',
    level: 'MUST',
    requirement:
      'If intelRdt is set, the runtime MUST write the container process ID to the tasks file in a proper sub-directory in a mounted resctrl pseudo-filesystem. That sub-directory name is specified by closID parameter.',
    async run(ctx) {
      const mnt = resctrlMount();
      const inKernel = /\bresctrl\b/.test(fs.readFileSync('/proc/filesystems', 'utf8'));
      ctx.need(
        !!mnt,
        `host has no resctrl filesystem mounted (${inKernel ? 'the kernel knows resctrl, but it is not mounted' : 'no resctrl in /proc/filesystems: no Intel RDT support'})`,
      );
      ctx.config.linux.intelRdt = { closID: `conformance-${ctx.id}`.slice(0, 60) };
      ctx.onCleanup(() => {
        try {
          fs.rmdirSync(path.join(mnt!, ctx.config.linux.intelRdt.closID));
        } catch {
          // the runtime removed it, or never made it
        }
      });
      await ctx.declaredUnsupported(ctx.features?.linux?.intelRdt?.enabled, 'intelRdt');
      const pid = await createdPid(ctx);
      const tasks = path.join(mnt!, ctx.config.linux.intelRdt.closID, 'tasks');
      expectTrue(read(tasks).split('\n').includes(String(pid)), `pid ${pid} not in ${tasks}`);
    },
  },
];
