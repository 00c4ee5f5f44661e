// podman (with conmon) running the runtime under test (ENGINE_RUNTIME,
// default bin/tsrun) with podman's defaults: a pids limit, the default
// seccomp profile, capabilities, and --read-only's tmpfs dirs with the
// runc extension option tmpcopyup. A private podman runs from a temp dir.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { run, sleep } from './lib/exec.ts';
import { cgroupOf, ensureEngines, runtimeBinary } from './lib/host.ts';
import { busyboxRootfs, writeOciArchive } from './lib/image.ts';
import { startPodman } from './lib/podman.ts';

// The engine sizes the pty after the process starts (ctr and podman send
// a resize once the task runs): wait until the size is set, then print it.
const SIZE_WHEN_SET = 'tty; for i in 1 2 3 4 5 6 7 8 9 10; do s=$(stty size 2>/dev/null) && [ "$s" != "0 0" ] && break; sleep 0.3; done; echo $s';
const RUNTIME = runtimeBinary();
const IMAGE = 'localhost/tsrun/busybox:test';

if (process.getuid?.() !== 0) {
  t.plan(0, 'needs root: starts podman containers');
  process.exit(0);
}
ensureEngines();
t.comment(`runtime: ${RUNTIME}`);

const pm = startPodman(RUNTIME);
/** Every container this podman created, from its own events log. */
const ourIds = () =>
  existsSync(join(pm.dir, 'events.log')) ? [...new Set(readFileSync(join(pm.dir, 'events.log'), 'utf8').match(/[0-9a-f]{64}/g) ?? [])] : [];
t.teardown(async () => {
  const left = await pm.stop();
  if (left.length) throw new Error(`left behind: ${left.join('; ')}`);
});
writeOciArchive(busyboxRootfs(pm.dir), IMAGE, {}, join(pm.dir, 'busybox.tar'));
await pm.podmanOk(['load', '-i', join(pm.dir, 'busybox.tar')]);

const podmanRun = (flags: string[], cmd: string[]) => pm.podman(['run', '--rm', '--network', 'none', ...flags, IMAGE, ...cmd]);

async function runDetached(t: Test, flags: string[], cmd: string[]): Promise<{ id: string; pid: number }> {
  const r = await pm.podman(['run', '-d', '--network', 'none', ...flags, IMAGE, ...cmd]);
  t.equal(r.code, 0, `run -d: ${r.stderr}`);
  const id = r.stdout.trim();
  t.teardown(() => pm.podman(['rm', '-f', '-t', '0', id]).then(() => undefined));
  const pid = Number((await pm.podman(['inspect', '--format', '{{.State.Pid}}', id])).stdout.trim());
  return { id, pid };
}
const inspect = async (id: string, format: string) => (await pm.podman(['inspect', '--format', format, id])).stdout.trim();

/** Reads a cgroup v1 file of `pid`'s cgroup, or the v2 one. */
function cgroupFile(pid: number, controller: string, v1: string, v2: string): string {
  const p1 = `/sys/fs/cgroup/${controller}${cgroupOf(pid, controller)}/${v1}`;
  return existsSync(p1) ? readFileSync(p1, 'utf8').trim() : readFileSync(`/sys/fs/cgroup/unified${cgroupOf(pid, '')}/${v2}`, 'utf8').trim();
}

t.test('run --rm: output and exit status', async (t) => {
  const r = await podmanRun([], ['sh', '-c', 'echo out; echo err >&2; exit 7']);
  t.equal(r.code, 7, r.stderr);
  t.equal(r.stdout, 'out\n');
  t.match(r.stderr, /err/);
});

t.test('run -d, exec, stop (TERM trap → 42), rm', async (t) => {
  const { id, pid } = await runDetached(t, [], ['sh', '-c', "trap 'exit 42' TERM; while true; do sleep 0.1; done"]);
  t.equal(await inspect(id, '{{.State.Status}}'), 'running');
  t.ok(pid > 0 && existsSync(`/proc/${pid}`), 'a live host process');
  let r = await pm.podman(['exec', id, 'sh', '-c', 'echo in-exec; exit 3']);
  t.equal(r.code, 3, 'exec status');
  t.equal(r.stdout, 'in-exec\n');
  r = await pm.podman(['exec', '--user', '1000', '--workdir', '/tmp', id, 'sh', '-c', 'id -u; pwd']);
  t.equal(r.stdout, '1000\n/tmp\n', r.stderr);
  r = await pm.podman(['stop', '-t', '10', id]);
  t.equal(r.code, 0, r.stderr);
  t.equal(await inspect(id, '{{.State.ExitCode}}'), '42', 'the trap ran: exit 42');
  r = await pm.podman(['rm', id]);
  t.equal(r.code, 0, r.stderr);
  t.equal((await pm.podman(['ps', '-aq', '--no-trunc'])).stdout.includes(id), false, 'gone');
});

t.test('run -t and exec -t through a pty', async (t) => {
  const pty = async (cmd: string) => {
    const r = await run('script', ['-qec', `stty rows 30 cols 90; ${pm.commandLine()} ${cmd}`, '/dev/null'], { timeoutMs: 90_000 });
    return { code: r.code, lines: r.stdout.replace(/\r/g, '').replace(/\^@/g, '').trim().split('\n') };
  };
  let r = await pty(`run --rm -t --network none ${IMAGE} sh -c '${SIZE_WHEN_SET}'`);
  t.equal(r.code, 0, r.lines.join('\n'));
  t.match(r.lines[0], /^\/dev\/pts\/\d+$/);
  t.equal(r.lines[1], '30 90');
  const { id } = await runDetached(t, [], ['sleep', '1000']);
  r = await pty(`exec -t ${id} sh -c '${SIZE_WHEN_SET}'`);
  t.equal(r.code, 0, r.lines.join('\n'));
  t.match(r.lines[0], /^\/dev\/pts\/\d+$/);
  t.equal(r.lines[1], '30 90');
});

t.test('pause and unpause', async (t) => {
  const { id, pid } = await runDetached(t, [], ['sh', '-c', 'while true; do sleep 0.1; done']);
  let r = await pm.podman(['pause', id]);
  t.equal(r.code, 0, r.stderr);
  t.equal(await inspect(id, '{{.State.Status}}'), 'paused');
  t.match(cgroupFile(pid, 'freezer', 'freezer.state', 'cgroup.freeze'), /FROZEN|^1$/, 'frozen in the cgroup');
  r = await pm.podman(['unpause', id]);
  t.equal(r.code, 0, r.stderr);
  t.equal(await inspect(id, '{{.State.Status}}'), 'running');
  t.equal((await pm.podman(['exec', id, 'echo', 'alive'])).stdout, 'alive\n');
});

t.test('podman default pids limit and --pids-limit 10', async (t) => {
  const base = await runDetached(t, [], ['sleep', '1000']);
  t.equal(cgroupFile(base.pid, 'pids', 'pids.max', 'pids.max'), '2048', "podman's default pids limit");
  const { pid } = await runDetached(t, ['--pids-limit', '10'], ['sleep', '1000']);
  t.equal(cgroupFile(pid, 'pids', 'pids.max', 'pids.max'), '10');
  const r = await podmanRun(['--pids-limit', '10'], ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 5 & done; echo spawned-all']);
  t.notMatch(r.stdout, /spawned-all/, 'the 11th process is refused');
  t.match(r.stderr, /Resource temporarily unavailable|can't fork/);
});

t.test('--memory 64m in the cgroup and seen inside; OOM gives 137', async (t) => {
  const { pid } = await runDetached(t, ['--memory', '64m'], ['sleep', '1000']);
  t.equal(cgroupFile(pid, 'memory', 'memory.limit_in_bytes', 'memory.max'), String(64 << 20));
  const seen = await podmanRun(
    ['--memory', '48m'],
    ['sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'],
  );
  t.equal(seen.code, 0, seen.stderr);
  t.equal(seen.stdout.trim(), String(48 << 20), 'inside, the container reads its own limit');
  const r = await podmanRun(['--memory', '32m'], ['tail', '/dev/zero']);
  t.equal(r.code, 137, r.stderr);
});

t.test('env, workdir, user, hostname', async (t) => {
  const r = await podmanRun(
    ['--env', 'FOO=bar', '--workdir', '/data', '--user', '1000:1000', '--hostname', 'box1'],
    ['sh', '-c', 'echo $FOO; pwd; id -u; id -g; hostname'],
  );
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'bar\n/data\n1000\n1000\nbox1\n');
});

t.test('--read-only with its tmpfs dirs (tmpcopyup)', async (t) => {
  const r = await podmanRun(
    ['--read-only'],
    [
      'sh',
      '-c',
      'touch /x 2>/dev/null || echo root-ro; cat /tmp/from-image; touch /tmp/y /var/tmp/y /run/y && echo tmpfs-rw; grep -c " /tmp .* - tmpfs " /proc/self/mountinfo',
    ],
  );
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'root-ro\nimage content\ntmpfs-rw\n1\n', 'root read-only, /tmp a tmpfs holding the image content');
});

t.test('seccomp: default profile, unconfined, no-new-privileges, cap-drop', async (t) => {
  const status = ['sh', '-c', 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'];
  let r = await podmanRun([], status);
  t.match(r.stdout, /NoNewPrivs:\s+0/);
  t.match(r.stdout, /Seccomp:\s+2/, 'the default profile is loaded');
  r = await podmanRun(['--security-opt', 'seccomp=unconfined'], status);
  t.match(r.stdout, /Seccomp:\s+0/, 'unconfined');
  r = await podmanRun(['--security-opt', 'no-new-privileges'], status);
  t.match(r.stdout, /NoNewPrivs:\s+1/);
  r = await podmanRun(['--cap-drop', 'CHOWN'], ['chown', '1000', '/tmp']);
  t.not(r.code, 0);
  t.match(r.stderr, /Operation not permitted/, 'chown refused without CAP_CHOWN');
  r = await podmanRun([], ['chown', '1000', '/tmp']);
  t.equal(r.code, 0, `chown allowed by default: ${r.stderr}`);
});

t.test('a missing binary gives a clear error', async (t) => {
  const before = (await pm.podman(['ps', '-aq'])).stdout;
  const r = await podmanRun([], ['/no/such/binary']);
  t.equal(r.code, 127, 'podman: command not found');
  t.match(r.stderr, /\/no\/such\/binary/, 'names the binary');
  t.match(r.stderr, /no such file|ENOENT|not found/i);
  t.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  await sleep(500);
  t.equal((await pm.podman(['ps', '-aq'])).stdout, before, 'no container left');
});

t.test('nothing left: no container, no conmon, no container cgroup', async (t) => {
  t.equal((await pm.podman(['ps', '-aq'])).stdout.trim(), '', 'no container (teardowns ran)');
  const conmons = (await run('pgrep', ['-f', `conmon.*${pm.dir}`])).stdout.trim();
  t.equal(conmons, '', 'no conmon');
  const ids = ourIds();
  t.ok(ids.length > 10, `${ids.length} containers in the events log`);
  const left = readdirSync('/sys/fs/cgroup').flatMap((h) =>
    ids.map((id) => join('/sys/fs/cgroup', h, 'libpod_parent', `libpod-${id}`)).filter((p) => existsSync(p)),
  );
  t.same(left, [], 'no libpod-<id> cgroup of ours');
});
