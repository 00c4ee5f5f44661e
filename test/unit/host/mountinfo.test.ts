import t from 'tap';
import { findCgroup2Mount } from '../../../src/host/cgroup-layout.ts';
import { mountHolding, parseMountinfo } from '../../../src/host/mountinfo.ts';

// A unified host (Debian 12 / Fedora default): cgroup2 at /sys/fs/cgroup.
const UNIFIED = `22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
26 22 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
28 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro
`;

// This development machine: v1 controllers plus a v2 tree at /sys/fs/cgroup/unified.
const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

// A legacy host: only v1 hierarchies.
const LEGACY = `31 23 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
32 31 0:29 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,name=systemd
33 31 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,memory
`;

t.test('unified host: /sys/fs/cgroup', async (t) => {
  t.equal(findCgroup2Mount(UNIFIED), '/sys/fs/cgroup');
});

t.test('hybrid host: /sys/fs/cgroup/unified', async (t) => {
  t.equal(findCgroup2Mount(HYBRID), '/sys/fs/cgroup/unified');
});

t.test('legacy host without cgroup2: undefined', async (t) => {
  t.equal(findCgroup2Mount(LEGACY), undefined);
  t.equal(findCgroup2Mount(''), undefined);
});

t.test('octal escapes in the mount point are decoded', async (t) => {
  const text = '50 22 0:40 / /mnt/my\\040cgroup\\134x rw - cgroup2 none rw\n';
  t.equal(findCgroup2Mount(text), '/mnt/my cgroup\\x');
});

t.test('a mount of the whole hierarchy wins over a subtree bind', async (t) => {
  const text = `60 22 0:22 /user.slice /mnt/sub rw - cgroup2 cgroup2 rw
61 22 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw
`;
  t.equal(findCgroup2Mount(text), '/sys/fs/cgroup');
  t.equal(findCgroup2Mount(text.split('\n')[0] + '\n'), '/mnt/sub', 'only a subtree: use it');
});

t.test('parser: optional fields of any number, malformed lines skipped', async (t) => {
  const text = `26 22 0:22 / /sys/fs/cgroup rw shared:9 master:3 - cgroup2 cgroup2 rw
garbage line
27 22 0:23 / /x rw - tmpfs
`;
  t.same(parseMountinfo(text), [
    {
      mountId: 26,
      parentId: 22,
      root: '/',
      mountPoint: '/sys/fs/cgroup',
      fsType: 'cgroup2',
      source: 'cgroup2',
      optional: ['shared:9', 'master:3'],
      superOptions: 'rw',
    },
  ]);
});

t.test('reads /proc/self/mountinfo when given no text', async (t) => {
  const found = findCgroup2Mount();
  t.ok(found === undefined || found.startsWith('/'), `found ${String(found)}`);
});

t.test('mountHolding: the longest mount point holding the path, the top one of stacked mounts', async (t) => {
  const text = `28 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
70 28 0:50 / /srv rw,relatime - tmpfs tmpfs rw
71 70 0:51 / /srv/bundles rw,relatime shared:30 - tmpfs tmpfs rw
72 71 0:52 / /srv/bundles rw,relatime - tmpfs tmpfs rw
73 28 0:53 / /srv2 rw,relatime shared:31 - tmpfs tmpfs rw
`;
  t.same(mountHolding('/srv/bundles/b1/rootfs', text), { mountPoint: '/srv/bundles', shared: false }, 'the top of two mounts on one point');
  t.same(mountHolding('/srv/other', text), { mountPoint: '/srv', shared: false });
  t.same(mountHolding('/srv2x/rootfs', text), { mountPoint: '/', shared: true }, '/srv2 is not a prefix of /srv2x');
  t.same(mountHolding('/srv2', text), { mountPoint: '/srv2', shared: true }, 'the path itself a mount point');
  t.same(mountHolding('/anything', ''), { mountPoint: '/', shared: false }, 'no mountinfo: "/", not shared');
});
