import t from 'tap';
import { planIdmap } from '../../../src/plan/idmap.ts';
import { isIdmapped } from '../../../src/spec/idmapped-mount.ts';
import { MOUNT_ATTR, MS } from '../../../src/kernel/mount-flags.ts';
import type { Spec } from '../../../src/spec/types.ts';

const spec: Spec = {
  ociVersion: '1.2.0',
  linux: { uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 200000, size: 10 }] },
};

t.test('which mounts are id-mapped', async (t) => {
  t.ok(isIdmapped({ destination: '/d', options: ['bind', 'idmap'] }));
  t.ok(isIdmapped({ destination: '/d', options: ['ridmap'] }));
  t.ok(isIdmapped({ destination: '/d', uidMappings: [{ containerID: 0, hostID: 1, size: 1 }] }));
  t.notOk(isIdmapped({ destination: '/d', options: ['rbind'] }));
});

t.test("mappings: the mount's own, else the container's", async (t) => {
  const own = planIdmap(
    { destination: '/d', uidMappings: [{ containerID: 1, hostID: 2, size: 3 }], gidMappings: [{ containerID: 4, hostID: 5, size: 6 }] },
    spec,
    0,
  );
  t.equal(own.uidMappings, '1 2 3\n');
  t.equal(own.gidMappings, '4 5 6\n');
  const inherited = planIdmap({ destination: '/d', options: ['bind', 'idmap'] }, spec, 0);
  t.equal(inherited.uidMappings, '0 100000 65536\n');
  t.equal(inherited.gidMappings, '0 200000 10\n');
});

t.test('recursion: rbind clones submounts, ridmap maps them', async (t) => {
  const r = (options: string[]) => {
    const p = planIdmap(
      { destination: '/d', options, uidMappings: [{ containerID: 0, hostID: 1, size: 1 }], gidMappings: [{ containerID: 0, hostID: 1, size: 1 }] },
      spec,
      0,
    );
    return [p.cloneRecursive, p.recursive];
  };
  t.same(r(['bind', 'idmap']), [false, false]);
  t.same(r(['rbind', 'idmap']), [true, false]);
  t.same(r(['rbind', 'ridmap']), [true, true]);
  t.same(r(['bind', 'ridmap']), [true, true]);
  t.same(r(['rbind']), [true, true], 'rbind with mappings of its own and no idmap: recursive');
});

t.test('mount flags become MOUNT_ATTR_* on the tree', async (t) => {
  const p = planIdmap({ destination: '/d', options: ['idmap'] }, spec, MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.NOATIME | MS.NODIRATIME);
  t.equal(
    p.attrSet,
    MOUNT_ATTR.IDMAP | MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV | MOUNT_ATTR.NOEXEC | MOUNT_ATTR.NOATIME | MOUNT_ATTR.NODIRATIME,
  );
  t.equal(p.attrClear, MOUNT_ATTR.ATIME_MASK);
  t.equal(planIdmap({ destination: '/d', options: ['idmap'] }, spec, MS.STRICTATIME).attrSet, MOUNT_ATTR.IDMAP | MOUNT_ATTR.STRICTATIME);
  t.equal(planIdmap({ destination: '/d', options: ['idmap'] }, spec, 0).attrClear, 0);
});
