import t from 'tap';
import { encodePlan, planRecords, REC } from '../../../src/plan/encode.ts';
import { plan } from '../../../src/plan/plan.ts';
import type { Spec } from '../../../src/spec/types.ts';

const spec: Spec = {
  ociVersion: '1.2.0',
  root: { path: 'rootfs' },
  process: { cwd: '/', user: { uid: 0, gid: 0 }, args: ['sh'] },
  mounts: [
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid'] },
    { destination: '/proc', type: 'proc', source: 'proc' },
  ],
  linux: { namespaces: [{ type: 'mount' }] },
};
const options = { bundle: '/b', rootfsParentMount: '/', rootfsParentShared: false, noPivot: false, noNewKeyring: false, preserveFds: 0 };

t.test("a cgroup mount carries the container's cgroup directory to bind where cgroup2 is refused", async (t) => {
  const p = plan(spec, { ...options, cgroupDir: '/sys/fs/cgroup/unified/tsrun/c1' });
  t.equal(p.mounts[0]!.fstype, 'cgroup2');
  t.equal(p.mounts[0]!.fallbackBind, '/sys/fs/cgroup/unified/tsrun/c1');
  t.equal(p.mounts[1]!.fallbackBind, undefined, 'only cgroup mounts');
  const mounts = planRecords(p).filter((r) => r.kind === REC.MOUNT);
  t.same(mounts[0]!.strs.at(-1), '/sys/fs/cgroup/unified/tsrun/c1');
  t.equal(mounts[1]!.strs.length, 4);
  t.ok(encodePlan(p).length > 0);
  t.equal(plan(spec, options).mounts[0]!.fallbackBind, undefined, 'none without a cgroup directory');
});
