// A hook that exits without reading its stdin: the write of the state may
// then fail with EPIPE, depending on who runs first. The hook must be
// judged by its exit status only, every time (runc's behaviour).
import t from 'tap';
import { HookError } from '../../../src/errors.ts';
import { runHook } from '../../../src/hooks/run-hooks.ts';

// Bigger than a pipe buffer, so that the write is still going on when the
// hook exits: the race shows in a few percent of the runs at 64 KiB+.
const STATE = JSON.stringify({ ociVersion: '1.2.0', id: 'x', status: 'creating', pad: 'x'.repeat(1024 * 1024) });
const ITERATIONS = 40;

t.test('a successful hook that ignores stdin never fails', async (t) => {
  let failures = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    try {
      runHook('prestart', 0, { path: '/bin/true' }, STATE);
    } catch (err) {
      failures++;
      t.comment(String(err));
    }
  }
  t.equal(failures, 0, `${ITERATIONS} runs of /bin/true`);
});

t.test('a failing hook that ignores stdin is reported by its status', async (t) => {
  const messages = new Set<string>();
  for (let i = 0; i < ITERATIONS; i++) {
    try {
      runHook('createRuntime', 2, { path: '/bin/sh', args: ['sh', '-c', 'exit 7'] }, STATE);
      messages.add('no error');
    } catch (err) {
      t.ok(err instanceof HookError);
      messages.add((err as Error).message);
    }
  }
  t.same([...messages], ['createRuntime[2] /bin/sh exited with status 7']);
});

t.test('a hook killed by a signal is reported by the signal', async (t) => {
  t.throws(() => runHook('prestart', 0, { path: '/bin/sh', args: ['sh', '-c', 'kill -9 $$'] }, STATE), {
    message: 'prestart[0] /bin/sh killed by SIGKILL',
  });
});

t.test('a hook that reads the state still gets all of it', async (t) => {
  t.doesNotThrow(() => runHook('prestart', 0, { path: '/bin/sh', args: ['sh', '-c', `test "$(wc -c)" -eq ${STATE.length}`] }, STATE));
});
