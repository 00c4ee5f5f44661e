// Leaked file descriptors (CVE-2024-21626 class): the container process
// holds only 0, 1, 2 and the preserved fds, for run and for exec, judged
// from the host in /proc/<pid>/fd; a cwd through /proc/self/fd/N is
// refused; a cwd through `..` or an absolute symlink stays in the rootfs.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { hostSnapshot } from '../helpers/host-snapshot.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun, TSRUN } from '../helpers/tsrun.ts';

function fdsOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/fd`)
    .map(Number)
    .sort((a, b) => a - b);
}

t.test('file descriptors', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  t.test('the container process of create/start holds only 0, 1, 2', async (t) => {
    const bundle = makeBundle(t, (c) => (c.process.args = ['sleep', '100']));
    const id = tsrun.id();
    t.equal(tsrun.run(['create', '--bundle', bundle.dir, id]).status, 0);
    t.equal(tsrun.run(['start', id]).status, 0);
    const pid = tsrun.state(id).pid as number;
    t.same(fdsOf(pid), [0, 1, 2]);
    for (const fd of [0, 1, 2]) t.notMatch(readlinkSync(`/proc/${pid}/fd/${fd}`), /tsrun-root|state|fifo|memfd/, `fd ${fd} is plain stdio`);

    // exec: the same, for a process tsrun-init started in the running container.
    const pidFile = join(bundle.dir, 'exec.pid');
    const r = tsrun.run(['exec', '-d', '--pid-file', pidFile, id, 'sleep', '100']);
    t.equal(r.status, 0, r.stderr);
    const execPid = Number(readFileSync(pidFile, 'utf8'));
    t.same(fdsOf(execPid), [0, 1, 2], 'exec: only 0, 1, 2');
    t.equal(tsrun.run(['delete', '--force', id]).status, 0);
  });

  t.test('--preserve-fds passes exactly the fds asked for', async (t) => {
    const bundle = makeBundle(t, (c) => (c.process.args = ['sh', '-c', 'ls /proc/self/fd; cat <&3; cat <&4']));
    const a = join(bundle.dir, 'a');
    const b = join(bundle.dir, 'b');
    writeFileSync(a, 'from-fd-3\n');
    writeFileSync(b, 'from-fd-4\n');
    const fd3 = openSync(a, 'r');
    const fd4 = openSync(b, 'r');
    // A third open fd that is not preserved must not reach the container.
    const extra = openSync(join(bundle.dir, 'config.json'), 'r');
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const r = spawnSync(TSRUN, ['--root', tsrun.root, 'run', '--preserve-fds', '2', '--bundle', bundle.dir, tsrun.id()], {
      stdio: ['ignore', 'pipe', 'pipe', fd3, fd4, extra],
      encoding: 'utf8',
      timeout: 60_000,
      env,
    });
    [fd3, fd4, extra].forEach((fd) => closeSync(fd));
    t.equal(r.status, 0, r.stderr);
    // ls opens the directory it lists: that one is the last number.
    t.equal(r.stdout, '0\n1\n2\n3\n4\n5\nfrom-fd-3\nfrom-fd-4\n');
  });

  t.test('a cwd through /proc/self/fd/N is refused, for create and exec', async (t) => {
    for (const n of [3, 4, 5]) {
      const bundle = makeBundle(t, (c) => {
        c.process.args = ['true'];
        c.process.cwd = `/proc/self/fd/${n}`;
      });
      const before = hostSnapshot(bundle.dir);
      const r = tsrun.run(['create', '--bundle', bundle.dir, tsrun.id()]);
      t.equal(r.status, 1, `cwd /proc/self/fd/${n}: create fails`);
      t.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      t.match(r.stderr, new RegExp(`/proc/self/fd/${n}`));
      t.same(tsrun.leftovers(), []);
      t.same(hostSnapshot(bundle.dir, before), before);
    }
    const bundle = makeBundle(t, (c) => (c.process.args = ['sleep', '100']));
    const id = tsrun.id();
    t.equal(tsrun.run(['create', '--bundle', bundle.dir, id]).status, 0);
    t.equal(tsrun.run(['start', id]).status, 0);
    for (const n of [3, 4, 5]) {
      const r = tsrun.run(['exec', '--cwd', `/proc/self/fd/${n}`, id, 'ls']);
      t.not(r.status, 0, `exec --cwd /proc/self/fd/${n} fails`);
      t.match(r.stderr, /refused, it goes through a \/proc magic link|ENOTDIR|ENOENT/);
      t.equal(r.stdout, '', 'nothing was listed');
    }
    t.equal(tsrun.run(['delete', '--force', id]).status, 0);
  });

  t.test('a cwd through .. or an absolute symlink stays inside the rootfs', async (t) => {
    const host = t.testdir({ 'host-secret': 'x' });
    const bundle = makeBundle(t, (c, b) => {
      symlinkSync(host, join(b.rootfs, 'escape'));
      c.root.readonly = false;
      c.process.args = ['sh', '-c', 'pwd; ls; echo; cd /../../..; ls /'];
    });
    for (const cwd of [`/escape`, '/../../../../..', `/escape/../../../..${host}`]) {
      bundle.config.process.cwd = cwd;
      bundle.write();
      const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
      // Either refused (the symlink's target does not exist inside the
      // rootfs) or resolved inside it: never the host directory.
      if (r.status !== 0) t.match(r.stderr, /^tsrun: run: mounts: cwd .* in the rootfs: ENOENT/, `cwd ${cwd}: refused`);
      else t.match(r.stdout, /^\/\n/, `cwd ${cwd}: resolved to the container's /`);
      t.notMatch(r.stdout, /host-secret/, `cwd ${cwd}: the host directory is not reachable`);
    }
    t.same(readdirSync(host), ['host-secret'], 'the host directory is unchanged');
  });
});
