import t from 'tap';
import { containerHookState } from '../../../src/container/oci-state.ts';
import { SpecError } from '../../../src/errors.ts';
import { MSG_MAX } from '../../../src/launch/wire.ts';
import type { Spec } from '../../../src/spec/types.ts';
import type { ContainerState } from '../../../src/state/store.ts';

const state = {
  ociVersion: '1.2.0',
  id: 'c1',
  pid: process.pid,
  bundle: '/b',
  rootfs: '/b/rootfs',
  created: '2026-01-01T00:00:00Z',
  owner: 'root',
  annotations: {},
} as unknown as ContainerState;
const hook = { path: '/bin/true' };

t.test('nothing is sent without createContainer or startContainer hooks', async (t) => {
  t.equal(containerHookState(state, { ociVersion: '1.2.0', hooks: { prestart: [hook] } } as Spec, 'config.json').length, 0);
});

t.test('the state as the container sees it: status created, the pid of its own namespace', async (t) => {
  const json = JSON.parse(containerHookState(state, { ociVersion: '1.2.0', hooks: { startContainer: [hook] } } as Spec, 'config.json').toString());
  t.equal(json.status, 'created');
  t.equal(json.id, 'c1');
  // This test runs in the host's pid namespace: its own pid is the last NSpid.
  t.equal(json.pid, process.pid);
});

t.test('more than one message of state is a SpecError at /annotations', async (t) => {
  const big = { ...state, annotations: { a: 'x'.repeat(MSG_MAX) } } as ContainerState;
  const err = t.throws(() => containerHookState(big, { ociVersion: '1.2.0', hooks: { createContainer: [hook] } } as Spec, 'config.json')) as SpecError;
  t.type(err, SpecError);
  t.equal(err.problems[0]?.pointer, '/annotations');
  t.match(err.problems[0]?.reason, /more than the \d+ tsrun passes: shorten the annotations/);
});
