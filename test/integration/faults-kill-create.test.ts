// kill -9 of tsrun at each step of create (how: test/helpers/kill-at-step.ts).
// Before the container is recorded, its half-made init must exit with
// tsrun; after each kill, `list`, `state` and `delete --force` work and
// leave nothing, and the id can be created again.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { createSteps, killAtEachStep, skipUnlessRootAndStrace } from '../helpers/kill-at-step.ts';
import { Tsrun } from '../helpers/tsrun.ts';

const skip = skipUnlessRootAndStrace();

function hostHas(dev: string): boolean {
  try {
    execFileSync('ip', ['link', 'show', 'dev', dev], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

t.test('kill -9 of tsrun at each step', skip, async (t) => {
  const tsrun = new Tsrun(t);

  t.test('create', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sleep', '1000'];
      c.linux.resources.pids = { limit: 100 };
    });
    const id = tsrun.id();
    const args = ['create', '--bundle', bundle.dir, '--pid-file', join(bundle.dir, 'pid'), id];
    await killAtEachStep(t, { tsrun, bundle, id, prepare: () => {}, args }, createSteps(tsrun.root, id));
  });

  // Without a mount namespace the init mounts the rootfs in the host's
  // mount table: killed after that, the mounts must still go at delete.
  t.test('create without a mount namespace', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sleep', '1000'];
      c.linux.namespaces = c.linux.namespaces.filter((ns: { type: string }) => ns.type !== 'mount');
      c.mounts = [];
      c.linux.maskedPaths = [];
      c.linux.readonlyPaths = [];
    });
    const id = tsrun.id();
    const steps = createSteps(tsrun.root, id).filter((s) => /READY_HOOKS|CREATED|final state|RECORDED/.test(s.name));
    await killAtEachStep(t, { tsrun, bundle, id, prepare: () => {}, args: ['create', '--bundle', bundle.dir, id] }, steps);
  });

  // linux.netDevices: once moved in, the device lives in the container's
  // network namespace; a killed create must not strand it there.
  t.test('create with a network device', async (t) => {
    const dev = `tsk${process.pid % 100000}`;
    execFileSync('ip', ['link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev}p`]);
    t.teardown(() => {
      if (hostHas(dev)) execFileSync('ip', ['link', 'delete', dev]);
    });
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sleep', '1000'];
      c.linux.netDevices = { [dev]: { name: 'ctr0' } };
    });
    const id = tsrun.id();
    const steps = createSteps(tsrun.root, id).filter((s) => /provisional|READY_HOOKS|RECORDED/.test(s.name));
    const after = (t: Test): void => {
      t.ok(hostHas(dev), `${dev} is back on the host`);
    };
    await killAtEachStep(t, { tsrun, bundle, id, prepare: () => {}, args: ['create', '--bundle', bundle.dir, id], after }, steps);
  });
});
