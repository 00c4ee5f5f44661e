// The reason each StateError of the state layer carries (what callers test
// instead of the message or the disk), with the message kept as it was.
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { StateError, type StateReason } from '../../../src/errors.ts';
import { lockContainer } from '../../../src/state/lock.ts';
import { prepareUserStateRoot } from '../../../src/state/state-root.ts';
import { createContainerDir, readState } from '../../../src/state/store.ts';

function reasonOf(t: Test, fn: () => unknown, reason: StateReason, message: RegExp | string): void {
  try {
    fn();
    t.fail(`expected a StateError (${reason})`);
  } catch (err) {
    t.ok(err instanceof StateError, 'a StateError');
    t.equal((err as StateError).reason, reason);
    if (typeof message === 'string') t.equal((err as Error).message, message);
    else t.match((err as Error).message, message);
  }
}

t.test('store: not-found, corrupt (not JSON, unreadable), exists', async (t) => {
  const root = t.testdir({});
  reasonOf(t, () => readState(root, 'nope'), 'not-found', 'container nope does not exist');
  const bad = createContainerDir(root, 'bad');
  writeFileSync(`${bad}/state.json`, '{');
  reasonOf(t, () => readState(root, 'bad'), 'corrupt', `state of container bad is corrupt (${bad}/state.json)`);
  const dirState = createContainerDir(root, 'dir');
  mkdirSync(`${dirState}/state.json`);
  reasonOf(t, () => readState(root, 'dir'), 'corrupt', 'read state of container dir');
  reasonOf(t, () => createContainerDir(root, 'bad'), 'exists', 'container bad already exists');
  const e = (() => {
    try {
      readState(root, 'nope');
    } catch (err) {
      return err as StateError;
    }
  })();
  t.equal(e?.id, 'nope', 'the id is a field');
  t.equal(e?.status, undefined, 'no status for a missing container');
});

t.test('lock: invalid-id before the disk, not-found for a missing directory', async (t) => {
  const root = t.testdir({});
  reasonOf(t, () => lockContainer(root, '../x'), 'invalid-id', /^invalid container id "\.\.\/x": /);
  reasonOf(t, () => lockContainer(root, 'gone'), 'not-found', 'container gone does not exist');
});

t.test('state root of a caller that is not root: bad-root for each refusal', async (t) => {
  const base = t.testdir({ file: 'x', others: {}, root: {} });
  const own = process.geteuid!();
  // The caller tsrun is told it runs as: another uid than the directories' owner.
  const caller = own === 0 ? 4242 : own;
  reasonOf(
    t,
    () => prepareUserStateRoot(`${base}/no/such/root`, true, caller),
    'bad-root',
    `state root ${base}/no/such/root: ${base}/no/such does not exist (no login session made it): set XDG_RUNTIME_DIR to a directory of yours, or give --root`,
  );
  reasonOf(t, () => prepareUserStateRoot(`${base}/file/sub`, false, caller), 'bad-root', `cannot create state root ${base}/file/sub: ENOTDIR`);
  reasonOf(t, () => prepareUserStateRoot(`${base}/file`, false, caller), 'bad-root', `state root ${base}/file is not a directory`);
  if (own === 0) {
    reasonOf(
      t,
      () => prepareUserStateRoot(`${base}/root`, false, caller),
      'bad-root',
      `state root ${base}/root belongs to uid 0, not to you (uid 4242): give --root a directory of your own`,
    );
    chownSync(`${base}/others`, caller, caller);
  }
  chmodSync(`${base}/others`, 0o777);
  reasonOf(
    t,
    () => prepareUserStateRoot(`${base}/others`, false, caller),
    'bad-root',
    `state root ${base}/others is writable by others (mode 777): chmod go-w it or give another --root`,
  );
});
