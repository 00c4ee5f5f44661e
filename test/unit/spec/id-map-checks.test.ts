// Id maps the kernel would refuse with a bare EINVAL, named by pointer.
import t from 'tap';
import { semanticProblems } from '../../../src/spec/semantic-checks.ts';
import type { Spec } from '../../../src/spec/types.ts';

function spec(uidMappings: { containerID: number; hostID: number; size: number }[]): Spec {
  return {
    ociVersion: '1.2.0',
    root: { path: 'rootfs' },
    process: { args: ['sh'], cwd: '/', user: { uid: 0, gid: 0 } },
    linux: { namespaces: [{ type: 'mount' }, { type: 'user' }], uidMappings, gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }] },
  } as Spec;
}
const pointers = (s: Spec) => semanticProblems(s).map((p) => `${p.pointer}: ${p.reason}`);

t.same(
  pointers(
    spec([
      { containerID: 0, hostID: 1000, size: 10 },
      { containerID: 10, hostID: 2000, size: 10 },
    ]),
  ),
  [],
  'adjacent ranges are fine',
);
t.same(
  pointers(
    spec([
      { containerID: 0, hostID: 1000, size: 10 },
      { containerID: 5, hostID: 2000, size: 10 },
    ]),
  ),
  ['/linux/uidMappings/1: its containerID range overlaps the one of /linux/uidMappings/0'],
);
t.same(
  pointers(
    spec([
      { containerID: 0, hostID: 1000, size: 10 },
      { containerID: 50, hostID: 1009, size: 1 },
    ]),
  ),
  ['/linux/uidMappings/1: its hostID range overlaps the one of /linux/uidMappings/0'],
);
t.same(pointers(spec([{ containerID: 0, hostID: 2 ** 32 - 5, size: 10 }])), ['/linux/uidMappings/0: hostID + size passes 2^32 (4294967291 + 10)']);
t.same(pointers(spec([{ containerID: 0, hostID: 1000, size: 0 }])), ['/linux/uidMappings/0/size: size must be at least 1']);
const many = Array.from({ length: 341 }, (_, i) => ({ containerID: i, hostID: 1000 + i, size: 1 }));
t.same(pointers(spec(many)), ['/linux/uidMappings: has 341 ranges: the kernel takes at most 340']);
