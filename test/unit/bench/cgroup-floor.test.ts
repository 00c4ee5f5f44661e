import t from 'tap';
import { v1ControllerHierarchies } from '../../../bench/lib/cgroup-floor.ts';

// A hybrid host's mountinfo as this VM has it: v1 controllers, a named
// hierarchy with no controller, cgroup2 beside them, and other filesystems.
const MOUNTINFO = [
  '25 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '30 25 0:26 / /sys/fs/cgroup rw,nosuid shared:9 - tmpfs tmpfs ro,mode=755',
  '31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate',
  '32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,xattr,name=systemd',
  '33 30 0:29 / /sys/fs/cgroup/memory rw,nosuid shared:12 - cgroup cgroup rw,memory',
  '34 30 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:13 - cgroup cgroup rw,cpu,cpuacct',
  '35 30 0:31 / /sys/fs/cgroup/cpuset rw,nosuid shared:14 - cgroup cgroup rw,cpuset,clone_children',
  '',
].join('\n');
const CONTROLLERS = ['cpuset', 'cpu', 'cpuacct', 'blkio', 'memory', 'devices', 'freezer', 'pids', 'hugetlb'];

t.test('the v1 hierarchies that carry a controller, one mount point each', async (t) => {
  t.same(v1ControllerHierarchies(MOUNTINFO, CONTROLLERS), ['/sys/fs/cgroup/memory', '/sys/fs/cgroup/cpu,cpuacct', '/sys/fs/cgroup/cpuset']);
});

t.test('a pure cgroup v2 host has none', async (t) => {
  const v2 = '31 25 0:27 / /sys/fs/cgroup rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate\n';
  t.same(v1ControllerHierarchies(v2, CONTROLLERS), []);
});
