// On a host whose limits live in cgroup v1 (hybrid here), the config's
// `cgroup` mount shows the container its own v1 cgroups, as runc does: a
// read-only tmpfs at /sys/fs/cgroup with each hierarchy's container
// directory bound read-only under the hierarchy's name. What reads its own
// limits inside (a JVM, `cat memory.limit_in_bytes`) finds them, and
// nothing of the host's cgroup tree shows.
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import t, { type Test } from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { cgroupRoots } from '../helpers/host.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun } from '../helpers/tsrun.ts';

const roots = cgroupRoots();
const hierarchies = [...new Set(Object.values(roots.v1))].map((m) => basename(m)).sort();
const LIMIT = 48 << 20;

// Prints: the names under /sys/fs/cgroup; the memory limit; the pids in
// its cgroup.procs (the shell's pipeline included); the directories below
// the memory cgroup; whether each write was refused; the memory mount.
const PROBE = [
  'ls /sys/fs/cgroup | tr "\\n" " "; echo',
  'cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
  'cat /sys/fs/cgroup/memory/cgroup.procs | tr "\\n" " "; echo',
  'find /sys/fs/cgroup/memory -mindepth 1 -type d | wc -l',
  'touch /sys/fs/cgroup/x 2>/dev/null && echo tmpfs-writable || echo tmpfs-read-only',
  'echo 1 > /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null && echo limit-writable || echo limit-read-only',
  'grep " /sys/fs/cgroup/memory " /proc/self/mountinfo',
].join('; ');

function probeBundle(t: Test, extra?: (c: any) => void) {
  return makeBundle(t, (c) => {
    c.process.args = ['sh', '-c', PROBE];
    c.linux.resources = { ...c.linux.resources, memory: { limit: LIMIT } };
    extra?.(c);
  });
}

t.test(
  'the cgroup mount on a cgroup v1 host',
  { ...skipUnlessRoot(), ...(hierarchies.length ? {} : { skip: 'the host mounts no cgroup v1 controller' }) },
  async (t) => {
    const tsrun = new Tsrun(t);

    const check = (t: Test, out: string, mountRoot: RegExp) => {
      const [names, limit, procs, subdirs, tmpfs, write, mount] = out.trim().split('\n');
      t.same(names!.trim().split(' ').sort(), hierarchies, 'one directory per v1 hierarchy of the host, and nothing else');
      t.equal(Number(limit), LIMIT, "the container's own memory limit");
      const pids = procs!.trim().split(' ');
      t.ok(pids.includes('1'), `its own cgroup: the container's pid 1 is in it (${procs})`);
      t.notOk(pids.includes('0'), 'and no process from outside the container (those read as 0 here)');
      t.equal(subdirs!.trim(), '0', 'no cgroup of another container or of the host below it');
      t.equal(tmpfs, 'tmpfs-read-only');
      t.equal(write, 'limit-read-only', 'the container cannot raise its own limit');
      t.match(mount, mountRoot);
      t.match(mount, / ro,.* - cgroup cgroup .*memory/, 'a read-only bind of the v1 memory hierarchy');
    };

    t.test("without a cgroup namespace: the container's directories, bound", async (t) => {
      const id = tsrun.id();
      const bundle = probeBundle(t, (c) => (c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== 'cgroup')));
      const r = tsrun.run(['run', '--bundle', bundle.dir, id]);
      t.equal(r.status, 0, r.stderr);
      check(t, r.stdout, new RegExp(` /tsrun/${id} /sys/fs/cgroup/memory `));
    });

    t.test('in a cgroup namespace the same directories show as its root', async (t) => {
      const bundle = probeBundle(t, (c) => {
        if (!c.linux.namespaces.some((n: any) => n.type === 'cgroup')) c.linux.namespaces.push({ type: 'cgroup' });
      });
      const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
      t.equal(r.status, 0, r.stderr);
      check(t, r.stdout, / \/ \/sys\/fs\/cgroup\/memory /);
    });

    t.test('nothing of it stays on the host after the container is gone', async (t) => {
      const cgroupMounts = () =>
        readFileSync('/proc/self/mountinfo', 'utf8')
          .split('\n')
          .filter((l) => / \/sys\/fs\/cgroup/.test(l))
          .sort();
      const before = cgroupMounts();
      const beforeDirs = readdirSync('/sys/fs/cgroup').sort();
      const r = tsrun.run(['run', '--bundle', probeBundle(t).dir, tsrun.id()]);
      t.equal(r.status, 0, r.stderr);
      t.same(cgroupMounts(), before, "the host's cgroup mounts are as they were");
      t.same(readdirSync('/sys/fs/cgroup').sort(), beforeDirs);
    });
  },
);
