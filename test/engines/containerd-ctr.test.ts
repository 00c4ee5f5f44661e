// containerd's `ctr` with the runtime under test as its runc binary
// (ENGINE_RUNTIME, default bin/tsrun) and ctr's own defaults: every spec
// carries cpu.shares, and --seccomp turns on containerd's default profile.
// A private containerd runs from a temp dir; the busybox image is built here.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startContainerd, type Containerd } from './lib/containerd.ts';
import { run, sleep, waitFor } from './lib/exec.ts';
import { cgroupOf, ensureEngines, runtimeBinary } from './lib/host.ts';
import { busyboxRootfs, PATH_ENV, writeOciArchive } from './lib/image.ts';

// ctr sizes the pty with a resize request that races the task's start
// (containerd 1.6 drops it when it arrives first, with runc as well): the
// size is not asserted, only that stdin and stdout are the pty.
const PTY_CHECK = 'tty; test -t 0 && test -t 1 && echo both-ttys';
const RUNTIME = runtimeBinary();
const IMAGE = 'docker.io/tsrun/busybox:test';
const USER_IMAGE = 'docker.io/tsrun/busybox-user:test';

if (process.getuid?.() !== 0) {
  t.plan(0, 'needs root: starts containerd and real containers');
  process.exit(0);
}
ensureEngines();
t.comment(`runtime: ${RUNTIME}`);

const cd: Containerd = await startContainerd();
t.teardown(async () => {
  const left = await cd.stop();
  if (left.length) throw new Error(`left behind: ${left.join('; ')}`);
});

const rootfs = busyboxRootfs(cd.dir);
writeOciArchive(rootfs, IMAGE, {}, join(cd.dir, 'busybox.tar'));
writeOciArchive(rootfs, USER_IMAGE, { User: '1000:1000', WorkingDir: '/home/app', Env: [PATH_ENV, 'GREETING=from-image'] }, join(cd.dir, 'busybox-user.tar'));
await cd.ctrOk(['image', 'import', join(cd.dir, 'busybox.tar')], { timeoutMs: 120_000 });
await cd.ctrOk(['image', 'import', join(cd.dir, 'busybox-user.tar')], { timeoutMs: 120_000 });

let n = 0;
const newId = () => `c${process.pid}-${++n}`;
const runtimeFlags = ['--runc-binary', RUNTIME, '--runc-root', cd.runtimeRoot];

/** ctr run --rm in the foreground. */
const ctrRun = (flags: string[], cmd: string[], image = IMAGE, id = newId()) =>
  cd.ctr(['run', ...runtimeFlags, '--rm', ...flags, image, id, ...cmd], { timeoutMs: 60_000 });

/** ctr run -d; returns the id and the task's host pid. */
async function runDetached(t: Test, flags: string[], cmd: string[]): Promise<{ id: string; pid: number }> {
  const id = newId();
  const r = await cd.ctr(['run', ...runtimeFlags, '-d', ...flags, IMAGE, id, ...cmd]);
  t.equal(r.code, 0, `run -d ${id}: ${r.stderr}`);
  t.teardown(async () => {
    await cd.ctr(['task', 'kill', '-s', 'KILL', id]);
    await cd.ctr(['task', 'delete', '-f', id]);
    await cd.ctr(['container', 'rm', id]);
  });
  return { id, pid: await taskPid(id) };
}

async function taskLine(id: string): Promise<string[] | undefined> {
  const out = (await cd.ctr(['task', 'ls'])).stdout;
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[0] === id);
}
async function taskStatus(id: string): Promise<string | undefined> {
  return (await taskLine(id))?.[2];
}
async function taskPid(id: string): Promise<number> {
  return Number((await taskLine(id))?.[1] ?? 0);
}

/** A command under a pty of 30x90 made by script(1). */
async function underPty(command: string): Promise<{ code: number | null; lines: string[] }> {
  const r = await run('script', ['-qec', `stty rows 30 cols 90; ${command}`, '/dev/null'], { timeoutMs: 60_000 });
  return { code: r.code, lines: r.stdout.replace(/\r/g, '').replace(/\^@/g, '').trim().split('\n') };
}

t.test('run --rm: output and exit status 7 propagate', async (t) => {
  const r = await ctrRun([], ['sh', '-c', 'echo hello from $(hostname); exit 7']);
  t.equal(r.code, 7, r.stderr);
  t.match(r.stdout, /^hello from /);
});

t.test('run -d, task ls RUNNING, task exec', async (t) => {
  const { id, pid } = await runDetached(t, [], ['sleep', '1000']);
  t.equal(await taskStatus(id), 'RUNNING');
  t.ok(pid > 0 && existsSync(`/proc/${pid}`), 'the task pid is a live host process');

  let r = await cd.ctr(['task', 'exec', '--exec-id', 'e1', id, 'sh', '-c', 'echo exec-out; echo exec-err >&2']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'exec-out\n');
  t.equal(r.stderr, 'exec-err\n');

  r = await cd.ctr(['task', 'exec', '--exec-id', 'e2', id, 'sh', '-c', 'exit 5']);
  t.equal(r.code, 5, 'exec exit status propagates');

  r = await cd.ctr(['task', 'exec', '--exec-id', 'e3', '--user', '1000', id, 'id', '-u']);
  t.equal(r.stdout.trim(), '1000', `--user: ${r.stderr}`);

  r = await cd.ctr(['task', 'exec', '--exec-id', 'e4', '--cwd', '/data', id, 'pwd']);
  t.equal(r.stdout.trim(), '/data', `--cwd: ${r.stderr}`);

  r = await cd.ctr(['task', 'exec', '--exec-id', 'e5', id, '/no/such/binary']);
  t.not(r.code, 0, 'a missing binary fails');
  t.match(r.stderr, /\/no\/such\/binary/, 'the error names the binary');
  t.match(r.stderr, /no such file|ENOENT|not found/i);
  t.equal(await taskStatus(id), 'RUNNING', 'the task survives the failed exec');
});

t.test('task ps lists the container processes', async (t) => {
  const { id, pid } = await runDetached(t, [], ['sh', '-c', 'sleep 1000 & sleep 1001']);
  const child = await waitFor(() => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  const r = await cd.ctr(['task', 'ps', id]);
  t.equal(r.code, 0, r.stderr);
  const pids = r.stdout
    .split('\n')
    .slice(1)
    .map((l) => Number(l.trim().split(/\s+/)[0]))
    .filter((p) => p > 0);
  t.same(pids.sort(), [pid, ...child].sort(), 'init and its two children');
});

t.test('task pause and resume', async (t) => {
  const { id, pid } = await runDetached(t, [], ['sh', '-c', 'while true; do sleep 0.1; done']);
  let r = await cd.ctr(['task', 'pause', id]);
  t.equal(r.code, 0, r.stderr);
  t.equal(await taskStatus(id), 'PAUSED');
  t.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /State:\s+[DS]/, 'the init sleeps frozen');
  r = await cd.ctr(['task', 'resume', id]);
  t.equal(r.code, 0, r.stderr);
  t.equal(await taskStatus(id), 'RUNNING');
  r = await cd.ctr(['task', 'exec', '--exec-id', 'after', id, 'echo', 'alive']);
  t.equal(r.stdout, 'alive\n', 'the container runs again');
});

t.test('task metrics reports the container cgroup', async (t) => {
  const { id, pid } = await runDetached(t, [], ['sh', '-c', 'sleep 1000 & sleep 1001 & wait']);
  await waitFor(() => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).length === 2);
  const r = await cd.ctr(['task', 'metrics', '--format', 'json', id]);
  t.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  // containerd 1.6 on a hybrid host decodes v1 metrics (pids, memory, cpu)
  const data = m.data ?? m.Data ?? m;
  const pids = data.pids?.current ?? data.Pids?.Current;
  t.equal(Number(pids), 3, 'three processes: sh and two sleeps');
  const usage = data.memory?.usage?.usage ?? data.memory?.usage ?? data.Memory?.Usage?.Usage;
  t.ok(Number(usage) > 0, `memory usage ${usage}`);
  const mem = cgroupOf(pid, 'memory');
  t.ok(mem && Number(usage) <= Number(readFileSync(`/sys/fs/cgroup/memory${mem}/memory.usage_in_bytes`, 'utf8')) * 2, 'the container cgroup, not the host');
  t.ok(data.cpu?.usage || data.CPU?.Usage, 'cpu usage present');
});

/** ctr run in the foreground as a child; resolves with ctr's exit status. */
async function runForeground(t: Test, cmd: string[]): Promise<{ id: string; done: Promise<number | null> }> {
  const id = newId();
  const done = cd.ctr(['run', ...runtimeFlags, '--rm', IMAGE, id, ...cmd], { timeoutMs: 60_000 }).then((r) => r.code);
  t.ok(await waitFor(async () => (await taskStatus(id)) === 'RUNNING'), `${id} running`);
  return { id, done };
}

t.test('task kill: TERM reaches a trap (exit 42), KILL gives 137', async (t) => {
  const trapped = await runForeground(t, ['sh', '-c', "trap 'exit 42' TERM; while true; do sleep 0.1; done"]);
  await sleep(300);
  let r = await cd.ctr(['task', 'kill', trapped.id]);
  t.equal(r.code, 0, r.stderr);
  t.equal(await trapped.done, 42, 'the trap exit status reaches ctr run');

  const stubborn = await runForeground(t, ['sh', '-c', "trap '' TERM; while true; do sleep 0.1; done"]);
  await sleep(300);
  await cd.ctr(['task', 'kill', '-s', 'TERM', stubborn.id]);
  await sleep(500);
  t.equal(await taskStatus(stubborn.id), 'RUNNING', 'TERM ignored');
  r = await cd.ctr(['task', 'kill', '-s', 'KILL', stubborn.id]);
  t.equal(r.code, 0, r.stderr);
  t.equal(await stubborn.done, 137, 'KILL: 137');
});

t.test('task delete of a killed task, then container rm', async (t) => {
  const { id, pid } = await runDetached(t, [], ['sleep', '1000']);
  let r = await cd.ctr(['task', 'kill', '-s', 'KILL', id]);
  t.equal(r.code, 0, r.stderr);
  t.ok(await waitFor(async () => (await taskStatus(id)) === 'STOPPED'), 'STOPPED after KILL');
  t.notOk(existsSync(`/proc/${pid}/status`) && !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8')), 'the process is gone');
  r = await cd.ctr(['task', 'delete', id]);
  t.equal(r.code, 0, r.stderr);
  t.equal(await taskStatus(id), undefined, 'the task is gone');
  t.notOk(existsSync(join(cd.runtimeRoot, cd.namespace, id)), 'runtime state removed');
  r = await cd.ctr(['container', 'rm', id]);
  t.equal(r.code, 0, r.stderr);
  t.notMatch((await cd.ctr(['container', 'ls', '-q'])).stdout, id, 'container rm removes it');
});

t.test('run -t and task exec -t through a pty', async (t) => {
  const id = newId();
  const ctr = `ctr -a ${cd.socket} -n ${cd.namespace}`;
  let r = await underPty(`${ctr} run ${runtimeFlags.join(' ')} --rm -t ${IMAGE} ${id} sh -c '${PTY_CHECK}'`);
  t.equal(r.code, 0, r.lines.join('\n'));
  t.match(r.lines[0], /^\/dev\/pts\/\d+$/, 'run -t gives a pty');
  t.equal(r.lines[1], 'both-ttys', 'stdin and stdout');

  const { id: did } = await runDetached(t, [], ['sleep', '1000']);
  r = await underPty(`${ctr} task exec -t --exec-id t1 ${did} sh -c '${PTY_CHECK}'`);
  t.equal(r.code, 0, r.lines.join('\n'));
  t.match(r.lines[0], /^\/dev\/pts\/\d+$/, 'exec -t gives a pty');
  t.equal(r.lines[1], 'both-ttys', 'stdin and stdout');
});

t.test('--env and --cwd', async (t) => {
  const r = await ctrRun(['--env', 'FOO=bar baz', '--cwd', '/tmp'], ['sh', '-c', 'echo "$FOO"; pwd']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'bar baz\n/tmp\n');
});

t.test('image User, WorkingDir and Env', async (t) => {
  const r = await ctrRun([], ['sh', '-c', 'id -u; id -g; pwd; echo $GREETING'], USER_IMAGE);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, '1000\n1000\n/home/app\nfrom-image\n');
});

t.test('--read-only', async (t) => {
  const r = await ctrRun(['--read-only'], ['sh', '-c', 'touch /x && echo wrote; grep " / / " /proc/self/mountinfo']);
  t.match(r.stderr, /Read-only file system/);
  t.notMatch(r.stdout, /wrote/);
  t.match(r.stdout, / \/ \/ ro[, ]/, 'the root mount is ro');
});

t.test('--memory-limit is in the cgroup and enforced', async (t) => {
  const { pid } = await runDetached(t, ['--memory-limit', String(64 << 20)], ['sleep', '1000']);
  const mem = cgroupOf(pid, 'memory');
  const v1 = `/sys/fs/cgroup/memory${mem}/memory.limit_in_bytes`;
  const v2 = `/sys/fs/cgroup/unified${cgroupOf(pid, '')}/memory.max`;
  const limit = existsSync(v1) ? readFileSync(v1, 'utf8') : readFileSync(v2, 'utf8');
  t.equal(limit.trim(), String(64 << 20));
  // tail keeps the whole "line" of /dev/zero in memory until the OOM killer ends it
  const r = await ctrRun(['--memory-limit', String(32 << 20)], ['tail', '/dev/zero']);
  t.equal(r.code, 137, 'OOM-killed: 137');
});

t.test('--cpus 0.5 sets the CFS quota', async (t) => {
  const { pid } = await runDetached(t, ['--cpus', '0.5'], ['sleep', '1000']);
  const v1 = `/sys/fs/cgroup/cpu${cgroupOf(pid, 'cpu')}`;
  if (existsSync(`${v1}/cpu.cfs_quota_us`)) {
    t.equal(readFileSync(`${v1}/cpu.cfs_quota_us`, 'utf8').trim(), '50000');
    t.equal(readFileSync(`${v1}/cpu.cfs_period_us`, 'utf8').trim(), '100000');
  } else {
    t.equal(readFileSync(`/sys/fs/cgroup/unified${cgroupOf(pid, '')}/cpu.max`, 'utf8').trim(), '50000 100000');
  }
});

const capEff = (out: string) => BigInt(`0x${out.match(/CapEff:\s*([0-9a-f]+)/)?.[1] ?? '0'}`);
t.test('--cap-drop', async (t) => {
  const base = await ctrRun([], ['grep', 'CapEff', '/proc/self/status']);
  const dropped = await ctrRun(['--cap-drop', 'CAP_NET_RAW', '--cap-drop', 'CAP_CHOWN'], ['grep', 'CapEff', '/proc/self/status']);
  t.equal(dropped.code, 0, dropped.stderr);
  t.ok(capEff(base.stdout) & (1n << 13n), 'CAP_NET_RAW by default');
  t.equal(capEff(dropped.stdout), capEff(base.stdout) & ~((1n << 13n) | 1n), 'exactly CAP_NET_RAW and CAP_CHOWN dropped');
  const r = await ctrRun(['--cap-drop', 'CAP_CHOWN'], ['chown', '1000', '/tmp']);
  t.match(r.stderr, /Operation not permitted/, 'chown refused');
});

t.test('--seccomp: default profile active, a denied syscall fails', async (t) => {
  const cmd = ['sh', '-c', 'grep Seccomp: /proc/self/status; unshare -U true && echo userns-ok'];
  const off = await ctrRun([], cmd);
  t.match(off.stdout, /Seccomp:\s+0/, 'no filter without --seccomp');
  t.match(off.stdout, /userns-ok/, 'unshare allowed without the profile');
  const on = await ctrRun(['--seccomp'], cmd);
  t.match(on.stdout, /Seccomp:\s+2/, 'filter mode with --seccomp');
  t.notMatch(on.stdout, /userns-ok/, 'unshare denied by the profile');
  t.match(on.stderr, /Operation not permitted/);
});

t.test('a read-only bind mount', async (t) => {
  const host = join(cd.dir, 'shared');
  mkdirSync(host);
  writeFileSync(join(host, 'file'), 'from the host\n');
  const r = await ctrRun(['--mount', `type=bind,src=${host},dst=/host,options=rbind:ro`], ['sh', '-c', 'cat /host/file; touch /host/new || echo refused']);
  t.equal(r.stdout, 'from the host\nrefused\n');
  t.match(r.stderr, /Read-only file system/);
  t.notOk(existsSync(join(host, 'new')));
});

t.test('a type=cgroup mount shows the container cgroup', async (t) => {
  const r = await ctrRun(['--mount', 'type=cgroup,src=cgroup,dst=/cg,options=ro'], ['sh', '-c', 'find /cg -maxdepth 2 -name cgroup.procs | head -n 1']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^\/cg\/(.+\/)?cgroup\.procs\n$/);
});

t.test('a bad command and a bad cwd: clear error, no task left', async (t) => {
  const id = newId();
  let r = await ctrRun([], ['/no/such/cmd'], IMAGE, id);
  t.not(r.code, 0);
  t.match(r.stderr, /\/no\/such\/cmd/, 'names the command');
  t.match(r.stderr, /no such file|ENOENT|not found/i);
  t.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  t.equal(await taskStatus(id), undefined, 'no task');
  await cd.ctr(['container', 'rm', id]);

  const id2 = newId();
  r = await ctrRun(['--cwd', '/data/hello'], ['true'], IMAGE, id2);
  t.not(r.code, 0);
  t.match(r.stderr, /\/data\/hello/, 'names the cwd');
  t.match(r.stderr, /not a directory|ENOTDIR/i);
  t.equal(await taskStatus(id2), undefined, 'no task');
  await cd.ctr(['container', 'rm', id2]);
});

t.test('nothing left: no task, no container, no runtime state', async (t) => {
  // the earlier cases' teardowns have run
  t.equal((await cd.ctr(['task', 'ls', '-q'])).stdout.trim(), '');
  t.equal((await cd.ctr(['container', 'ls', '-q'])).stdout.trim(), '');
  // container state is a directory per id; a runtime's own caches (tsrun's
  // .seccomp-cache, which its `list` skips too) are not containers
  const stateDir = join(cd.runtimeRoot, cd.namespace);
  const dirs = existsSync(stateDir)
    ? readdirSync(stateDir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name)
    : [];
  t.same(dirs, [], 'no container state under the runtime root');
});
