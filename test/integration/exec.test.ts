import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { nsInode } from '../helpers/host.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun } from '../helpers/tsrun.ts';

t.test('exec', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);
  const bundle = makeBundle(t, (c) => {
    c.process.args = ['sleep', '1000'];
    c.process.env.push('FROM_CONFIG=yes');
  });
  const id = tsrun.id();
  t.equal(tsrun.run(['run', '-d', '--bundle', bundle.dir, id]).status, 0);
  const pid = tsrun.state(id).pid;

  t.test('joins every namespace of the container and keeps its env', async (t) => {
    const r = tsrun.run([
      'exec',
      '-e',
      'EXTRA=1',
      id,
      'sh',
      '-c',
      'for n in pid mnt net uts ipc cgroup; do readlink /proc/self/ns/$n; done; echo "$FROM_CONFIG$EXTRA"; hostname',
    ]);
    t.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const want = ['pid', 'mnt', 'net', 'uts', 'ipc', 'cgroup'].map((n) => nsInode(pid, n));
    t.same(lines.slice(0, 6), want);
    t.equal(lines[6], 'yes1');
    t.equal(lines[7], 'tsrun');
  });

  t.test('returns the exit status; --user and --cwd apply', async (t) => {
    t.equal(tsrun.run(['exec', id, 'sh', '-c', 'exit 7']).status, 7);
    const r = tsrun.run(['exec', '--user', '1000:1001', '--cwd', '/tmp', id, 'sh', '-c', 'id -u; id -g; pwd']);
    t.equal(r.status, 0, r.stderr);
    t.same(r.stdout.trim().split('\n'), ['1000', '1001', '/tmp']);
  });

  t.test('an unknown executable is an error naming it', async (t) => {
    const r = tsrun.run(['exec', id, 'no-such-thing']);
    t.equal(r.status, 1);
    t.match(r.stderr, /no-such-thing not found/);
  });

  t.test('exec into a stopped container is refused', async (t) => {
    t.equal(tsrun.run(['kill', id, 'KILL']).status, 0);
    for (let i = 0; i < 100 && tsrun.state(id).status !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 20));
    const r = tsrun.run(['exec', id, 'true']);
    t.equal(r.status, 1);
    t.match(r.stderr, /stopped/);
    t.equal(tsrun.run(['delete', id]).status, 0);
  });
});
