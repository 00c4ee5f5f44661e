// Faults: the state root on a full tmpfs gives one clear error and leaves
// neither a half-written state nor a cgroup, mount or process. (Concurrent
// creates: concurrency.test.ts; kill -9 at each step: faults-kill.test.ts.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { hostSnapshot } from '../helpers/host-snapshot.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun } from '../helpers/tsrun.ts';

t.test('a full state root', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);
  const root = mkdtempSync(join(tmpdir(), 'tsrun-fullroot-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tsrun-fullroot', root]);
  t.teardown(() => {
    execFileSync('umount', ['-l', root]);
    rmSync(root, { recursive: true, force: true });
  });
  // Fill it, leaving a few bytes: the container dir may fit, its state not.
  try {
    writeFileSync(join(root, 'filler'), Buffer.alloc(64 * 1024));
  } catch {
    // ENOSPC: full, as wanted
  }
  const bundle = makeBundle(t, (c) => (c.process.args = ['true']));
  const before = hostSnapshot(bundle.dir);
  const id = tsrun.id();
  const r = tsrun.run(['--root', root, 'create', '--bundle', bundle.dir, id]);
  t.equal(r.status, 1, 'create fails');
  t.match(r.stderr, /ENOSPC/);
  t.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  t.same(
    readdirSync(root).filter((n) => n !== 'filler'),
    [],
    'no container dir, no temp file left',
  );
  t.same(hostSnapshot(bundle.dir, before), before, 'no cgroup, mount or process');
  // And list still works on that root.
  const l = tsrun.run(['--root', root, 'list']);
  t.equal(l.status, 0, l.stderr);
});
