// Concurrency: many creates at once (distinct ids, and one id), a delete
// racing a start and a kill racing a delete. The per-container lock makes
// each pair end in one of the orders it could have run in, never in a mix;
// no container is lost and nothing is left behind.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { hostSnapshot } from '../helpers/host-snapshot.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun, TSRUN } from '../helpers/tsrun.ts';

interface Outcome {
  status: number | null;
  stderr: string;
}

// stderr through a file: a created container keeps tsrun's stdio open, so
// a pipe would not see EOF until the container exits.
function tsrunAsync(root: string, args: string[]): Promise<Outcome> {
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

/** Runs `jobs` with at most `width` at a time; results in the jobs' order. */
async function pool<T>(width: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

t.test('200 creates of distinct ids, 12 at a time, then their deletes', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);
  const COUNT = 200;
  const bundle = makeBundle(t, (c) => (c.process.args = ['true']));
  const before = hostSnapshot(bundle.dir);
  // Not tsrun.id(): its teardown would delete each of the 200 one by one.
  const ids = Array.from({ length: COUNT }, (_, i) => `bulk-${process.pid}-${i}`);
  t.teardown(() =>
    pool(
      12,
      tsrun.leftovers().map((id) => () => tsrunAsync(tsrun.root, ['delete', '--force', id])),
    ),
  );
  const created = await pool(
    12,
    ids.map((id) => () => tsrunAsync(tsrun.root, ['create', '--bundle', bundle.dir, id])),
  );
  t.same(
    created.filter((r) => r.status !== 0).map((r) => r.stderr),
    [],
    `all ${COUNT} created`,
  );
  t.same(tsrun.leftovers().sort(), [...ids].sort(), 'every one has its state directory, none lost');
  const list = tsrun.run(['list', '--format', 'json']);
  t.equal(list.status, 0, list.stderr);
  const listed = JSON.parse(list.stdout) as { id: string; status: string }[];
  t.same(listed.map((c) => c.id).sort(), [...ids].sort(), 'list shows every one');
  t.same(
    listed.filter((c) => c.status !== 'created').map((c) => `${c.id}: ${c.status}`),
    [],
    'each is created',
  );
  const deleted = await pool(
    12,
    ids.map((id) => () => tsrunAsync(tsrun.root, ['delete', '--force', id])),
  );
  t.same(
    deleted.filter((r) => r.status !== 0).map((r) => r.stderr),
    [],
    'every delete succeeded',
  );
  t.same(tsrun.leftovers(), [], 'no state left');
  t.same(hostSnapshot(bundle.dir, before), before, 'no cgroup, mount or process left');
});

t.test('20 concurrent creates of one id: exactly one wins', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);
  const bundle = makeBundle(t, (c) => (c.process.args = ['true']));
  const before = hostSnapshot(bundle.dir);
  const id = tsrun.id();
  const results = await Promise.all(Array.from({ length: 20 }, () => tsrunAsync(tsrun.root, ['create', '--bundle', bundle.dir, id])));
  t.equal(results.filter((r) => r.status === 0).length, 1, 'exactly one create won');
  for (const r of results.filter((r) => r.status !== 0)) {
    t.equal(r.status, 1, 'a loser fails cleanly');
    t.match(r.stderr, new RegExp(`^tsrun: create: container ${id} already exists\\n$`), 'and says why, in one line');
  }
  t.same(tsrun.leftovers(), [id], 'one container');
  t.equal(tsrun.state(id).status, 'created', 'the winner is intact');
  t.equal(tsrun.run(['delete', id]).status, 0);
  t.same(hostSnapshot(bundle.dir, before), before, 'the losers left no cgroup, mount or process');
});

t.test('delete racing start', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);
  const bundle = makeBundle(t, (c) => (c.process.args = ['sleep', '1000']));
  const before = hostSnapshot(bundle.dir);
  const orders = { startFirst: 0, deleteFirst: 0 };
  for (let i = 0; i < 10; i++) {
    const id = tsrun.id();
    const c = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(c.status, 0, c.stderr);
    const [start, del] = await Promise.all([tsrunAsync(tsrun.root, ['start', id]), tsrunAsync(tsrun.root, ['delete', id])]);
    if (start.status === 0) {
      // delete came second: it saw a running container and refused.
      orders.startFirst++;
      t.equal(del.status, 1, 'start won: delete without --force refuses');
      t.match(del.stderr, /not stopped: running/);
      t.equal(tsrun.state(id).status, 'running', 'and the container runs');
      t.equal(tsrun.run(['delete', '--force', id]).status, 0);
    } else {
      // delete came first: start found no container.
      orders.deleteFirst++;
      t.equal(del.status, 0, `delete won: ${del.stderr}`);
      t.match(start.stderr, /does not exist/, 'start found no container');
    }
    t.same(tsrun.leftovers(), [], 'nothing left of it');
  }
  t.comment(`start first ${orders.startFirst}, delete first ${orders.deleteFirst}`);
  t.same(hostSnapshot(bundle.dir, before), before, 'no cgroup, mount or process left');
});

t.test('kill racing delete --force', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);
  const bundle = makeBundle(t, (c) => (c.process.args = ['sleep', '1000']));
  const before = hostSnapshot(bundle.dir);
  for (let i = 0; i < 10; i++) {
    const id = tsrun.id();
    const r = tsrun.run(['run', '--detach', '--bundle', bundle.dir, id]);
    t.equal(r.status, 0, r.stderr);
    const [kill, del] = await Promise.all([tsrunAsync(tsrun.root, ['kill', id, 'KILL']), tsrunAsync(tsrun.root, ['delete', '--force', id])]);
    t.equal(del.status, 0, `delete --force succeeds: ${del.stderr}`);
    if (kill.status !== 0) t.match(kill.stderr, /does not exist|not running/, 'kill after delete: the container is gone');
    t.same(tsrun.leftovers(), [], 'nothing left of it');
  }
  t.same(hostSnapshot(bundle.dir, before), before, 'no cgroup, mount or process left');
});
