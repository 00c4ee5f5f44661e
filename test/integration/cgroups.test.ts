// linux.resources enforced on this host's cgroups, checked from the host:
// the values in the cgroup files, and the limits biting (OOM kill, a fork
// bomb stopped, CPU throttled, CPU pinned, processes frozen). On a hybrid
// host (the development machines) that is the v1 manager plus the cgroup2
// directory; the pure cgroup v2 proofs run in the qemu guest (test/vm).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { cgroupDirsNamed, cgroupRoots, controllerDir, pidGone, procStatus, waitFor } from '../helpers/host.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun } from '../helpers/tsrun.ts';

const roots = cgroupRoots();

function read(file: string): string {
  return readFileSync(file, 'utf8').trim();
}

function readOr(file: string, fallback = ''): string {
  try {
    return read(file);
  } catch {
    return fallback;
  }
}

/** "key value" lines (cpu.stat, memory.oom_control, pids.events). */
function keyed(file: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readOr(file).split('\n')) {
    const [k, v] = line.split(/\s+/);
    if (k && v !== undefined) out[k] = Number(v);
  }
  return out;
}

/** major:minor of a real (not loop/zram) block device, for the throttle files. */
function blockDevice(): string | undefined {
  for (const name of readdirSync('/sys/block')) {
    if (/^(loop|zram|ram)/.test(name)) continue;
    const dev = readOr(`/sys/block/${name}/dev`);
    if (dev) return dev;
  }
  return undefined;
}

const noPidNs = (c: any) => (c.linux.namespaces = c.linux.namespaces.filter((ns: any) => ns.type !== 'pid'));

t.test('cgroup limits', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  t.test('every limit lands in its controller file, and the init is in every hierarchy', async (t) => {
    const dev = blockDevice();
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sleep', '1000'];
      c.linux.resources = {
        ...c.linux.resources,
        memory: { limit: 64 << 20, reservation: 32 << 20, swap: 96 << 20, swappiness: 10 },
        cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0', mems: '0' },
        pids: { limit: 77 },
        blockIO: {
          weight: 300,
          ...(dev ? { throttleReadBpsDevice: [{ major: Number(dev.split(':')[0]), minor: Number(dev.split(':')[1]), rate: 1048576 }] } : {}),
        },
        hugepageLimits: [{ pageSize: '2MB', limit: 8 << 20 }],
      };
    });
    const id = tsrun.id();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.status, 0, r.stderr);
    const pid = tsrun.state(id).pid;
    const rel = `/tsrun/${id}`;
    const lines = read(`/proc/${pid}/cgroup`).split('\n');
    t.same(
      lines.filter((l) => !l.includes('name=') && !l.endsWith(`:${rel}`)),
      [],
      `in ${rel} of every hierarchy: ${lines.join(' ; ')}`,
    );

    const mem = (f: string) => read(`${controllerDir('memory', rel)}/${f}`);
    if (roots.v1.memory) {
      t.equal(mem('memory.limit_in_bytes'), String(64 << 20), 'memory.limit_in_bytes');
      t.equal(mem('memory.soft_limit_in_bytes'), String(32 << 20), 'memory.soft_limit_in_bytes (reservation)');
      if (existsSync(`${controllerDir('memory', rel)}/memory.memsw.limit_in_bytes`))
        t.equal(mem('memory.memsw.limit_in_bytes'), String(96 << 20), 'memsw = spec swap');
      t.equal(mem('memory.swappiness'), '10');
    }
    if (roots.v1.cpu) {
      const cpu = (f: string) => read(`${controllerDir('cpu', rel)}/${f}`);
      t.same([cpu('cpu.shares'), cpu('cpu.cfs_quota_us'), cpu('cpu.cfs_period_us')], ['512', '50000', '100000'], 'cpu.shares, cfs quota and period');
    }
    t.equal(read(`${controllerDir('cpuset', rel)}/cpuset.cpus`), '0', 'cpuset.cpus');
    t.equal(read(`${controllerDir('pids', rel)}/pids.max`), '77', 'pids.max');
    if (roots.v1.blkio) {
      const blkio = controllerDir('blkio', rel);
      const weightFile = existsSync(`${blkio}/blkio.weight`) ? 'blkio.weight' : 'blkio.bfq.weight';
      t.match(read(`${blkio}/${weightFile}`), /300/, weightFile);
      if (dev) t.match(read(`${blkio}/blkio.throttle.read_bps_device`), `${dev} 1048576`, 'blkio.throttle.read_bps_device');
    }
    if (existsSync('/sys/kernel/mm/hugepages/hugepages-2048kB')) {
      const dir = controllerDir('hugetlb', rel);
      t.equal(read(`${dir}/${roots.v1.hugetlb ? 'hugetlb.2MB.limit_in_bytes' : 'hugetlb.2MB.max'}`), String(8 << 20), `hugetlb 2MB limit in ${dir}`);
      if (!roots.v1.hugetlb) t.match(read(`${roots.v2}/tsrun/cgroup.subtree_control`), /hugetlb/, 'hugetlb enabled for the container in its parent');
    }
    t.equal(tsrun.run(['delete', '--force', id]).status, 0);
    t.same(cgroupDirsNamed(rel), [], 'removed from every hierarchy');
  });

  t.test('a memory limit OOM-kills a process that allocates past it', async (t) => {
    const bundle = makeBundle(t, (c) => {
      // 64 MiB buffer under a 32 MiB limit; memsw = limit, so no swap either.
      c.process.args = ['sh', '-c', 'dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo "dd exit $?"'];
      c.linux.resources.memory = { limit: 32 << 20, swap: 32 << 20 };
    });
    const id = tsrun.id();
    const r = tsrun.run(['run', '--keep', '--bundle', bundle.dir, id]);
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, 'dd exit 137', 'dd was killed by SIGKILL (128 + 9)');
    const dir = controllerDir('memory', `/tsrun/${id}`);
    if (roots.v1.memory) {
      t.ok(keyed(`${dir}/memory.oom_control`).oom_kill! >= 1, `memory.oom_control oom_kill: ${read(`${dir}/memory.oom_control`)}`);
      t.ok(Number(read(`${dir}/memory.max_usage_in_bytes`)) <= 32 << 20, 'usage never went past the limit');
    } else {
      t.ok(keyed(`${dir}/memory.events`).oom_kill! >= 1, 'memory.events oom_kill');
    }
    t.equal(tsrun.run(['delete', id]).status, 0);
  });

  t.test('pids.max stops a fork bomb', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sh', '-c', 'n=0; for i in $(seq 40); do sleep 30 & n=$((n+1)); done 2>/dev/null; echo started; sleep 30'];
      c.linux.resources.pids = { limit: 10 };
    });
    const id = tsrun.id();
    t.equal(tsrun.run(['run', '-d', '--bundle', bundle.dir, id]).status, 0);
    const dir = controllerDir('pids', `/tsrun/${id}`);
    t.ok(await waitFor(() => keyed(`${dir}/pids.events`).max! > 0), `pids.events max counts refused forks: ${readOr(`${dir}/pids.events`)}`);
    t.ok(Number(read(`${dir}/pids.current`)) <= 10, `pids.current ${read(`${dir}/pids.current`)} <= 10`);
    if (existsSync(`${dir}/pids.peak`)) t.equal(read(`${dir}/pids.peak`), '10', 'pids.peak: the bomb reached the limit and no further');
    t.equal(tsrun.run(['delete', '--force', id]).status, 0);
  });

  t.test('a cpu quota throttles a busy loop', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sh', '-c', 'while :; do :; done'];
      c.linux.resources.cpu = { quota: 10000, period: 100000 };
    });
    const id = tsrun.id();
    t.equal(tsrun.run(['run', '-d', '--bundle', bundle.dir, id]).status, 0);
    const stat = `${controllerDir('cpu', `/tsrun/${id}`)}/cpu.stat`;
    t.ok(await waitFor(() => keyed(stat).nr_throttled! >= 3, 8000), `cpu.stat nr_throttled grows: ${readOr(stat).replace(/\n/g, ', ')}`);
    t.equal(tsrun.run(['delete', '--force', id]).status, 0);
  });

  t.test('cpuset pins the container to its cpus', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sleep', '1000'];
      c.linux.resources.cpu = { cpus: '1' };
    });
    const id = tsrun.id();
    t.equal(tsrun.run(['run', '-d', '--bundle', bundle.dir, id]).status, 0);
    t.equal(procStatus(tsrun.state(id).pid).Cpus_allowed_list, '1', 'Cpus_allowed_list');
    const exec = tsrun.run(['exec', id, 'grep', 'Cpus_allowed_list', '/proc/self/status']);
    t.match(exec.stdout, /Cpus_allowed_list:\s+1$/m, 'an exec process is pinned too (it joined the v1 cpuset)');
    t.equal(tsrun.run(['delete', '--force', id]).status, 0);
  });

  t.test('pause freezes every process, resume thaws them; state and list say paused', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.root.readonly = false;
      c.process.args = ['sh', '-c', 'n=0; while :; do n=$((n+1)); echo $n > /tmp/count; sleep 0.02; done'];
    });
    const id = tsrun.id();
    t.equal(tsrun.run(['run', '-d', '--bundle', bundle.dir, id]).status, 0);
    const count = () => Number(readOr(`${bundle.rootfs}/tmp/count`, '0'));
    t.ok(await waitFor(() => count() > 2), 'the loop runs');
    const p = tsrun.run(['pause', id]);
    t.equal(p.status, 0, p.stderr);
    t.equal(tsrun.state(id).status, 'paused');
    t.match(tsrun.run(['list']).stdout, new RegExp(`${id}\\s+\\d+\\s+paused`));
    if (roots.v1.freezer) t.equal(read(`${roots.v1.freezer}/tsrun/${id}/freezer.state`), 'FROZEN', 'freezer.state');
    else t.match(read(`${roots.v2}/tsrun/${id}/cgroup.events`), /frozen 1/, 'cgroup.events');
    const frozenAt = count();
    await new Promise((r) => setTimeout(r, 300));
    t.equal(count(), frozenAt, 'nothing ran while paused');
    const exec = tsrun.run(['exec', id, 'true']);
    t.equal(exec.status, 1, 'exec into a paused container is refused, as runc');
    t.match(exec.stderr, /paused/);
    t.equal(tsrun.run(['pause', id]).status, 1, 'pausing twice is an error');
    const res = tsrun.run(['resume', id]);
    t.equal(res.status, 0, res.stderr);
    t.equal(tsrun.state(id).status, 'running');
    t.ok(await waitFor(() => count() > frozenAt + 2), 'the loop runs again');
    t.equal(tsrun.run(['resume', id]).status, 1, 'resuming a running container is an error');
    // delete --force of a paused container kills it (SIGKILL thaws after).
    t.equal(tsrun.run(['pause', id]).status, 0);
    const pid = tsrun.state(id).pid;
    const del = tsrun.run(['delete', '--force', id]);
    t.equal(del.status, 0, del.stderr);
    t.ok(await waitFor(() => pidGone(pid)), 'the paused process is gone');
    t.same(cgroupDirsNamed(`/tsrun/${id}`), []);
  });

  t.test('kill of a paused container: SIGKILL kills it', async (t) => {
    const bundle = makeBundle(t, (c) => (c.process.args = ['sleep', '1000']));
    const id = tsrun.id();
    t.equal(tsrun.run(['run', '-d', '--bundle', bundle.dir, id]).status, 0);
    t.equal(tsrun.run(['pause', id]).status, 0);
    const pid = tsrun.state(id).pid;
    t.equal(tsrun.run(['kill', id, 'KILL']).status, 0);
    t.ok(await waitFor(() => pidGone(pid)), 'killed although frozen');
    t.equal(tsrun.state(id).status, 'stopped');
    t.equal(tsrun.run(['delete', id]).status, 0);
  });

  t.test('without a pid namespace: delete --force and kill --all reach double-forked children', async (t) => {
    const script = '(sleep 1000 &); (sh -c "sleep 1001 &" &); sleep 1002 & echo ready > /tmp/ready; wait';
    const bundle = makeBundle(t, (c) => {
      noPidNs(c);
      c.root.readonly = false;
      c.process.args = ['sh', '-c', script];
    });
    const v2procs = (id: string) =>
      readOr(`${roots.v2 ?? roots.v1.pids}/tsrun/${id}/cgroup.procs`)
        .split('\n')
        .filter(Boolean)
        .map(Number);

    const id = tsrun.id();
    t.equal(tsrun.run(['run', '-d', '--bundle', bundle.dir, id]).status, 0);
    t.ok(await waitFor(() => v2procs(id).length >= 4), `sh, its sleep and two daemonized sleeps: ${v2procs(id)}`);
    const pids = v2procs(id);
    const del = tsrun.run(['delete', '--force', id]);
    t.equal(del.status, 0, del.stderr);
    t.equal(del.stderr, '', 'no warning');
    t.ok(await waitFor(() => pids.every(pidGone)), `none left on the host: ${pids.filter((p) => !pidGone(p))}`);
    t.same(cgroupDirsNamed(`/tsrun/${id}`), [], 'cgroups removed');

    const id2 = tsrun.id();
    t.equal(tsrun.run(['run', '-d', '--bundle', bundle.dir, id2]).status, 0);
    t.ok(await waitFor(() => v2procs(id2).length >= 4));
    const pids2 = v2procs(id2);
    t.equal(tsrun.run(['kill', '--all', id2, 'TERM']).status, 0, 'kill --all TERM: freeze, signal each, thaw');
    t.ok(await waitFor(() => pids2.every(pidGone)), 'every process got TERM');
    t.equal(tsrun.run(['delete', id2]).status, 0);
  });

  t.test('run of a container whose init exits and leaves a daemon behind does not fail with EBUSY', async (t) => {
    const bundle = makeBundle(t, (c) => {
      noPidNs(c);
      c.process.args = ['sh', '-c', '(sleep 1000 &); exit 3'];
    });
    const id = tsrun.id();
    const r = tsrun.run(['run', '--bundle', bundle.dir, id]);
    t.equal(r.status, 3, 'the init exit status');
    t.equal(r.stderr, '', `no EBUSY, no warning: ${r.stderr}`);
    t.same(cgroupDirsNamed(`/tsrun/${id}`), [], 'the cgroups are gone, so the daemon was killed');
    t.same(tsrun.leftovers(), []);
  });

  t.test('cgroupsPath: relative and absolute paths are honoured in every hierarchy', async (t) => {
    for (const path of [`tsrun-test-rel/c-${process.pid}`, `/tsrun-test-abs/c-${process.pid}`]) {
      const bundle = makeBundle(t, (c) => {
        c.process.args = ['sleep', '1000'];
        c.linux.cgroupsPath = path;
        c.linux.resources.pids = { limit: 9 };
      });
      const id = tsrun.id();
      t.equal(tsrun.run(['create', '--bundle', bundle.dir, id]).status, 0);
      const rel = `/${path.replace(/^\//, '')}`;
      t.equal(cgroupDirsNamed(rel).length, roots.all.length, `${rel} in every hierarchy`);
      t.equal(read(`${controllerDir('pids', rel)}/pids.max`), '9');
      t.equal(tsrun.run(['delete', '--force', id]).status, 0);
      t.same(cgroupDirsNamed(rel.split('/').slice(0, 2).join('/')), [], 'the parent tsrun made is removed too');
    }
  });

  t.test('a limit the kernel refuses: one line naming field and file, nothing left', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['true'];
      c.linux.resources.pids = { limit: 5 };
      c.linux.resources.cpu = { cpus: '4095' };
    });
    const id = tsrun.id();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.status, 1);
    t.match(r.stderr, /\/linux\/resources\/cpu\/cpus: the kernel refused "4095" in \/.*\/cpuset\.cpus/);
    t.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.same(cgroupDirsNamed(`/tsrun/${id}`), [], 'no cgroup in any hierarchy (pids was made and written first)');
    t.same(tsrun.leftovers(), [], 'no state dir');
  });
});
