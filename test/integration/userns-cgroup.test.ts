// A new user namespace and a cgroup2 mount (the default config's `cgroup`
// mount on a cgroup v2 host; asked for by name here, so that this hybrid
// host takes the same path): cgroup2 is mounted in the cgroup namespace the
// user namespace owns; without a cgroup namespace the kernel refuses that
// mount, and the container's own cgroup directory is bound read-only in
// its place. Where the limits live in cgroup v1, the `cgroup` mount is the
// v1 view (cgroup-v1-view.test.ts), in a user namespace too.
import { chmodSync } from 'node:fs';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { cgroupRoots } from '../helpers/host.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun } from '../helpers/tsrun.ts';

function userns(c: any, dir: string, cgroupType = 'cgroup2'): void {
  chmodSync(dir, 0o755); // the namespace's root (host uid 100000) walks to the rootfs
  for (const m of c.mounts) if (m.destination === '/sys/fs/cgroup') m.type = cgroupType;
  c.linux.namespaces.push({ type: 'user' });
  c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  c.process.args = [
    'sh',
    '-c',
    'grep " /sys/fs/cgroup " /proc/self/mountinfo; touch /sys/fs/cgroup/x 2>/dev/null && echo writable || echo read-only; cat /proc/self/cgroup | grep "^0::"',
  ];
}

t.test('user namespace and the cgroup mount', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  t.test("with a cgroup namespace: cgroup2 is mounted, rooted at the container's cgroup", async (t) => {
    const bundle = makeBundle(t, (c, b) => userns(c, b.dir));
    const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 0, r.stderr);
    const [mount, rw, cg] = r.stdout.trim().split('\n');
    t.match(mount, / \/ \/sys\/fs\/cgroup ro,.* - cgroup2 /);
    t.equal(rw, 'read-only');
    t.equal(cg, '0::/');
  });

  t.test("without a cgroup namespace: the container's own cgroup directory, bound read-only", async (t) => {
    const id = tsrun.id();
    const bundle = makeBundle(t, (c, b) => {
      userns(c, b.dir);
      c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== 'cgroup');
    });
    const r = tsrun.run(['run', '--bundle', bundle.dir, id]);
    t.equal(r.status, 0, r.stderr);
    const [mount, rw, cg] = r.stdout.trim().split('\n');
    const own = cg!.slice(3);
    t.ok(own.endsWith(`/${id}`), `the process's cgroup ${own} is the container's`);
    t.match(mount, new RegExp(` ${own} /sys/fs/cgroup ro,`), 'the bound root is that cgroup, not the hierarchy');
    t.equal(rw, 'read-only');
  });

  const v1 = Object.keys(cgroupRoots().v1).length > 0;
  t.test(
    "the cgroup mount where the limits are v1: the container's v1 directories, bound read-only",
    v1 ? {} : { skip: 'no cgroup v1 controller on this host' },
    async (t) => {
      const id = tsrun.id();
      const bundle = makeBundle(t, (c, b) => {
        userns(c, b.dir, 'cgroup');
        c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== 'cgroup');
        c.process.args = ['sh', '-c', 'grep " /sys/fs/cgroup" /proc/self/mountinfo; touch /sys/fs/cgroup/x 2>/dev/null && echo writable || echo read-only'];
      });
      const r = tsrun.run(['run', '--bundle', bundle.dir, id]);
      t.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      t.match(lines[0], / \/ \/sys\/fs\/cgroup ro,.* - tmpfs /, 'a read-only tmpfs holds them');
      const memory = lines.find((l) => / \/sys\/fs\/cgroup\/memory /.test(l));
      t.match(memory, new RegExp(` /tsrun/${id} /sys/fs/cgroup/memory ro,.* - cgroup cgroup .*memory`), "the container's own memory cgroup");
      t.equal(lines.at(-1), 'read-only');
    },
  );
});
