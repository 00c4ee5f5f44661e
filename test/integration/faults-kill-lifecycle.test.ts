// kill -9 of tsrun at each step of run, start, exec and delete (how:
// test/helpers/kill-at-step.ts). The container exists by then, so its
// process may stay; `list`, `state` and `delete --force` must still work and
// leave nothing, and the id can be created again.
import { join } from 'node:path';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { escape, killAtEachStep, message, skipUnlessRootAndStrace, type Step } from '../helpers/kill-at-step.ts';
import { Tsrun } from '../helpers/tsrun.ts';

const skip = skipUnlessRootAndStrace();

t.test('kill -9 of tsrun at each step', skip, async (t) => {
  const tsrun = new Tsrun(t);

  t.test('run --detach', async (t) => {
    const bundle = makeBundle(t, (c) => (c.process.args = ['sleep', '1000']));
    const id = tsrun.id();
    const dir = escape(join(tsrun.root, id));
    const steps: Step[] = [
      { name: 'at RECORDED', pattern: message('sendmsg', 'n') },
      { name: 'at the open of the exec fifo', pattern: new RegExp(`^open(at)?\\(.*"${dir}/exec\\.fifo", O_RDONLY\\|O_NONBLOCK`), exists: true },
      { name: 'at the unlink of the exec fifo', pattern: new RegExp(`^unlink(at)?\\(.*"${dir}/exec\\.fifo"`), exists: true },
    ];
    await killAtEachStep(t, { tsrun, bundle, id, prepare: () => {}, args: ['run', '--detach', '--bundle', bundle.dir, id] }, steps);
  });

  t.test('start', async (t) => {
    const bundle = makeBundle(t, (c) => (c.process.args = ['sleep', '1000']));
    const id = tsrun.id();
    const dir = escape(join(tsrun.root, id));
    const prepare = (): void => {
      const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
      if (r.status !== 0) throw new Error(`create: ${r.stderr}`);
    };
    const steps: Step[] = [
      { name: 'at the lock', pattern: /^flock\(/ },
      { name: 'at the open of the exec fifo', pattern: new RegExp(`^open(at)?\\(.*"${dir}/exec\\.fifo", O_RDONLY`) },
      { name: 'at the unlink of the exec fifo', pattern: new RegExp(`^unlink(at)?\\(.*"${dir}/exec\\.fifo"`) },
    ];
    await killAtEachStep(
      t,
      { tsrun, bundle, id, prepare, args: ['start', id] },
      steps.map((s) => ({ ...s, exists: true })),
    );
  });

  t.test('exec --detach', async (t) => {
    const bundle = makeBundle(t, (c) => (c.process.args = ['sleep', '1000']));
    const id = tsrun.id();
    const prepare = (): void => {
      const r = tsrun.run(['run', '--detach', '--bundle', bundle.dir, id]);
      if (r.status !== 0) throw new Error(`run: ${r.stderr}`);
    };
    // The exec's own tsrun-init talks over the same socket protocol: a
    // tsrun killed before CREATED leaves an init that sees EOF and exits;
    // after it, the exec'd process runs in the container and goes with it.
    const steps: Step[] = [
      { name: 'with the exec init started (its first message)', pattern: /^recvmsg\(/ },
      { name: 'at PID', pattern: message('recvmsg', '3') },
      { name: 'at CREATED', pattern: message('recvmsg', '6') },
    ];
    await killAtEachStep(
      t,
      { tsrun, bundle, id, prepare, args: ['exec', '--detach', id, 'sleep', '999'] },
      steps.map((s) => ({ ...s, exists: true })),
    );
  });

  t.test('delete', async (t) => {
    const bundle = makeBundle(t, (c) => (c.process.args = ['sleep', '1000']));
    const id = tsrun.id();
    const dir = escape(join(tsrun.root, id));
    const cg = `/sys/fs/cgroup/[^"]*/${escape(id)}`;
    const prepare = (): void => {
      const r = tsrun.run(['run', '--detach', '--bundle', bundle.dir, id]);
      if (r.status !== 0) throw new Error(`run: ${r.stderr}`);
    };
    const steps: Step[] = [
      { name: 'at the lock', pattern: /^flock\(/ },
      {
        name: 'at the kill of the processes',
        pattern: new RegExp(`^(kill|pidfd_send_signal)\\(|^open(at)?\\(.*"${cg}/(cgroup\\.kill|freezer\\.state)", O_WRONLY`),
      },
      { name: 'at the rmdir of the first cgroup', pattern: new RegExp(`^(rmdir|unlinkat)\\(.*"${cg}"`) },
      { name: 'at the rmdir of the last cgroup', pattern: new RegExp(`^(rmdir|unlinkat)\\(.*"${cg}"`), last: true },
      // By full path (node) or relative to the directory's fd (the C front door).
      { name: 'at the removal of state.json', pattern: new RegExp(`^unlink(at)?\\(.*("${dir}/state\\.json"|\\d+, "state\\.json")`) },
      { name: 'at the rmdir of the state directory', pattern: new RegExp(`^(rmdir|unlinkat)\\(.*("${dir}"|\\d+, "${id}", AT_REMOVEDIR)`) },
    ];
    await killAtEachStep(
      t,
      { tsrun, bundle, id, prepare, args: ['delete', '--force', id] },
      steps.map((s) => ({ ...s, exists: true })),
    );
  });
});
