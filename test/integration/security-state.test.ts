// Hostile state: a state.json edited to name another pid or a host
// service's cgroup must not make kill or delete signal or remove
// something that is not the container. The victim is a host process in a
// cgroup the test made; it must survive every attempt.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { findCgroup2Mount } from '../../src/host/cgroup-layout.ts';
import { readProcStat } from '../../src/state/proc-stat.ts';
import { makeBundle } from '../helpers/bundle.ts';
import { pidGone } from '../helpers/host.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun } from '../helpers/tsrun.ts';

t.test('hostile state.json', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);
  const mount = findCgroup2Mount()!;
  const victimCgroup = join(mount, `tsrun-victim-${process.pid}`);
  mkdirSync(victimCgroup);
  const victim = spawn('sleep', ['1000'], { stdio: 'ignore', detached: true });
  writeFileSync(join(victimCgroup, 'cgroup.procs'), String(victim.pid));
  t.teardown(() => {
    victim.kill('SIGKILL');
    setTimeout(() => rmdirSync(victimCgroup), 200);
  });
  const victimStart = readProcStat(victim.pid!)!.startTime;

  const bundle = makeBundle(t, (c) => (c.process.args = ['sleep', '100']));
  const id = tsrun.id();
  t.equal(tsrun.run(['create', '--bundle', bundle.dir, id]).status, 0);
  t.equal(tsrun.run(['start', id]).status, 0);
  const stateFile = join(tsrun.root, id, 'state.json');
  const original = readFileSync(stateFile, 'utf8');
  const edit = (fn: (s: any) => void) => {
    const s = JSON.parse(original);
    fn(s);
    writeFileSync(stateFile, JSON.stringify(s));
  };

  t.test('a foreign cgroup: kill --all and delete --force refuse', async (t) => {
    edit((s) => (s.cgroup = { path: victimCgroup, created: [victimCgroup] }));
    for (const args of [
      ['kill', '--all', id, 'KILL'],
      ['delete', '--force', id],
    ]) {
      const r = tsrun.run(args);
      t.equal(r.status, 1, `${args[0]} refuses`);
      t.match(r.stderr, /refusing to signal or remove/);
      t.notOk(pidGone(victim.pid!), 'the victim is alive');
    }
    t.equal(readFileSync(join(victimCgroup, 'cgroup.procs'), 'utf8').trim(), String(victim.pid), 'the victim cgroup is intact');
  });

  t.test('another pid, even with its start time: kill refuses', async (t) => {
    edit((s) => {
      s.pid = victim.pid;
      s.initStartTime = victimStart;
    });
    const r = tsrun.run(['kill', id, 'KILL']);
    t.equal(r.status, 1);
    t.match(r.stderr, new RegExp(`names pid ${victim.pid} and cgroup .* but that process is not in that cgroup`));
    t.notOk(pidGone(victim.pid!), 'the victim is alive');
  });

  t.test('the real state still works', async (t) => {
    writeFileSync(stateFile, original);
    t.equal(tsrun.run(['delete', '--force', id]).status, 0);
    t.same(tsrun.leftovers(), []);
    t.notOk(pidGone(victim.pid!), 'the victim is alive');
  });
});
