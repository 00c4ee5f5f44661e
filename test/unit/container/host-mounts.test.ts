import t from 'tap';
import { mountIdsAt } from '../../../src/container/host-mounts.ts';

t.test('mounts stacked at one path, bottom first, whatever their order in mountinfo', async (t) => {
  const line = (id: number, parent: number, point: string) => `${id} ${parent} 0:1 / ${point} rw - ext4 /dev/x rw`;
  const text = [line(1, 0, '/'), line(30, 20, '/b/rootfs'), line(20, 1, '/b/rootfs'), line(31, 30, '/b/rootfs/proc'), line(40, 30, '/b/rootfs')].join('\n');
  t.same(mountIdsAt('/b/rootfs', text), [20, 30, 40]);
  t.same(mountIdsAt('/nothing', text), []);
});
