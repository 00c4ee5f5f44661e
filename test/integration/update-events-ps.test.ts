// update, events and ps on real containers, checked from the host: the
// cgroup files the kernel enforces, the processes it lists.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { waitFor as poll } from '../helpers/host.ts';
import { makeBundle } from '../helpers/bundle.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun, TSRUN } from '../helpers/tsrun.ts';

/**
 * The directory of `pid`'s cgroup in the hierarchy holding `controller`:
 * v1 (from its mount's super options) where the host mounts it there, else
 * the cgroup2 mount. Both come from /proc/self/mountinfo, never hard-coded.
 */
function controllerDir(pid: number, controller: string): string {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f.length > 6);
  const fieldsAfterDash = (f: string[]) => f.slice(f.indexOf('-') + 1);
  const v1 = mounts.find((f) => {
    const [type, , options] = fieldsAfterDash(f);
    return type === 'cgroup' && options!.split(',').includes(controller);
  });
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  if (v1) {
    const line = lines.find((l) => l.split(':')[1]!.split(',').includes(controller))!;
    return join(v1[4]!, line.split(':')[2]!);
  }
  const v2 = mounts.find((f) => fieldsAfterDash(f)[0] === 'cgroup2')!;
  return join(v2[4]!, lines.find((l) => l.startsWith('0::'))!.slice(3));
}

/** Whether the host mounts `controller` in a v1 hierarchy. */
function v1Mounted(controller: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => / - cgroup /.test(l) && l.split(' ').at(-1)!.split(',').includes(controller));
}

// Events and OOM kills take their time on a loaded machine.
const waitFor = (check: () => boolean): Promise<boolean> => poll(check, 10_000, 50);

const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8').trim();

/** `tsrun events` running in the background, its stdout collected in a file. */
function startEvents(tsrun: Tsrun, dir: string, args: string[]) {
  const file = join(dir, 'events.out');
  const fd = openSync(file, 'w');
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const child = spawn(TSRUN, ['--root', tsrun.root, 'events', ...args], { stdio: ['ignore', fd, 'inherit'], env });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    lines: (): any[] =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l)),
  };
}

t.test('update, events, ps', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  function runContainer(t: any, resources: object) {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sleep', '1000'];
      c.linux.resources = { ...c.linux.resources, ...resources };
    });
    const id = tsrun.id('uep');
    const r = tsrun.run(['run', '--detach', '--bundle', bundle.dir, id]);
    t.equal(r.status, 0, r.stderr);
    return { bundle, id, pid: tsrun.state(id).pid as number };
  }

  t.test('update raises and lowers memory and pids limits live; pids.max stops forks', async (t) => {
    const { id, pid } = runContainer(t, { memory: { limit: 64 * 2 ** 20 }, pids: { limit: 100 } });
    const mem = controllerDir(pid, 'memory');
    const pids = controllerDir(pid, 'pids');
    const memLimit = mem.includes('/memory') ? 'memory.limit_in_bytes' : 'memory.max';
    t.equal(read(mem, memLimit), String(64 * 2 ** 20), 'create applied the config');
    t.equal(read(pids, 'pids.max'), '100');

    let r = tsrun.run(['update', '--memory', '128m', '--pids-limit', '3', id]);
    t.equal(r.status, 0, r.stderr);
    t.equal(read(mem, memLimit), String(128 * 2 ** 20), 'memory raised');
    t.equal(read(pids, 'pids.max'), '3', 'pids lowered');

    // sleep + the exec'd shell are 2 of 3: the shell cannot fork 3 children.
    r = tsrun.run(['exec', id, 'sh', '-c', 'sleep 1 & sleep 1 & sleep 1 & wait; echo done']);
    t.not(r.status, 0, 'forks past pids.max fail');
    t.match(r.stderr, /can't fork/, r.stderr);

    r = tsrun.run(['update', '--memory', '32m', '--pids-limit', '20', id]);
    t.equal(r.status, 0, r.stderr);
    t.equal(read(mem, memLimit), String(32 * 2 ** 20), 'memory lowered');
    t.equal(read(pids, 'pids.max'), '20', 'pids raised');
    r = tsrun.run(['exec', id, 'sh', '-c', 'sleep 1 & sleep 1 & sleep 1 & wait; echo done']);
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout, 'done\n', 'the same forks succeed under the raised limit');

    // Merged and saved: a later update of pids alone keeps the memory limit.
    r = tsrun.run(['update', '--pids-limit', '-1', id]);
    t.equal(r.status, 0, r.stderr);
    t.equal(read(pids, 'pids.max'), 'max', '-1 lifts the limit');
    t.equal(read(mem, memLimit), String(32 * 2 ** 20), 'memory untouched');
    const saved = JSON.parse(readFileSync(join(tsrun.root, id, 'state.json'), 'utf8')).resources;
    t.same(saved.memory, { limit: 32 * 2 ** 20 });
    t.same(saved.pids, { limit: -1 });
  });

  t.test('update -r - reads LinuxResources JSON from stdin; bad input changes nothing', async (t) => {
    const { bundle, id, pid } = runContainer(t, { pids: { limit: 50 } });
    const pids = controllerDir(pid, 'pids');
    const cpu = controllerDir(pid, 'cpu');
    const shares = cpu.includes('/cpu') && !cpu.includes('unified') ? 'cpu.shares' : 'cpu.weight';

    let r = tsrun.run(['update', '-r', '-', id], {
      input: JSON.stringify({ pids: { limit: 7 }, cpu: { shares: 512 }, devices: [{ allow: true, access: 'rwm' }] }),
    });
    t.equal(r.status, 0, r.stderr);
    t.equal(read(pids, 'pids.max'), '7');
    if (shares === 'cpu.shares') t.equal(read(cpu, 'cpu.shares'), '512');

    // From a file; value flags given with it are ignored (as runc), with a warning.
    const file = join(bundle.dir, 'resources.json');
    writeFileSync(file, '{"pids": {"limit": 8}}');
    r = tsrun.run(['update', '--resources', file, '--pids-limit', '99', id]);
    t.equal(r.status, 0, r.stderr);
    t.match(r.stderr, /warning: --pids-limit ignored: --resources replaces the other flags/);
    t.equal(read(pids, 'pids.max'), '8');
    r = tsrun.run(['update', '-r', join(bundle.dir, 'missing.json'), id]);
    t.equal(r.stderr, `tsrun: update: --resources ${join(bundle.dir, 'missing.json')}: cannot read it: ENOENT (no such file or directory)\n`);
    r = tsrun.run(['update', '--pids-limit', '7', id]);
    t.equal(r.status, 0, r.stderr);

    r = tsrun.run(['update', '-r', '-', id], { input: '{"pids": {"limit": 9}, "memory": {"limitt": 1}}' });
    t.equal(r.status, 1);
    t.match(r.stderr, /^tsrun: update: stdin: \/memory\/limitt: unknown field/);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    r = tsrun.run(['update', '-r', '-', id], { input: '{"pids": {"limit": "9"}}' });
    t.match(r.stderr, /stdin: \/pids\/limit: must be an integer/);
    r = tsrun.run(['update', '-r', '-', id], { input: '{"pids": ' });
    t.match(r.stderr, /stdin: invalid JSON at line 1 column 10/);
    r = tsrun.run(['update', '--pids-limit', 'many', id]);
    t.match(r.stderr, /invalid value for --pids-limit: "many"/);
    t.equal(read(pids, 'pids.max'), '7', 'nothing applied from a refused update');

    // memory.checkBeforeUpdate: a limit below what the container uses is refused by tsrun, before the kernel sees it.
    const mem = controllerDir(pid, 'memory');
    const memLimit = mem.includes('/memory') ? 'memory.limit_in_bytes' : 'memory.max';
    const before = read(mem, memLimit);
    r = tsrun.run(['update', '-r', '-', id], { input: '{"memory": {"limit": 4096, "checkBeforeUpdate": true}}' });
    t.equal(r.status, 1);
    t.match(r.stderr, /memory limit 4096 is not above the current usage \d+ of container .* \(memory.checkBeforeUpdate is set\)/);
    t.equal(read(mem, memLimit), before, 'the limit stayed');

    r = tsrun.run(['update', '--memory', '1m', 'no-such-container']);
    t.equal(r.status, 1);
    t.match(r.stderr, /container no-such-container does not exist/);
  });

  t.test('events --stats matches the cgroup files', async (t) => {
    const { id, pid } = runContainer(t, { memory: { limit: 48 * 2 ** 20 }, pids: { limit: 30 } });
    const mem = controllerDir(pid, 'memory');
    const pids = controllerDir(pid, 'pids');
    const v1 = mem.includes('/memory');
    const r = tsrun.run(['events', '--stats', id]);
    t.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    t.equal(lines.length, 1, 'one event, then exit');
    const e = JSON.parse(lines[0]!);
    t.equal(e.type, 'stats');
    t.equal(e.id, id);
    t.equal(e.data.pids.current, Number(read(pids, 'pids.current')));
    t.equal(e.data.pids.limit, 30);
    t.equal(e.data.memory.usage.limit, 48 * 2 ** 20);
    const usageNow = Number(read(mem, v1 ? 'memory.usage_in_bytes' : 'memory.current'));
    t.ok(Math.abs(e.data.memory.usage.usage - usageNow) < 2 ** 20, `memory usage ${e.data.memory.usage.usage} ≈ ${usageNow}`);
    t.ok(e.data.cpu.usage.total > 0, 'cpu time used by sleep is counted');
    // uint64 values stay exact: v1's "unlimited" memsw limit is not rounded.
    if (v1) t.match(r.stdout, new RegExp(`"swap":\\{"limit":${read(mem, 'memory.memsw.limit_in_bytes')}[,}]`));
  });

  t.test('events streams stats, reports an OOM kill, and ends when the container stops', async (t) => {
    const { bundle, id, pid } = runContainer(t, { memory: { limit: 16 * 2 ** 20, swap: 16 * 2 ** 20 } });
    const ev = startEvents(tsrun, bundle.dir, ['--interval', '300ms', id]);
    t.teardown(() => {
      ev.child.kill();
    });
    t.ok(await waitFor(() => ev.lines().some((l) => l.type === 'stats')), 'a stats event within the interval');
    // dd's 64 MiB buffer cannot fit in 16 MiB: the kernel OOM-kills it.
    const r = tsrun.run(['exec', id, 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1']);
    t.equal(r.signal ?? r.status, 137, `dd was killed: ${r.stderr}`);
    t.ok(await waitFor(() => ev.lines().some((l) => l.type === 'oom')), 'an oom event');
    t.same(
      ev.lines().find((l) => l.type === 'oom'),
      { type: 'oom', id },
    );
    const mem = controllerDir(pid, 'memory');
    if (mem.includes('/memory')) t.match(read(mem, 'memory.oom_control'), /oom_kill [1-9]/, 'the kernel counted it');
    t.ok(ev.lines().every((l) => l.id === id && (l.type === 'oom' || l.data?.memory?.usage?.limit === 16 * 2 ** 20)));

    t.equal(tsrun.run(['kill', id, 'KILL']).status, 0);
    const code = await Promise.race([ev.exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
    t.equal(code, 0, 'events exits by itself once the container stopped');

    const stopped = tsrun.run(['events', '--stats', id]);
    t.equal(stopped.status, 1);
    t.match(stopped.stderr, /container with id .* is not running/);
    const bad = tsrun.run(['events', '--interval', '5', id]);
    t.match(bad.stderr, /invalid value for --interval: "5"/);
  });

  const noV1Memory = v1Mounted('memory') ? {} : { skip: 'no v1 memory controller: cgroup v2 has no switch to disable the OOM killer' };
  t.test('events reports a container stuck at its limit with the OOM killer disabled (v1 under_oom)', noV1Memory, async (t) => {
    const { bundle, id, pid } = runContainer(t, { memory: { limit: 16 * 2 ** 20, swap: 16 * 2 ** 20, disableOOMKiller: true } });
    const mem = controllerDir(pid, 'memory');
    // A shell doubling a string waits for memory that never comes: no
    // process is killed. Its pages are touched from user space, so the
    // kernel parks it at the limit (under_oom stays 1). dd from /dev/zero
    // does not do: read() fills the buffer from kernel mode, where a failed
    // charge makes a short read instead, and under_oom was 1 only for a
    // moment (events started after it then saw nothing, once in CI).
    const grow = tsrun.run(['exec', '--detach', id, 'sh', '-c', 'x=0123456789; while :; do x=$x$x; done']);
    t.equal(grow.status, 0, grow.stderr);
    t.ok(await waitFor(() => /under_oom 1/.test(read(mem, 'memory.oom_control'))), 'the kernel reports under_oom');
    // events starts after the container got stuck (it once raced the process and
    // missed it): a container stuck now is reported, as runc's eventfd does.
    const ev = startEvents(tsrun, bundle.dir, ['--interval', '1s', id]);
    t.teardown(() => {
      ev.child.kill();
    });
    // Generous: on a loaded CI machine `events` (a node start) once took longer than 10 s to say it.
    const seen = await poll(() => ev.lines().some((l) => l.type === 'oom'), 20_000, 50);
    t.ok(seen, `an oom event (memory.oom_control: ${JSON.stringify(read(mem, 'memory.oom_control'))}; events said: ${JSON.stringify(ev.lines())})`);
    t.match(read(mem, 'memory.oom_control'), /oom_kill 0/, 'nothing was killed');
    t.equal(tsrun.run(['kill', '--all', id, 'KILL']).status, 0);
    const code = await Promise.race([ev.exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
    t.equal(code, 0, 'events ends with the container');
  });

  t.test('ps lists the container processes from its cgroup', async (t) => {
    const { id, pid } = runContainer(t, {});
    // A second process in the container, so the list is more than the init.
    const exec = tsrun.run(['exec', '--detach', id, 'sleep', '999']);
    t.equal(exec.status, 0, exec.stderr);
    const pidsDir = controllerDir(pid, 'pids');
    const fromHost = () =>
      read(pidsDir, 'cgroup.procs')
        .split('\n')
        .map(Number)
        .sort((a, b) => a - b);
    t.ok(await waitFor(() => fromHost().length === 2));

    const json = tsrun.run(['ps', '--format', 'json', id]);
    t.equal(json.status, 0, json.stderr);
    t.same(JSON.parse(json.stdout), fromHost(), 'json: the pids of cgroup.procs');
    t.ok(JSON.parse(json.stdout).includes(pid));

    const table = tsrun.run(['ps', id]);
    t.equal(table.status, 0, table.stderr);
    const [header, ...rows] = table.stdout.trim().split('\n');
    t.match(header, /\bPID\b.*\bCMD\b/, 'ps -ef header');
    t.same(
      rows.map((l) => Number(l.trim().split(/\s+/)[1])).sort((a, b) => a - b),
      fromHost(),
      'table: exactly the container processes',
    );
    t.ok(rows.every((l) => /sleep/.test(l)));

    const custom = tsrun.run(['ps', id, '-o', 'pid,comm']);
    t.equal(custom.status, 0, custom.stderr);
    t.match(custom.stdout, /^\s*PID COMMAND\n/);
    t.equal(custom.stdout.trim().split('\n').length, 3);

    const noPid = tsrun.run(['ps', id, '-o', 'comm']);
    t.equal(noPid.status, 1);
    t.match(noPid.stderr, /no PID column/);
    t.match(tsrun.run(['ps', '--format', 'yaml', id]).stderr, /invalid value for --format: "yaml" \(one of table, json\)/);
  });
});
