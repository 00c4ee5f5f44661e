// The reason each operation's StateError carries, from state.json files
// written here (a "stopped" container: a pid whose start time does not
// match; a "running" one: this test's own process, without an exec fifo).
// Nothing here signals, freezes or removes a cgroup: every call is refused
// before that, which is what is tested.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { StateError, type StateReason } from '../../../src/errors.ts';
import { assertCgroupIsContainers } from '../../../src/container/cgroup-guard.ts';
import { loadContainer, type Container } from '../../../src/container/container.ts';
import { createContainer } from '../../../src/container/create.ts';
import { deleteContainer } from '../../../src/container/delete.ts';
import { containerEvents } from '../../../src/container/events.ts';
import { execProcess } from '../../../src/container/exec.ts';
import { killContainer } from '../../../src/container/kill.ts';
import { pauseContainer, resumeContainer } from '../../../src/container/pause.ts';
import { startContainer } from '../../../src/container/start.ts';
import { updateContainer } from '../../../src/container/update.ts';
import type { Status } from '../../../src/state/status.ts';
import { createContainerDir, writeState } from '../../../src/state/store.ts';
import { sampleState as state } from '../../helpers/samples.ts';

const warn = (): void => {};

function rootWith(t: Test): string {
  const root = t.testdir({});
  writeState(createContainerDir(root, 'stopped'), state('stopped', false));
  writeState(createContainerDir(root, 'running'), state('running', true));
  return root;
}

async function refused(
  t: Test,
  fn: () => unknown,
  expect: { reason: StateReason; message: string | RegExp; status?: Status; wanted?: Status[] },
): Promise<void> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  if (!(err instanceof StateError)) {
    t.fail(`expected a StateError, got ${String(err)}`);
    return;
  }
  t.equal(err.reason, expect.reason, `reason ${expect.reason}`);
  if (typeof expect.message === 'string') t.equal(err.message, expect.message);
  else t.match(err.message, expect.message);
  t.equal(err.status, expect.status, 'status');
  t.same(err.wanted, expect.wanted, 'wanted');
}

t.test('the statuses the fixtures are meant to have', async (t) => {
  const root = rootWith(t);
  t.equal(loadContainer(root, 'stopped').status, 'stopped');
  t.equal(loadContainer(root, 'running').status, 'running');
});

t.test('wrong-status: the status it has and the ones the operation needs', async (t) => {
  const root = rootWith(t);
  // Guard: the refusals below must come before any action on a real process.
  if (loadContainer(root, 'running').status !== 'running') return t.fail('fixture is not running');
  await refused(t, () => startContainer(root, 'stopped', warn), {
    reason: 'wrong-status',
    message: 'cannot start container stopped: it is stopped, not created',
    status: 'stopped',
    wanted: ['created'],
  });
  await refused(t, () => killContainer(root, 'stopped', 15, false), {
    reason: 'wrong-status',
    message: 'cannot kill container stopped: container not running',
    status: 'stopped',
    wanted: ['created', 'running', 'paused'],
  });
  await refused(t, () => pauseContainer(root, 'stopped'), {
    reason: 'wrong-status',
    message: 'cannot pause container stopped: it is stopped, not running or created',
    status: 'stopped',
    wanted: ['created', 'running'],
  });
  await refused(t, () => resumeContainer(root, 'running'), {
    reason: 'wrong-status',
    message: 'cannot resume container running: it is running, not paused',
    status: 'running',
    wanted: ['paused'],
  });
  await refused(t, () => containerEvents(root, 'stopped', { stats: true, intervalMs: 1000, write: () => {}, warn }), {
    reason: 'wrong-status',
    message: 'container with id stopped is not running',
    status: 'stopped',
    wanted: ['created', 'running', 'paused'],
  });
  await refused(t, () => updateContainer(root, 'stopped', {}, warn), {
    reason: 'wrong-status',
    message: 'cannot update container stopped: it is not running',
    status: 'stopped',
    wanted: ['created', 'running', 'paused'],
  });
  await refused(t, () => execProcess({ root, id: 'stopped', process: { cwd: '/', args: ['true'], user: { uid: 0, gid: 0 } }, preserveFds: 0 }), {
    reason: 'wrong-status',
    message: 'cannot exec in container stopped: it is stopped',
    status: 'stopped',
    wanted: ['created', 'running'],
  });
  await refused(t, () => deleteContainer(root, 'running', false, warn), {
    reason: 'wrong-status',
    message: 'cannot delete container running that is not stopped: running (use --force)',
    status: 'running',
    wanted: ['created', 'stopped'],
  });
});

t.test('not-found and invalid-id from every entry that loads a container', async (t) => {
  const root = rootWith(t);
  const missing = { reason: 'not-found' as const, message: 'container nope does not exist' };
  await refused(t, () => loadContainer(root, 'nope'), missing);
  await refused(t, () => startContainer(root, 'nope', warn), missing);
  await refused(t, () => killContainer(root, 'nope', 15, false), missing);
  await refused(t, () => deleteContainer(root, 'nope', false, warn), missing);
  const invalid = { reason: 'invalid-id' as const, message: /^invalid container id "\.\.\/x": / };
  await refused(t, () => loadContainer(root, '../x'), invalid);
  await refused(t, () => deleteContainer(root, '../x', true, warn), invalid);
  await refused(t, () => createContainer({ root, id: '../x', bundle: '/nonexistent', noPivot: false, noNewKeyring: false, preserveFds: 0, warn }), invalid);
  t.same(readdirSync(root).sort(), ['running', 'stopped'], 'create refused the id before making anything');
});

t.test('delete --force: by reason, not by probing the disk', async (t) => {
  const root = rootWith(t);
  await deleteContainer(root, 'nope', true, warn);
  t.pass('a missing container is already deleted');
  mkdirSync(`${root}/half`);
  await deleteContainer(root, 'half', true, warn);
  t.notOk(existsSync(`${root}/half`), 'a directory without state.json (create killed early) is removed');
  writeFileSync(`${createContainerDir(root, 'bad')}/state.json`, '{');
  await refused(t, () => deleteContainer(root, 'bad', false, warn), { reason: 'corrupt', message: /^state of container bad is corrupt/ });
  t.ok(existsSync(`${root}/bad`), 'without --force a corrupt state stays');
  await deleteContainer(root, 'bad', true, warn);
  t.notOk(existsSync(`${root}/bad`), 'with --force a corrupt state is removed');
});

t.test('cgroup guard: a state naming something that is not the container is corrupt', async (t) => {
  const fake = (procs: number[], mountNs: boolean): Container =>
    ({
      id: 'c1',
      dir: '/nonexistent',
      status: 'running',
      state: { ...state('c1', true), namespaces: mountNs ? [{ type: 'mount' }] : [] },
      cgroup: { dirs: () => ({ v2: '/sys/fs/cgroup/x', v1: {} }), procs: () => procs },
    }) as unknown as Container;
  await refused(t, () => assertCgroupIsContainers(fake([], false)), {
    reason: 'corrupt',
    message: `state.json of container c1 names pid ${process.pid} and cgroup /sys/fs/cgroup/x, but that process is not in that cgroup: refusing to signal or remove anything`,
  });
  await refused(t, () => assertCgroupIsContainers(fake([process.pid], true)), {
    reason: 'corrupt',
    message: `cgroup /sys/fs/cgroup/x of container c1 holds processes of the host's mount namespace (${process.pid}): it is not the container's cgroup, refusing to signal or remove it`,
  });
  t.doesNotThrow(() => assertCgroupIsContainers(fake([process.pid], false)), 'its own process, no mount namespace: accepted');
});
