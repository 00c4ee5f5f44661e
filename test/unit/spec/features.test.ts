import t from 'tap';
import { CAPABILITY_NAMES } from '../../../src/plan/capabilities.ts';
import { MOUNT_OPTIONS, PROPAGATION_OPTIONS } from '../../../src/plan/mount-options.ts';
import { featuresDocument } from '../../../src/spec/features.ts';

t.test('versions and hooks', async (t) => {
  const f = featuresDocument();
  t.equal(f.ociVersionMin, '1.0.0');
  t.equal(f.ociVersionMax, '1.2.0');
  t.same(f.hooks, ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']);
});

t.test('mount options are exactly what the mount table understands', async (t) => {
  const f = featuresDocument();
  t.same(new Set(f.mountOptions), new Set([...Object.keys(MOUNT_OPTIONS), ...Object.keys(PROPAGATION_OPTIONS), 'idmap', 'ridmap']));
  t.same(f.mountOptions, [...f.mountOptions].sort(), 'sorted');
  for (const name of ['rbind', 'ro', 'rprivate', 'strictatime', 'nosuid']) t.ok(f.mountOptions.includes(name), name);
  // Filesystem data and options tsrun does not implement stay out.
  for (const name of ['tmpcopyup', 'mode=755', 'rro']) t.notOk(f.mountOptions.includes(name), name);
});

t.test('linux features', async (t) => {
  const { linux } = featuresDocument();
  t.same(linux.namespaces, ['cgroup', 'ipc', 'mount', 'network', 'pid', 'time', 'user', 'uts']);
  t.same(linux.capabilities, [...CAPABILITY_NAMES]);
  t.equal(linux.capabilities.length, 41);
  t.same(linux.cgroup, { v1: false, v2: true, systemd: false, systemdUser: false, rdma: false });
  t.same(linux.seccomp, { enabled: false });
  t.same(linux.apparmor, { enabled: false });
  t.same(linux.selinux, { enabled: false });
  t.same(linux.intelRdt, { enabled: false });
  t.same(linux.mountExtensions, { idmap: { enabled: false } }, 'host facts default to none');
  t.same(linux.netDevices, { enabled: true });
});

t.test('LSMs and idmap as the host reports them', async (t) => {
  const { linux } = featuresDocument({ apparmor: true, selinux: false, idmap: true });
  t.same(linux.apparmor, { enabled: true });
  t.same(linux.selinux, { enabled: false });
  t.same(linux.mountExtensions, { idmap: { enabled: true } });
});

t.test('annotations carry the tsrun version', async (t) => {
  const f = featuresDocument();
  t.match(f.annotations['io.github.tsrun.version'], /^\d+\.\d+\.\d+/);
  t.same(f.potentiallyUnsafeConfigAnnotations, []);
});
