// Bad input: a clear error naming the field, exit 1, and nothing left:
// no state dir, no cgroup, no mount, no process.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { cgroupDirsNamed, cgroupRoots, tsrunMountCount } from '../helpers/host.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun } from '../helpers/tsrun.ts';

// Every hierarchy this host has (cgroup2 and each v1 controller, from
// /proc/self/mountinfo): a cgroup of this test process's containers left in
// any of them counts (other test runs on the machine have their own).
function cgroups(): string[] {
  return cgroupRoots().all.flatMap((root) => {
    try {
      return readdirSync(`${root}/tsrun`, { withFileTypes: true })
        .filter((e) => e.isDirectory() && e.name.startsWith(`c-${process.pid}-`))
        .map((e) => `${root}/tsrun/${e.name}`);
    } catch {
      return [];
    }
  });
}

// Mounts tsrun could leave on the host: those under a tsrun path (the whole
// mount table changes as other work on the machine mounts and unmounts).
function mountCount(): number {
  return tsrunMountCount();
}

/** Live tsrun-init processes of this test file's containers (other runs may share the machine). */
function initProcesses(): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      // A killed init may wait a moment as a zombie for pid 1 to reap it.
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (!/^Name:\s+tsrun:\[init\]/m.test(status) || /^State:\s+Z/m.test(status)) continue;
      if (readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(`/tsrun/c-${process.pid}-`)) n++;
    } catch {
      // exited meanwhile
    }
  }
  return n;
}

t.test('bad input leaves nothing behind', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  const cases: [string, (config: any, dir: string) => void, RegExp][] = [
    [
      'config.json that is not JSON',
      (_c, dir) => writeFileSync(join(dir, 'config.json'), '{"ociVersion": "1.2.0",\n  "process": }'),
      /config\.json.*(line 2|2:)/,
    ],
    ['a schema violation', (c) => (c.process.user.uid = 'root'), /\/process\/user\/uid/],
    ['an unknown namespace type', (c) => c.linux.namespaces.push({ type: 'bogus' }), /\/linux\/namespaces\/6\/type/],
    ['an unknown capability', (c) => c.process.capabilities.bounding.push('CAP_BOGUS'), /CAP_BOGUS/],
    ['a relative cwd', (c) => (c.process.cwd = 'tmp'), /\/process\/cwd/],
    ['a missing rootfs', (c) => (c.root.path = 'nope'), /\/root\/path/],
    [
      'a mount failing inside the init',
      (c) => c.mounts.push({ destination: '/x', type: 'nosuchfs', source: 'none' }),
      /mounts: mount none \(nosuchfs\) at \/x/,
    ],
    ['an executable that is not there', (c) => (c.process.args = ['/bin/nothing-here']), /\/bin\/nothing-here/],
    ['a cpuset the kernel refuses', (c) => (c.linux.resources.cpu = { cpus: '4095' }), /\/linux\/resources\/cpu\/cpus: .*cpuset\.cpus/],
    [
      'a memory limit below a swap limit',
      (c) => (c.linux.resources.memory = { limit: 64 << 20, swap: 32 << 20 }),
      /\/linux\/resources\/memory\/(swap|limit): .*memory/,
    ],
    [
      'a unified key for a controller cgroup v2 lacks',
      (c) => (c.linux.resources.unified = { 'nosuch.max': '1' }),
      /\/linux\/resources\/unified\/nosuch\.max: /,
    ],
    [
      'a unified key that climbs out',
      (c) => (c.linux.resources.unified = { '../cgroup.procs': '1' }),
      /\/linux\/resources\/unified\/\.\.~1cgroup\.procs: .*plain cgroup file name/,
    ],
    ['a systemd cgroupsPath', (c) => (c.linux.cgroupsPath = 'system.slice:tsrun:x'), /\/linux\/cgroupsPath: .*systemd/],
  ];
  for (const [name, patch, message] of cases) {
    t.test(name, async (t) => {
      const before = { cgroups: cgroups().length, mounts: mountCount(), inits: initProcesses() };
      const bundle = makeBundle(t);
      patch(bundle.config, bundle.dir);
      if (name !== 'config.json that is not JSON') bundle.write();
      const id = tsrun.id();
      const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
      t.equal(r.status, 1, 'exit status 1');
      t.match(r.stderr, message);
      t.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      t.same(tsrun.leftovers(), [], 'no state dir');
      t.equal(cgroups().length, before.cgroups, 'no cgroup');
      t.same(cgroupDirsNamed(`/tsrun/${id}`), [], 'no cgroup of this id in any hierarchy');
      t.equal(mountCount(), before.mounts, 'no mount');
      t.equal(initProcesses(), before.inits, 'no init process');
    });
  }

  t.test('a bad container id', async (t) => {
    const bundle = makeBundle(t);
    for (const id of ['../x', 'a/b', '']) {
      const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
      t.equal(r.status, 1, `id ${JSON.stringify(id)} refused`);
      t.match(r.stderr, /container id|needs <container-id>/);
    }
    t.same(tsrun.leftovers(), []);
  });

  t.test('--log --log-format json writes runc-style lines', async (t) => {
    const bundle = makeBundle(t, (c) => (c.process.cwd = 'relative'));
    const log = join(bundle.dir, 'log.json');
    const r = tsrun.run(['--log', log, '--log-format', 'json', 'create', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 1);
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const last = lines.at(-1);
    t.equal(last.level, 'error');
    t.match(last.msg, /\/process\/cwd/);
    t.ok(!Number.isNaN(Date.parse(last.time)), 'time is RFC 3339');
  });
});
