import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import t from 'tap';
import { StateError } from '../../../src/errors.ts';
import { createContainerDir, listIds, readState, writeState } from '../../../src/state/store.ts';
import { containerStatus } from '../../../src/state/status.ts';
import { readProcStat } from '../../../src/state/proc-stat.ts';
import { sampleState as sample } from '../../helpers/samples.ts';

t.test('write then read; the temp file does not stay', async (t) => {
  const root = t.testdir({});
  const dir = createContainerDir(root, 'a');
  writeState(dir, sample('a'));
  t.same(readState(root, 'a'), sample('a'));
  t.same(readdirSync(dir), ['state.json']);
});

t.test('one create of an id wins', async (t) => {
  const root = t.testdir({});
  createContainerDir(root, 'a');
  t.throws(() => createContainerDir(root, 'a'), new StateError('a', 'exists', 'container a already exists'));
});

t.test('missing and corrupt states are errors for their id only', async (t) => {
  const root = t.testdir({});
  t.throws(() => readState(root, 'nope'), /container nope does not exist/);
  const dir = createContainerDir(root, 'bad');
  writeFileSync(`${dir}/state.json`, '{');
  t.throws(() => readState(root, 'bad'), /corrupt/);
  writeState(createContainerDir(root, 'good'), sample('good'));
  mkdirSync(`${root}/.seccomp-cache`);
  t.same(listIds(root), ['bad', 'good'], 'the seccomp cache is not a container');
  t.same(listIds(`${root}/absent`), []);
});

t.test('status: alive + fifo = created; alive = running; other start time = stopped', async (t) => {
  const root = t.testdir({});
  const dir = createContainerDir(root, 'a');
  // A stand-in for tsrun-init waiting on its fifo: a process named as the init names itself.
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, rmSync: rm, symlinkSync } = await import('node:fs');
  const binDir = mkdtempSync('/tmp/tsrun-fake-init-');
  const fakeInit = `${binDir}/tsrun:[init]`;
  symlinkSync('/bin/sleep', fakeInit);
  const child = spawn(fakeInit, ['100'], { stdio: 'ignore' });
  t.teardown(() => {
    child.kill('SIGKILL');
    rm(binDir, { recursive: true, force: true });
  });
  await new Promise((r) => child.once('spawn', r));
  const waiting = { ...sample('a'), pid: child.pid!, initStartTime: readProcStat(child.pid!)!.startTime };
  const s = sample('a');
  writeFileSync(`${dir}/exec.fifo`, '');
  const thawed = { isFrozen: () => false };
  t.equal(containerStatus(dir, waiting, thawed), 'created');
  t.equal(containerStatus(dir, s, thawed), 'running', 'a fifo left behind a process that exec()ed: running');
  const { rmSync } = await import('node:fs');
  rmSync(`${dir}/exec.fifo`);
  t.equal(containerStatus(dir, s, thawed), 'running');
  t.equal(containerStatus(dir, s, { isFrozen: () => true }), 'paused', 'a frozen cgroup is paused');
  t.equal(
    containerStatus(dir, s, {
      isFrozen: () => {
        throw new Error('gone');
      },
    }),
    'running',
    'an unreadable freezer is not paused',
  );
  t.equal(containerStatus(dir, { ...s, initStartTime: s.initStartTime + 1 }, thawed), 'stopped', 'a reused pid is not our process');
  t.equal(containerStatus(dir, { ...s, pid: 2 ** 22 + 999 }, thawed), 'stopped');
});
