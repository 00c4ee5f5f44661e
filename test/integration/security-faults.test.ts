// Faults: the state root on a full tmpfs gives one clear error and leaves
// neither a half-written state nor a cgroup, mount or process; concurrent
// creates of distinct ids and of one id lose no container and leak nothing.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { hostSnapshot } from '../helpers/host-snapshot.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun, TSRUN } from '../helpers/tsrun.ts';

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
  t.same(readdirSync(root).filter((n) => n !== 'filler'), [], 'no container dir, no temp file left');
  t.same(hostSnapshot(bundle.dir, before), before, 'no cgroup, mount or process');
  // And list still works on that root.
  const l = tsrun.run(['--root', root, 'list']);
  t.equal(l.status, 0, l.stderr);
});

// stderr through a file: a created container keeps tsrun's stdio open, so
// a pipe would not see EOF until the container exits.
function tsrunAsync(root: string, args: string[]): Promise<{ status: number | null; stderr: string }> {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-out-'));
  const err = openSync(join(dir, 'err'), 'w+');
  return new Promise((resolve) => {
    const child = spawn(TSRUN, ['--root', root, ...args], { env, stdio: ['ignore', 'ignore', err] });
    child.on('exit', (status) => {
      closeSync(err);
      const stderr = readFileSync(join(dir, 'err'), 'utf8');
      rmSync(dir, { recursive: true, force: true });
      resolve({ status, stderr });
    });
  });
}

t.test('concurrent creates', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);
  const DISTINCT = 16;
  const SAME = 8;
  const bundle = makeBundle(t, (c) => (c.process.args = ['true']));
  const before = hostSnapshot(bundle.dir);
  const distinct = Array.from({ length: DISTINCT }, () => tsrun.id());
  const same = tsrun.id();
  const results = await Promise.all([
    ...distinct.map((id) => tsrunAsync(tsrun.root, ['create', '--bundle', bundle.dir, id])),
    ...Array.from({ length: SAME }, () => tsrunAsync(tsrun.root, ['create', '--bundle', bundle.dir, same])),
  ]);
  const distinctResults = results.slice(0, DISTINCT);
  const sameResults = results.slice(DISTINCT);
  t.same(distinctResults.filter((r) => r.status !== 0).map((r) => r.stderr), [], `all ${DISTINCT} distinct ids created`);
  t.equal(sameResults.filter((r) => r.status === 0).length, 1, 'exactly one create of the shared id won');
  for (const r of sameResults.filter((r) => r.status !== 0)) t.match(r.stderr, /exists|locked|busy/i, 'the others were told why');
  t.same(readdirSync(tsrun.root).sort(), [...distinct, same].sort(), 'every container is listed, none lost');
  for (const id of [...distinct, same]) t.equal(tsrun.state(id).status, 'created', `${id} is created`);
  const deletes = await Promise.all([...distinct, same].map((id) => tsrunAsync(tsrun.root, ['delete', '--force', id])));
  t.same(deletes.filter((r) => r.status !== 0).map((r) => r.stderr), [], 'every delete succeeded');
  t.same(tsrun.leftovers(), [], 'no state left');
  t.same(hostSnapshot(bundle.dir, before), before, 'no cgroup, mount or process left');
});
