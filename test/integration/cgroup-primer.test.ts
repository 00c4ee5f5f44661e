// The cgroup lock primer (csrc/frontdoor/primer.c, src/launch/primer.ts) on a
// host with cgroup v1: the front door forks it for create, run and exec; it
// stays in the caller's cgroups and holds none of the caller's files; node
// kills and reaps it once tsrun-init has started, so no hook sees it or its
// variable; and a pid that a caller puts in the variable is never touched.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import t, { type Test } from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { pidGone, waitFor } from '../helpers/host.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { isPrimer } from '../../src/launch/primer.ts';
import { readProcStat } from '../../src/state/proc-stat.ts';
import { TSRUN, Tsrun } from '../helpers/tsrun.ts';

const CGROUP2_SUPER_MAGIC = 0x63677270;
const v1Host = statfsSync('/sys/fs/cgroup').type !== CGROUP2_SUPER_MAGIC;
const skip = skipUnlessRoot().skip ?? (v1Host ? undefined : 'a pure cgroup v2 host has no primer (CLONE_INTO_CGROUP)');
const PRIMER_ENV = 'TSRUN_CGROUP_PRIMER';

/** Children of `parent` named tsrun:[primer]. */
function primersOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => isPrimer(readProcStat(pid), parent));
}

function openFiles(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`));
  } catch {
    return [];
  }
}

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** Starts `tsrun create` on a bundle whose config.json is a fifo, so that node waits for it with the primer forked. */
async function createOnFifo(t: Test, tsrun: Tsrun, config?: string) {
  const bundle = makeBundle(t, (c) => {
    c.process.args = ['sleep', '1000'];
  });
  const configFile = join(bundle.dir, 'config.json');
  rmSync(configFile);
  execFileSync('mkfifo', [configFile]);
  const id = tsrun.id('pr');
  const out = openSync('/dev/null', 'w');
  const child = spawn(TSRUN, ['--root', tsrun.root, 'create', '--bundle', bundle.dir, id], { env: cleanEnv(), stdio: ['ignore', out, out] });
  closeSync(out);
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  let primers: number[] = [];
  t.ok(await waitFor(() => (primers = primersOf(child.pid!)).length === 1, 10_000), 'one primer, a child of tsrun, while node reads the config');
  return { id, child, primer: primers[0]!, exited, feed: () => writeFileSync(configFile, config ?? JSON.stringify(bundle.config)) };
}

t.test('create: the primer lives while node prepares, in the caller cgroups, and is reaped after', { skip }, async (t) => {
  const tsrun = new Tsrun(t);
  const { id, child, primer, exited, feed } = await createOnFifo(t, tsrun);
  t.equal(
    readFileSync(`/proc/${primer}/cgroup`, 'utf8'),
    readFileSync(`/proc/${child.pid}/cgroup`, 'utf8'),
    "it is in tsrun's own cgroups: its writes move nothing",
  );
  t.ok(
    await waitFor(() => {
      const files = openFiles(primer);
      return files.length === 1 && files[0]!.endsWith('/cgroup.procs');
    }),
    `it holds its cgroup.procs and none of the caller's files: ${openFiles(primer).join(' ')}`,
  );
  feed();
  t.equal(await exited, 0, 'create succeeds');
  // Reaped by create itself, not left as a zombie for pid 1 (this VM's
  // pid 1 reaps orphans late) or for an engine's shim to collect.
  t.notOk(existsSync(`/proc/${primer}`), 'the primer is reaped when create returns, no zombie of it left');
  t.equal(tsrun.state(id).status, 'created');
});

t.test('a failed create leaves no primer behind', { skip }, async (t) => {
  const tsrun = new Tsrun(t);
  const { primer, exited, feed } = await createOnFifo(t, tsrun, '{"ociVersion": 7}');
  feed();
  t.not(await exited, 0, 'the create fails (invalid config)');
  t.notOk(existsSync(`/proc/${primer}`), 'killed and reaped on the way out, no zombie of it left');
});

t.test('hooks see neither the primer nor its variable', { skip }, async (t) => {
  const tsrun = new Tsrun(t);
  const bundle = makeBundle(t, (c) => {
    c.process.args = ['sleep', '1000'];
  });
  const report = join(bundle.dir, 'hook-report');
  const script =
    `{ env | grep -c '^${PRIMER_ENV}=' || true; ` +
    // pid (comm) state ppid ...: a primer, alive or a zombie, whose parent is tsrun, the hook's parent
    `for f in /proc/[0-9]*/stat; do read -r line < "$f" 2>/dev/null || continue; set -- $line; ` +
    `[ "$2" = "(tsrun:[primer])" ] && [ "$4" = "$PPID" ] && echo "primer $line"; done; true; } > ${report}`;
  bundle.config.hooks = { createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', script] }] };
  bundle.write();
  const id = tsrun.id('ph');
  const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
  t.equal(r.status, 0, r.stderr);
  t.same(readFileSync(report, 'utf8').trim().split('\n'), ['0'], 'no TSRUN_CGROUP_PRIMER in the hook environment, and tsrun has no primer child while it runs');
});

t.test('a pid a caller puts in the variable is left alone', { skip }, async (t) => {
  const tsrun = new Tsrun(t);
  const bundle = makeBundle(t, (c) => {
    c.process.args = ['sleep', '1000'];
  });
  const bystander = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.teardown(() => bystander.kill('SIGKILL'));
  const env = cleanEnv({ [PRIMER_ENV]: String(bystander.pid) });
  // Through the front door, which clears the variable, and straight to node,
  // which checks that the pid is its own primer.
  const entry = resolve(import.meta.dirname, '../../dist/tsrun.cjs');
  for (const [how, argv0] of [
    ['front door', [TSRUN]],
    ['node directly', [process.execPath, entry]],
  ] as const) {
    const id = tsrun.id('pv');
    const r = spawnSync(argv0[0]!, [...argv0.slice(1), '--root', tsrun.root, 'create', '--bundle', bundle.dir, id], { env, stdio: 'ignore', timeout: 60_000 });
    t.equal(r.status, 0, `${how}: create succeeds`);
    t.equal(tsrun.state(id).status, 'created', `${how}: the container is created`);
    t.ok(!pidGone(bystander.pid!), `${how}: the bystander still runs`);
  }
});
