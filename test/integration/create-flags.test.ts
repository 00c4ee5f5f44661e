// create/run flags beyond the bundle: --preserve-fds, --no-pivot, --pid-file.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun, TSRUN } from '../helpers/tsrun.ts';

t.test('create flags', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  t.test('--preserve-fds 1 passes fd 3 to the container, and only it', async (t) => {
    const bundle = makeBundle(t, (c) => {
      // The shell's fds (pid 1), listed by a child while the shell waits.
      // No pipeline: while the shell sets one up, it holds the pipe's own
      // fds, which the listing would catch at random.
      c.process.args = ['sh', '-c', 'echo through-fd-3 >&3; ls -l /proc/1/fd'];
    });
    const file = join(bundle.dir, 'fd3.txt');
    const fd3 = openSync(file, 'w');
    const fd4 = openSync(join(bundle.dir, 'fd4.txt'), 'w');
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const r = spawnSync(TSRUN, ['--root', tsrun.root, 'run', '--preserve-fds', '1', '--bundle', bundle.dir, tsrun.id()], {
      stdio: ['ignore', 'pipe', 'pipe', fd3, fd4],
      encoding: 'utf8',
      env,
    });
    closeSync(fd3);
    closeSync(fd4);
    t.equal(r.status, 0, r.stderr);
    t.equal(readFileSync(file, 'utf8'), 'through-fd-3\n');
    const fds = r.stdout.split('\n').flatMap((l) => {
      const m = / (\d+) -> (.*)$/.exec(l);
      return m ? [[m[1]!, m[2]!]] : [];
    });
    t.same(
      fds.map(([fd]) => fd).filter((fd) => Number(fd) > 2),
      ['3'],
      'beyond stdio, only fd 3',
    );
    t.match(fds.find(([fd]) => fd === '3')?.[1] ?? '', /fd3\.txt$/);
    t.notOk(
      fds.some(([, target]) => target?.endsWith('fd4.txt')),
      'fd 4 (not preserved) did not get in',
    );
  });

  t.test('--no-pivot: the rootfs becomes / by MS_MOVE and chroot', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sh', '-c', 'echo pid=$$; test -e /bin/busybox && echo rootfs; test -e /work && echo host-visible; true'];
    });
    const r = tsrun.run(['run', '--no-pivot', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 0, r.stderr);
    t.same(r.stdout.trim().split('\n'), ['pid=1', 'rootfs']);
  });

  t.test('--pid-file is written atomically and only on success', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['no-such-binary'];
    });
    const pidFile = join(bundle.dir, 'pid');
    const r = tsrun.run(['create', '--pid-file', pidFile, '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 1);
    t.notOk(existsSync(pidFile), 'no pid file for a failed create');
  });
});
