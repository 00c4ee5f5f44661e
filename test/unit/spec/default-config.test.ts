import t from 'tap';
import { defaultConfig } from '../../../src/spec/default-config.ts';
import { schemaProblems } from '../../../src/spec/load.ts';
import { semanticProblems } from '../../../src/spec/semantic-checks.ts';

t.test('the default config is what runc spec writes, named tsrun', async (t) => {
  const spec = defaultConfig({ rootless: false });
  t.equal(spec.ociVersion, '1.2.0');
  t.same(spec.root, { path: 'rootfs', readonly: true });
  t.equal(spec.hostname, 'tsrun');
  t.match(spec.process, {
    terminal: true,
    user: { uid: 0, gid: 0 },
    args: ['sh'],
    cwd: '/',
    noNewPrivileges: true,
    rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
  });
  const caps = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
  t.same(spec.process?.capabilities, { bounding: caps, effective: caps, permitted: caps });
  t.same(
    spec.mounts?.map((m) => m.destination),
    ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup'],
  );
  t.same(
    spec.linux?.namespaces?.map((ns) => ns.type),
    ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'],
  );
  t.same(spec.linux?.resources, { devices: [{ allow: false, access: 'rwm' }] });
  t.ok(spec.linux?.maskedPaths?.includes('/proc/kcore'));
  t.ok(spec.linux?.readonlyPaths?.includes('/proc/sys'));
});

t.test('rootless: own user namespace mapping the caller, no network namespace, /sys bound', async (t) => {
  const spec = defaultConfig({ rootless: true, uid: 1000, gid: 1001 });
  t.same(
    spec.linux?.namespaces?.map((ns) => ns.type),
    ['pid', 'ipc', 'uts', 'mount', 'cgroup', 'user'],
  );
  t.same(spec.linux?.uidMappings, [{ containerID: 0, hostID: 1000, size: 1 }]);
  t.same(spec.linux?.gidMappings, [{ containerID: 0, hostID: 1001, size: 1 }]);
  t.equal(spec.linux?.resources, undefined);
  t.same(
    spec.mounts?.find((m) => m.destination === '/sys'),
    {
      destination: '/sys',
      type: 'none',
      source: '/sys',
      options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'],
    },
  );
  t.notOk(spec.mounts?.some((m) => m.options?.some((o) => o.startsWith('gid=') || o.startsWith('uid='))));
});

t.test('rootless without ids maps the calling user', async (t) => {
  const spec = defaultConfig({ rootless: true });
  t.equal(spec.linux?.uidMappings?.[0]?.hostID, process.geteuid?.());
  t.equal(spec.linux?.gidMappings?.[0]?.hostID, process.getegid?.());
});

t.test('both variants pass tsrun’s own validation', async (t) => {
  for (const rootless of [false, true]) {
    const spec = defaultConfig({ rootless, uid: 1000, gid: 1000 });
    t.same(schemaProblems(spec), [], `schema, rootless=${rootless}`);
    t.same(semanticProblems(spec), [], `semantics, rootless=${rootless}`);
  }
});

t.test('each call returns a fresh object', async (t) => {
  const a = defaultConfig({ rootless: false });
  a.process?.capabilities?.bounding?.push('CAP_SYS_ADMIN');
  a.linux?.maskedPaths?.pop();
  const b = defaultConfig({ rootless: false });
  t.equal(b.process?.capabilities?.bounding?.length, 3);
  t.equal(b.linux?.maskedPaths?.length, 11);
});
