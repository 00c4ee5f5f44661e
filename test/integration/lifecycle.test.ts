import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { cgroupDirOf, cgroupDirsNamed, cgroupRoots, pidAlive, pidGone, procStatus, waitFor } from '../helpers/host.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun, TSRUN } from '../helpers/tsrun.ts';

// The cgroup2 mount, from /proc/self/mountinfo (unified or hybrid host).
const CGROUP2 = cgroupRoots().v2!;

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

t.test('lifecycle', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  t.test('create → created, start → running, kill → stopped, delete → gone', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sleep', '1000'];
    });
    const id = tsrun.id();
    const pidFile = join(bundle.dir, 'pid');
    const created = tsrun.run(['create', '--bundle', bundle.dir, '--pid-file', pidFile, id]);
    t.equal(created.status, 0, created.stderr);

    const s1 = tsrun.state(id);
    t.equal(s1.status, 'created');
    t.equal(s1.id, id);
    t.equal(s1.bundle, bundle.dir);
    t.equal(s1.ociVersion, '1.2.0');
    t.ok(s1.pid > 0);
    t.equal(readFileSync(pidFile, 'utf8'), String(s1.pid), 'pid file: a plain number, no newline');
    t.match(procStatus(s1.pid).Name, /tsrun:\[init\]/, 'the init waits under its own name');
    t.equal(cgroupDirOf(s1.pid), `/tsrun/${id}`, 'the init runs in its own cgroup');
    t.same(
      cgroupDirsNamed(`/tsrun/${id}`),
      cgroupRoots().all.map((r) => `${r}/tsrun/${id}`),
      'a cgroup in every hierarchy',
    );
    const lines = readFileSync(`/proc/${s1.pid}/cgroup`, 'utf8').trim().split('\n');
    t.same(
      lines.filter((l) => !l.includes('name=') && !l.endsWith(`:/tsrun/${id}`)),
      [],
      'the init is in each of them (v1 joined before it ran)',
    );

    const started = tsrun.run(['start', id]);
    t.equal(started.status, 0, started.stderr);
    t.ok(await waitFor(() => procStatus(s1.pid).Name === 'sleep'), 'the process exec()ed');
    t.equal(tsrun.state(id).status, 'running');
    t.not(tsrun.run(['start', id]).status, 0, 'a running container cannot be started again');

    const refused = tsrun.run(['delete', id]);
    t.equal(refused.status, 1, 'delete refuses a running container');
    t.match(refused.stderr, /not stopped: running/);

    const killed = tsrun.run(['kill', id, 'KILL']);
    t.equal(killed.status, 0, killed.stderr);
    t.ok(await waitFor(() => tsrun.state(id).status === 'stopped'));
    t.equal(tsrun.state(id).pid, 0);
    // containerd's runc shim treats a kill as done when the error says
    // "container not running" (runc's words); other text fails StopContainer.
    const again = tsrun.run(['kill', id, 'KILL']);
    t.equal(again.status, 1);
    t.match(again.stderr, /container not running/);

    const deleted = tsrun.run(['delete', id]);
    t.equal(deleted.status, 0, deleted.stderr);
    t.not(tsrun.run(['state', id]).status, 0);
    t.match(tsrun.run(['state', id]).stderr, /does not exist/);
    t.same(cgroupDirsNamed(`/tsrun/${id}`), [], 'the cgroup is removed from every hierarchy');
    t.notOk(existsSync(join(tsrun.root, id)), 'the state dir is removed');
  });

  t.test('kill takes signal names and numbers; default TERM', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = [
        'sh',
        '-c',
        'trap "echo got-usr1 >> /tmp/log" USR1; trap "echo got-34 >> /tmp/log" 34; trap "exit 0" TERM; echo ready > /tmp/ready; while :; do sleep 0.05; done',
      ];
      c.root.readonly = false;
    });
    const id = tsrun.id();
    t.equal(tsrun.run(['run', '-d', '--bundle', bundle.dir, id]).status, 0);
    t.ok(await waitFor(() => existsSync(join(bundle.rootfs, 'tmp/ready'))));
    t.equal(tsrun.run(['kill', id, 'SIGUSR1']).status, 0);
    t.ok(await waitFor(() => readOrEmpty(join(bundle.rootfs, 'tmp/log')).includes('got-usr1')));
    t.equal(tsrun.run(['kill', id, '34']).status, 0);
    t.ok(await waitFor(() => readOrEmpty(join(bundle.rootfs, 'tmp/log')).includes('got-34')));
    const bad = tsrun.run(['kill', id, 'SIGNOPE']);
    t.equal(bad.status, 1);
    t.match(bad.stderr, /SIGNOPE/);
    t.equal(tsrun.run(['kill', id]).status, 0);
    t.ok(await waitFor(() => tsrun.state(id).status === 'stopped'), 'TERM stopped it');
    t.equal(tsrun.run(['delete', id]).status, 0);
  });

  t.test('kill --all signals every process of the container', async (t) => {
    const bundle = makeBundle(t, (c) => {
      // No pid namespace: killing pid 1 of a namespace would take the rest anyway.
      c.linux.namespaces = c.linux.namespaces.filter((ns: any) => ns.type !== 'pid');
      c.process.args = ['sh', '-c', 'sleep 1000 & sleep 1000 & wait'];
    });
    const id = tsrun.id();
    t.equal(tsrun.run(['run', '-d', '--bundle', bundle.dir, id]).status, 0);
    const cgroup = `${CGROUP2}/tsrun/${id}/cgroup.procs`;
    t.ok(await waitFor(() => readOrEmpty(cgroup).trim().split('\n').length === 3), 'sh and two sleeps in the cgroup');
    const pids = readOrEmpty(cgroup).trim().split('\n').map(Number);
    t.equal(tsrun.run(['kill', '--all', id, 'KILL']).status, 0);
    t.ok(await waitFor(() => pids.every(pidGone)), 'every process is gone');
    t.equal(tsrun.run(['delete', id]).status, 0);
  });

  t.test('delete --force kills and removes a running container', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sleep', '1000'];
    });
    const id = tsrun.id();
    t.equal(tsrun.run(['run', '--detach', '--bundle', bundle.dir, id]).status, 0);
    const pid = tsrun.state(id).pid;
    t.ok(pidAlive(pid));
    const r = tsrun.run(['delete', '--force', id]);
    t.equal(r.status, 0, r.stderr);
    t.ok(await waitFor(() => pidGone(pid)), 'the process is gone');
    t.same(cgroupDirsNamed(`/tsrun/${id}`), [], 'no cgroup left in any hierarchy');
    t.notOk(existsSync(join(tsrun.root, id)));
  });

  t.test('a created container is deleted without --force (as runc; containerd relies on it)', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['true'];
    });
    const id = tsrun.id();
    t.equal(tsrun.run(['create', '--bundle', bundle.dir, id]).status, 0);
    const pid = tsrun.state(id).pid;
    t.equal(tsrun.run(['delete', id]).status, 0);
    t.ok(await waitFor(() => pidGone(pid)));
    t.same(
      tsrun.leftovers().filter((d) => d === id),
      [],
    );
  });

  t.test('two concurrent creates of one id: exactly one wins', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['true'];
    });
    const id = tsrun.id();
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const one = () =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        // stderr through a file: the winner's container keeps it open.
        const file = join(bundle.dir, `err-${Math.random()}`);
        const fd = openSync(file, 'w');
        const p = spawn(TSRUN, ['--root', tsrun.root, 'create', '--bundle', bundle.dir, id], { env, stdio: ['ignore', 'ignore', fd] });
        p.on('exit', (code) => {
          closeSync(fd);
          resolve({ code, err: readFileSync(file, 'utf8') });
        });
      });
    const results = await Promise.all([one(), one()]);
    t.same(results.map((r) => r.code).sort(), [0, 1]);
    t.match(results.find((r) => r.code === 1)?.err ?? '', /already exists/);
    t.equal(tsrun.state(id).status, 'created');
    t.equal(tsrun.run(['delete', id]).status, 0);
  });

  t.test('list shows every container; a corrupt state.json breaks only its own id', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sleep', '1000'];
    });
    const good = tsrun.id();
    const bad = tsrun.id();
    t.equal(tsrun.run(['create', '--bundle', bundle.dir, good]).status, 0);
    t.equal(tsrun.run(['create', '--bundle', bundle.dir, bad]).status, 0);
    const badPid = tsrun.state(bad).pid;
    writeFileSync(join(tsrun.root, bad, 'state.json'), '{not json');
    const list = tsrun.run(['list', '--format', 'json']);
    t.equal(list.status, 0, list.stderr);
    const ids = JSON.parse(list.stdout).map((s: any) => s.id);
    t.ok(ids.includes(good));
    t.notOk(ids.includes(bad));
    t.match(tsrun.run(['state', bad]).stderr, /corrupt/);
    t.equal(tsrun.state(good).status, 'created');
    const quiet = tsrun.run(['list', '-q']);
    t.match(quiet.stdout, good);
    const table = tsrun.run(['list']);
    t.match(table.stdout, /^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER/);
    t.equal(tsrun.run(['delete', good]).status, 0);
    process.kill(badPid, 'SIGKILL');
    t.equal(tsrun.run(['delete', '--force', bad]).status, 0, 'a corrupt container can still be force-deleted');
    // Its state is unreadable, so tsrun cannot know its cgroup: remove it here.
    await waitFor(() => pidGone(badPid));
    await waitFor(() => {
      try {
        for (const dir of cgroupDirsNamed(`/tsrun/${bad}`)) rmdirSync(dir);
        return true;
      } catch {
        return false;
      }
    });
    t.same(cgroupDirsNamed(`/tsrun/${bad}`), []);
  });

  t.test('stdio given to tsrun create reaches the container process', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sh', '-c', 'echo out; echo err >&2'];
    });
    const id = tsrun.id();
    const r = tsrun.run(['run', '--bundle', bundle.dir, id]);
    t.equal(r.status, 0);
    t.equal(r.stdout, 'out\n');
    t.equal(r.stderr, 'err\n');
  });

  t.test('run --keep leaves a stopped container behind', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['true'];
    });
    const id = tsrun.id();
    t.equal(tsrun.run(['run', '--keep', '--bundle', bundle.dir, id]).status, 0);
    t.equal(tsrun.state(id).status, 'stopped');
    t.equal(tsrun.run(['delete', id]).status, 0);
  });

  t.test('nothing is left: no state dirs, no tsrun processes', async (t) => {
    t.same(readdirSync(tsrun.root), []);
  });
});
