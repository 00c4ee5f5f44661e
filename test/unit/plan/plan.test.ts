// plan(): Spec in, LaunchPlan out, without root. The whole of runc's
// default config, then each decision plan() makes that the C init used to
// make itself (the rootfs propagation truth table).
import t from 'tap';
import { MS } from '../../../src/kernel/mount-flags.ts';
import { plan, rootfsPropagation } from '../../../src/plan/plan.ts';
import { defaultConfig } from '../../../src/spec/default-config.ts';
import type { Spec } from '../../../src/spec/types.ts';

const options = { bundle: '/b', rootfsParentMount: '/', rootfsParentShared: false, noPivot: false, noNewKeyring: false, preserveFds: 0 };

function spec(patch: (s: Spec) => void = () => {}): Spec {
  const s = defaultConfig({ rootless: false });
  patch(s);
  return s;
}

t.test("runc's default config becomes a complete plan", async (t) => {
  const p = plan(spec(), { ...options, containerId: 'c1' });
  t.same(p.args, ['sh']);
  t.same(p.cwd, '/');
  t.match(p.env, [/^PATH=/, 'TERM=xterm']);
  t.equal(p.process.terminal, true);
  t.equal(p.process.noNewPrivileges, true);
  t.equal(p.process.keyringName, '_ses.c1', "runc's session keyring name");
  t.equal(p.process.newKeyring, true);
  t.same(p.user, { uid: 0, gid: 0, umask: p.user.umask, additionalGids: [] });
  t.same(
    p.namespaces.map((n) => n.flag),
    [0x20000000, 0x40000000, 0x08000000, 0x04000000, 0x00020000, 0x02000000],
    'CLONE_NEW* of pid, network, ipc, uts, mount, cgroup: created, in the config order',
  );
  t.ok(p.namespaces.every((n) => n.joinPath === undefined));
  t.equal(p.uidMappings, '', 'no user namespace: no maps');
  t.same(p.rootfs, {
    path: '/b/rootfs',
    parentMount: '',
    readonly: true,
    noPivot: false,
    hostMountNs: false,
    hostPropagation: MS.SLAVE | MS.REC,
    rootPropagation: 0,
  });
  t.same(
    p.mounts.map((m) => m.destination),
    ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup'],
  );
  t.ok(p.maskedPaths.includes('/proc/kcore'));
  t.ok(p.readonlyPaths.includes('/proc/sys'));
  t.equal(p.hostname, 'tsrun');
  t.ok(
    p.rlimits.some((l) => l.resource === 7 && l.soft === 1024n),
    'RLIMIT_NOFILE 1024',
  );
  t.ok(p.capabilities.bounding > 0n && p.capabilities.ambient === 0n);
  t.same(p.hooks, []);
  t.equal(p.seccomp, undefined);
});

t.test('joined namespaces keep their path; a user namespace gets its maps and bound devices', async (t) => {
  const p = plan(
    spec((s) => {
      s.linux!.namespaces = [{ type: 'network', path: '/run/netns/x' }, { type: 'user' }, { type: 'mount' }];
      s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      s.linux!.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }];
    }),
    options,
  );
  t.same(p.namespaces[0], { flag: 0x40000000, joinPath: '/run/netns/x' });
  t.equal(p.uidMappings, '0 100000 65536\n');
  t.equal(p.gidMappings, '0 100000 65536\n');
  t.equal(p.process.keyringPerm, 0x8, 'search for "other" in a user namespace, as runc');
  t.ok(
    p.devices.every((d) => d.bind),
    'mknod is refused in a user namespace: bind the host nodes',
  );
});

t.test('no mount namespace: the host root is left alone', async (t) => {
  const p = plan(
    spec((s) => (s.linux!.namespaces = [{ type: 'pid' }])),
    { ...options, rootfsParentMount: '/b', rootfsParentShared: true },
  );
  t.equal(p.rootfs!.hostMountNs, true);
  t.equal(p.rootfs!.hostPropagation, 0, '"/" is the host\'s: no propagation change');
  t.equal(p.rootfs!.parentMount, '', 'nor is its parent made private');
});

t.test('rootfs propagation: before the bind and after pivot_root', async (t) => {
  const R = MS.REC;
  // configured → [host propagation before the bind, container "/" after pivot_root], own mount namespace
  const table: Array<[string | undefined, number, number]> = [
    [undefined, MS.SLAVE | R, 0],
    ['slave', MS.SLAVE, MS.SLAVE],
    ['rslave', MS.SLAVE | R, MS.SLAVE | R],
    ['private', MS.PRIVATE, MS.PRIVATE],
    ['rprivate', MS.PRIVATE | R, MS.PRIVATE | R],
    ['shared', MS.SHARED, MS.SHARED],
    ['rshared', MS.SHARED | R, MS.SHARED | R],
    // an unbindable "/" would refuse the rootfs bind: rslave until pivot_root
    ['unbindable', MS.SLAVE | R, MS.UNBINDABLE],
    ['runbindable', MS.SLAVE | R, MS.UNBINDABLE | R],
  ];
  for (const [configured, host, root] of table) {
    t.same(rootfsPropagation(configured, false), { host, root }, `${configured ?? '(unset)'}, own mount namespace`);
    t.same(rootfsPropagation(configured, true), { host: 0, root }, `${configured ?? '(unset)'}, the host's mount namespace`);
    const p = plan(
      spec((s) => (configured ? (s.linux!.rootfsPropagation = configured) : delete s.linux!.rootfsPropagation)),
      options,
    );
    t.equal(p.rootfs!.hostPropagation, host, `plan() carries it: ${configured ?? '(unset)'}`);
    t.equal(p.rootfs!.rootPropagation, root);
  }
});

t.test('the rootfs parent is made private only when it would stay shared', async (t) => {
  const shared = { ...options, rootfsParentMount: '/b', rootfsParentShared: true };
  const parentOf = (configured: string | undefined, o = shared) =>
    plan(
      spec((s) => (configured ? (s.linux!.rootfsPropagation = configured) : delete s.linux!.rootfsPropagation)),
      o,
    ).rootfs!.parentMount;
  t.equal(parentOf(undefined), '', 'default rslave covers the parent');
  t.equal(parentOf('rprivate'), '', 'a recursive propagation covers it');
  t.equal(parentOf('slave'), '/b', 'a non-recursive one leaves it shared: private');
  t.equal(parentOf('shared'), '/b', 'shared: pivot_root needs a private parent');
  t.equal(parentOf('slave', { ...shared, rootfsParentShared: false }), '', 'a parent that is not shared is left');
  t.equal(parentOf('slave', { ...shared, rootfsParentMount: '/' }), '', 'the parent is "/" itself: covered');
});

t.test('process options of create reach the plan', async (t) => {
  const p = plan(spec(), { ...options, noPivot: true, noNewKeyring: true, preserveFds: 3 });
  t.equal(p.rootfs!.noPivot, true);
  t.equal(p.process.newKeyring, false);
  t.equal(p.process.preserveFds, 3);
  t.equal(p.process.keyringName, '', 'no id: an anonymous keyring');
  t.throws(() => plan({ ...spec(), process: undefined } as unknown as Spec, options), /no process/);
});

t.test('bind sources are relative to the bundle; other sources are kept as written', async (t) => {
  const p = plan(
    spec((s) => {
      s.mounts = [
        { destination: '/data', type: 'bind', source: 'volumes/data', options: ['rbind'] },
        { destination: '/etc/hosts', source: '/etc/hosts', options: ['bind', 'ro'] },
        { destination: '/tmp', type: 'tmpfs', source: 'tmpfs-name' },
        { destination: '/proc', type: 'proc' },
      ];
    }),
    options,
  );
  t.same(
    p.mounts.map((m) => [m.source, m.bind]),
    [
      ['/b/volumes/data', true],
      ['/etc/hosts', true],
      ['tmpfs-name', false],
      ['proc', false],
    ],
    'relative bind → under the bundle; absolute bind as is; a filesystem source untouched; none → the fstype',
  );
  t.ok(p.mounts[1]!.flags & MS.BIND, 'the "bind" option alone makes a bind mount');
});

t.test('createContainer and startContainer hooks are planned for the init, in order; the others are not', async (t) => {
  const p = plan(
    spec((s) => {
      s.hooks = {
        prestart: [{ path: '/bin/prestart' }],
        createRuntime: [{ path: '/bin/create-runtime' }],
        createContainer: [{ path: '/bin/cc1' }, { path: '/bin/cc2', args: ['cc2', '-v'], env: ['A=1'], timeout: 5 }],
        startContainer: [{ path: '/bin/sc', args: [] }],
        poststart: [{ path: '/bin/poststart' }],
        poststop: [{ path: '/bin/poststop' }],
      };
    }),
    options,
  );
  t.same(p.hooks, [
    { kind: 'createContainer', path: '/bin/cc1', args: ['/bin/cc1'], env: [], timeout: 0 },
    { kind: 'createContainer', path: '/bin/cc2', args: ['cc2', '-v'], env: ['A=1'], timeout: 5 },
    // An empty args list would leave argv[0] unset: the path stands in, as without args.
    { kind: 'startContainer', path: '/bin/sc', args: ['/bin/sc'], env: [], timeout: 0 },
  ]);
});

t.test('time namespace offsets: clock ids of clock_gettime(2), seconds as 64-bit', async (t) => {
  const p = plan(
    spec((s) => {
      s.linux!.namespaces!.push({ type: 'time' });
      s.linux!.timeOffsets = { monotonic: { secs: -86400 }, boottime: { secs: 2 ** 40, nanosecs: 5 } };
    }),
    options,
  );
  t.same(p.timeOffsets, [
    { clock: 1, secs: -86400n, nanosecs: 0 },
    { clock: 7, secs: 2n ** 40n, nanosecs: 5 },
  ]);
  t.same(plan(spec(), options).timeOffsets, [], 'none configured');
});
