// The C front door (bin/tsrun) against the TypeScript commands (node
// dist/tsrun.cjs): each command both ways, on the same container where it
// only reads (state, ps) and on two containers made alike where it acts
// (start, kill, delete, pause, resume); stdout, stderr, exit status and
// the --log lines must be the same. TSRUN_FRONTDOOR_ONLY makes the front
// door fail instead of handing a call to node, so the happy paths are
// shown to run in C; error cases may go either way, their text must match.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { cgroupDirsNamed, pidGone, waitFor } from '../helpers/host.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun, TSRUN } from '../helpers/tsrun.ts';
import { writeLifecycle } from '../../src/state/lifecycle-file.ts';
import { writeState } from '../../src/state/store.ts';

const CLI = resolve(import.meta.dirname, '../../dist/tsrun.cjs');

interface Out {
  status: number | null;
  stdout: string;
  stderr: string;
}

t.test('front door and TypeScript commands agree', { ...skipUnlessRoot(), timeout: 300_000 }, async (t) => {
  const tsrun = new Tsrun(t);
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const run = (way: 'c' | 'ts', args: string[], extra: Record<string, string> = {}): Out => {
    const argv = ['--root', tsrun.root, ...args];
    const [file, all] = way === 'c' ? [TSRUN, argv] : [process.execPath, [CLI, ...argv]];
    const r = spawnSync(file, all, { env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  /** The C way must be served without node. */
  const c = (args: string[]) => run('c', args, { TSRUN_FRONTDOOR_ONLY: '1' });
  const same = (t: { equal(a: unknown, b: unknown, m: string): unknown }, a: Out, b: Out, what: string, ids: [string, string] = ['', '']) => {
    const norm = (o: Out, id: string) =>
      JSON.stringify(o)
        .split(id || '\0')
        .join('<id>');
    t.equal(norm(a, ids[0]), norm(b, ids[1]), what);
  };
  const hookOut = join(makeBundle(t, () => {}).dir, 'hooks');
  const bundleFor = (tag: string) =>
    makeBundle(t, (cfg) => {
      cfg.process.args = ['sleep', '1000'];
      cfg.annotations = { 'org.x/quote': 'a "b" \\ c', '2': 'digit key first', ünï: 'cödé\n\ttab\u0001' };
      cfg.hooks = {
        poststart: [
          { path: '/bin/sh', args: ['sh', '-c', `cat > ${hookOut}-${tag}-poststart`] },
          { path: '/bin/sh', args: ['sh', '-c', 'echo one >&2; echo two >&2; exit 3'] },
        ],
        poststop: [
          { path: '/bin/sh', args: ['sh', '-c', `cat > ${hookOut}-${tag}-poststop`] },
          { path: '/bin/sleep', args: ['sleep', '5'], timeout: 1 },
          { path: '/no/such/hook' },
        ],
      };
    });
  // A hook's stdin with what differs between two containers taken out (the
  // text itself, key order and escapes included, is compared).
  const hookState = (id: string, kind: string) => {
    const text = readFileSync(`${hookOut}-${id}-${kind}`, 'utf8');
    const s = JSON.parse(text);
    return text.split(id).join('<id>').split(s.bundle).join('<bundle>').replace(`"pid":${s.pid}`, '').replace(s.created, '');
  };
  const pair = () => {
    const a = tsrun.id('fd');
    const b = tsrun.id('fd');
    for (const id of [a, b]) {
      const r = tsrun.run(['create', '--bundle', bundleFor(id).dir, id]);
      t.equal(r.status, 0, `create ${id}: ${r.stderr}`);
    }
    return [a, b] as [string, string];
  };

  t.test('a created container: state, then start with poststart hooks', async (t) => {
    const [a, b] = pair();
    t.ok(existsSync(join(tsrun.root, a, 'lifecycle')), 'create wrote the lifecycle record');
    same(t, c(['state', a]), run('ts', ['state', a]), 'state (created)');
    t.match(JSON.parse(c(['state', a]).stdout), { status: 'created', annotations: { '2': 'digit key first' } });
    const sc = c(['start', a]);
    const st = run('ts', ['start', b]);
    same(t, sc, st, 'start, with a failing poststart hook warned', [a, b]);
    t.match(sc.stderr, /warning: poststart\[1\] \/bin\/sh exited with status 3: one two/);
    t.equal(hookState(a, 'poststart'), hookState(b, 'poststart'), 'the hooks got the same state on stdin');
    t.ok(await waitFor(() => JSON.parse(c(['state', a]).stdout).status === 'running'));
    same(t, c(['state', a]), run('ts', ['state', a]), 'state (running)');
    same(t, c(['ps', '--format', 'json', a]), run('ts', ['ps', '--format', 'json', a]), 'ps --format json');
    same(t, c(['ps', a, '-o', 'pid,comm']), run('ts', ['ps', a, '-o', 'pid,comm']), 'ps table with ps(1) options');
    t.match(c(['ps', a, '-o', 'pid,comm']).stdout, /sleep/);

    // Errors: a second start, delete without --force, a bad signal, a missing id.
    for (const args of [
      ['start', a],
      ['delete', a],
      ['kill', a, 'NOPE'],
      ['kill', a, '0'],
      ['state', 'nope'],
      ['kill', 'nope'],
      ['state'],
      ['pause', a, 'extra'],
      ['bogus'],
    ]) {
      same(t, run('c', args), run('ts', args), `error: ${args.join(' ')}`);
    }
    const logC = join(hookOut, '..', 'c.log');
    const logT = join(hookOut, '..', 't.log');
    same(
      t,
      run('c', ['--log', logC, '--log-format', 'json', 'start', a]),
      run('ts', ['--log', logT, '--log-format', 'json', 'start', a]),
      'error with --log json',
    );
    const strip = (f: string) => readFileSync(f, 'utf8').replace(/"time":"[^"]*"/g, '');
    t.equal(strip(logC), strip(logT), 'the same --log line');

    // pause / resume / kill, each way on its own container.
    for (const [way, id] of [
      ['c', a],
      ['ts', b],
    ] as const) {
      const r = way === 'c' ? c(['pause', id]) : run('ts', ['pause', id]);
      t.same(r, { status: 0, stdout: '', stderr: '' }, `pause (${way})`);
    }
    same(t, c(['state', a]), run('ts', ['state', a]), 'state (paused)');
    t.equal(JSON.parse(run('ts', ['state', b]).stdout).status, 'paused');
    same(t, run('c', ['pause', a]), run('ts', ['pause', b]), 'pause of a paused container', [a, b]);
    t.same(c(['resume', a]), { status: 0, stdout: '', stderr: '' }, 'resume (c)');
    t.same(run('ts', ['resume', b]), { status: 0, stdout: '', stderr: '' }, 'resume (ts)');
    same(t, run('c', ['resume', a]), run('ts', ['resume', b]), 'resume of a running container', [a, b]);
    t.same(c(['kill', a, 'sigusr1']), { status: 0, stdout: '', stderr: '' }, 'kill by name (pid 1 ignores it)');
    t.same(c(['kill', a, 'kill']), { status: 0, stdout: '', stderr: '' }, 'kill by name');
    t.equal(run('ts', ['kill', b, 'kill']).status, 0);
    t.ok(await waitFor(() => JSON.parse(c(['state', a]).stdout).status === 'stopped'), 'SIGKILL ended sleep');
    t.ok(await waitFor(() => JSON.parse(run('ts', ['state', b]).stdout).status === 'stopped'));
    same(t, c(['state', a]), run('ts', ['state', a]), 'state (stopped)');
    same(t, run('c', ['kill', a, 'KILL']), run('ts', ['kill', b, 'KILL']), 'kill of a stopped container', [a, b]);

    // delete: poststop hooks (one times out, one cannot be spawned), cgroups and state gone.
    const dc = c(['delete', a]);
    const dt = run('ts', ['delete', b]);
    same(t, dc, dt, 'delete with poststop hooks', [a, b]);
    t.match(dc.stderr, /poststop\[1\] \/bin\/sleep timed out after 1s/);
    t.match(dc.stderr, /poststop\[2\] \/no\/such\/hook: spawnSync \/no\/such\/hook ENOENT/);
    t.equal(hookState(a, 'poststop'), hookState(b, 'poststop'), 'poststop hooks got the stopped state');
    t.match(JSON.parse(readFileSync(`${hookOut}-${a}-poststop`, 'utf8')), { status: 'stopped', pid: 0 });
    t.same(cgroupDirsNamed(`/tsrun/${a}`), [], 'no cgroup left');
    t.notOk(existsSync(join(tsrun.root, a)), 'no state left');
    same(t, run('c', ['delete', a]), run('ts', ['delete', b]), 'delete of a deleted container', [a, b]);
    same(t, run('c', ['delete', '--force', a]), run('ts', ['delete', '--force', b]), 'delete --force of a deleted container', [a, b]);
  });

  t.test('kill --all, delete --force of a running and a paused container', async (t) => {
    const [a, b] = pair();
    t.equal(c(['start', a]).status, 0);
    t.equal(run('ts', ['start', b]).status, 0);
    const pidA = JSON.parse(c(['state', a]).stdout).pid;
    t.same(c(['kill', '--all', a, '9']), { status: 0, stdout: '', stderr: '' }, 'kill --all 9');
    t.ok(await waitFor(() => pidGone(pidA)), 'the process is gone');
    t.equal(run('ts', ['kill', '--all', b, '9']).status, 0);
    t.ok(await waitFor(() => JSON.parse(run('ts', ['state', b]).stdout).status === 'stopped'));
    same(t, c(['delete', a]), run('ts', ['delete', b]), 'delete after kill --all', [a, b]);

    const [p, q] = pair();
    t.equal(c(['start', p]).status, 0);
    t.equal(c(['pause', p]).status, 0);
    t.equal(run('ts', ['start', q]).status, 0);
    t.equal(run('ts', ['pause', q]).status, 0);
    const pidP = JSON.parse(c(['state', p]).stdout).pid;
    same(t, c(['delete', '--force', p]), run('ts', ['delete', '--force', q]), 'delete --force of a paused container', [p, q]);
    t.ok(pidGone(pidP), 'the paused process was killed');
    t.same(cgroupDirsNamed(`/tsrun/${p}`), [], 'no cgroup left');
    t.same(
      tsrun.leftovers().filter((d) => d === p || d === q),
      [],
      'no state left',
    );
  });

  t.test('state.json changed since create: the TypeScript side decides', async (t) => {
    const [a, b] = pair();
    const file = join(tsrun.root, a, 'state.json');
    const original = readFileSync(file);
    // Put back at the end: no delete can clean a container whose state is corrupt (it names nothing safely).
    t.teardown(() => writeFileSync(file, original));
    writeFileSync(file, '{"corrupt');
    t.equal(c(['state', a]).status, 125, 'the front door hands it to node');
    same(t, run('c', ['state', a]), run('ts', ['state', a]), 'corrupt state');
    t.match(run('c', ['state', a]).stderr, /corrupt/);
    // A reused pid: the start time does not match, both say stopped.
    const dir = join(tsrun.root, b);
    const s = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    s.initStartTime += 1;
    writeState(dir, s);
    writeLifecycle(dir, s);
    same(t, c(['state', b]), run('ts', ['state', b]), 'pid reused: stopped both ways');
    t.equal(JSON.parse(c(['state', b]).stdout).status, 'stopped');
  });

  t.test('a container without a lifecycle record (an older tsrun) goes to node', async (t) => {
    const [a] = pair();
    const { rmSync } = await import('node:fs');
    rmSync(join(tsrun.root, a, 'lifecycle'));
    t.equal(c(['state', a]).status, 125);
    const r = run('c', ['state', a]);
    t.equal(r.status, 0);
    t.equal(JSON.parse(r.stdout).status, 'created');
    t.equal(run('c', ['delete', a]).status, 0);
  });
});

t.test('foreground run without a terminal: the wait is the front door', { ...skipUnlessRoot(), timeout: 120_000 }, async (t) => {
  const tsrun = new Tsrun(t);
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const bundle = makeBundle(t, (cfg) => {
    cfg.process.args = ['sh', '-c', 'trap "exit 5" TERM; sleep 100 & wait'];
  });
  const id = tsrun.id('fg');
  const { spawn } = await import('node:child_process');
  const child = spawn(TSRUN, ['--root', tsrun.root, 'run', '--bundle', bundle.dir, id], { env, stdio: 'ignore' });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const procStatus = () => {
    try {
      return readFileSync(`/proc/${child.pid}/status`, 'utf8');
    } catch {
      return '';
    }
  };
  t.ok(await waitFor(() => readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').includes('__foreground'), 15_000), 'node execed the front door');
  t.ok(await waitFor(() => existsSync(join(tsrun.root, id)) && JSON.parse(run(id)).status === 'running', 5000), 'the container runs');
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(procStatus())?.[1]);
  t.ok(rss > 0 && rss <= 4096, `the waiting tsrun holds ${rss} KiB (≤ 4 MiB)`);
  process.kill(child.pid!, 'SIGTERM');
  t.equal(await exited, 5, "SIGTERM forwarded; the container status is run's");
  t.notOk(existsSync(join(tsrun.root, id)), 'deleted');
  t.same(cgroupDirsNamed(`/tsrun/${id}`), [], 'no cgroup left');

  function run(id: string): string {
    return spawnSync(TSRUN, ['--root', tsrun.root, 'state', id], { env, encoding: 'utf8' }).stdout;
  }
});
