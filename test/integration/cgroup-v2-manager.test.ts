// The v2 manager on this host's real cgroup2 mount (on a hybrid host it
// holds only some controllers, but freeze, cgroup.kill, creation, removal
// and controller enabling work there as on a unified host). Processes are
// moved in from the host; everything is checked from the host.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { dirname } from 'node:path';
import t from 'tap';
import { V2Manager } from '../../src/cgroup/v2-manager.ts';
import { cgroupRoots, pidGone, waitFor } from '../helpers/host.ts';
import { isRoot } from '../helpers/requires.ts';

const v2 = cgroupRoots().v2;
const skip = !isRoot() ? 'needs root (cgroup writes)' : v2 === undefined ? 'no cgroup2 mount in /proc/self/mountinfo' : false;

t.test('v2 manager on the real cgroup2 hierarchy', { skip }, async (t) => {
  const parent = `${v2}/tsrun-test-${randomBytes(4).toString('hex')}`;
  const mgr = new V2Manager(`${parent}/c1`);
  mgr.create();
  t.teardown(async () => {
    await mgr.killAll(osConstants.signals.SIGKILL);
    await mgr.waitEmpty(2000);
    await mgr.remove();
  });
  t.same(mgr.toRecord().created, [parent, `${parent}/c1`], 'both directories recorded');

  // A core interface file, and a controller if this hierarchy has any.
  const controllers = fs.readFileSync(`${v2}/cgroup.controllers`, 'utf8').trim().split(/\s+/).filter(Boolean);
  mgr.apply({ unified: { 'cgroup.max.descendants': '5' }, ...(controllers.includes('pids') ? { pids: { limit: 33 } } : {}) });
  t.equal(fs.readFileSync(`${parent}/c1/cgroup.max.descendants`, 'utf8').trim(), '5');
  if (controllers.includes('pids')) {
    t.equal(fs.readFileSync(`${parent}/c1/pids.max`, 'utf8').trim(), '33');
    t.match(fs.readFileSync(`${parent}/cgroup.subtree_control`, 'utf8'), /pids/, 'pids enabled in the parent');
  }
  const missing = ['memory', 'pids', 'cpu', 'io'].find((c) => !controllers.includes(c));
  if (missing) {
    t.throws(
      () => mgr.apply({ unified: { [`${missing}.max`]: '1' } }),
      new RegExp(`/linux/resources/unified/${missing}\\.max: the ${missing} controller is not available`),
      `a controller this hierarchy lacks (${missing}) is an error naming the field`,
    );
  }

  // Two shells that count, one forked from the other, inside the cgroup.
  const counter = `${fs.mkdtempSync(`${tmpdir()}/tsrun-count-`)}/count`;
  t.teardown(() => fs.rmSync(dirname(counter), { recursive: true, force: true }));
  const sh = spawn('sh', ['-c', `echo $$ > ${parent}/c1/cgroup.procs || exit 1; sh -c 'while :; do echo x >> ${counter}; sleep 0.02; done' & wait`], {
    stdio: 'ignore',
  });
  t.ok(await waitFor(() => mgr.procs().length >= 2), `procs: ${mgr.procs()}`);
  const count = () => (fs.existsSync(counter) ? fs.readFileSync(counter, 'utf8').length : 0);
  t.ok(await waitFor(() => count() > 10), 'counting');

  await mgr.freeze();
  t.ok(mgr.isFrozen(), 'cgroup.events frozen 1');
  const at = count();
  await new Promise((r) => setTimeout(r, 300));
  t.equal(count(), at, 'nothing ran while frozen');
  await mgr.thaw();
  t.notOk(mgr.isFrozen());
  t.ok(await waitFor(() => count() > at), 'runs again after thaw');

  const pids = mgr.procs();
  await mgr.freeze();
  await mgr.killAll(osConstants.signals.SIGKILL);
  t.ok(await waitFor(() => pids.every(pidGone)), 'cgroup.kill kills frozen processes too');
  t.ok(await mgr.waitEmpty(5000), 'empty');
  sh.kill();
  await mgr.remove();
  t.notOk(fs.existsSync(parent), 'the directories it made are removed');
});
