import t from 'tap';
import { CAPABILITY_NAMES } from '../../../src/kernel/capabilities.ts';
import { EXTENSION_OPTIONS, MOUNT_OPTIONS, PROPAGATION_OPTIONS, RECURSIVE_OPTIONS } from '../../../src/kernel/mount-flags.ts';
import type { CgroupLayout } from '../../../src/host/cgroup-layout.ts';
import { featuresDocument as document, hostCgroupFeatures, kernelHasMountSetattr, type SeccompFeatures } from '../../../src/spec/features.ts';

// What libseccomp and the kernel report is the addon's part (tested from
// the CLI in test/integration/seccomp.test.ts); here it is passed through.
const SECCOMP: SeccompFeatures = {
  enabled: true,
  actions: ['SCMP_ACT_ALLOW'],
  operators: ['SCMP_CMP_EQ'],
  archs: ['SCMP_ARCH_X86_64'],
  knownFlags: ['SECCOMP_FILTER_FLAG_LOG'],
  supportedFlags: [],
};
const featuresDocument = (layout?: CgroupLayout, kernelRelease?: string) => document(SECCOMP, undefined, layout, kernelRelease);

t.test('versions and hooks', async (t) => {
  const f = featuresDocument();
  t.equal(f.ociVersionMin, '1.0.0');
  t.equal(f.ociVersionMax, '1.2.0');
  t.same(f.hooks, ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']);
});

t.test('mount options are exactly what the mount tables understand', async (t) => {
  const f = featuresDocument(undefined, '6.1.0');
  const all = [
    ...Object.keys(MOUNT_OPTIONS),
    ...Object.keys(PROPAGATION_OPTIONS),
    ...Object.keys(RECURSIVE_OPTIONS),
    ...Object.keys(EXTENSION_OPTIONS),
    'idmap',
    'ridmap',
  ];
  t.same(new Set(f.mountOptions), new Set(all));
  t.same(f.mountOptions, [...f.mountOptions].sort(), 'sorted');
  for (const name of ['rbind', 'ro', 'rprivate', 'strictatime', 'nosuid', 'rro', 'rnosuid', 'tmpcopyup']) t.ok(f.mountOptions.includes(name), name);
  // Filesystem data and options tsrun does not implement stay out.
  for (const name of ['mode=755']) t.notOk(f.mountOptions.includes(name), name);
});

t.test('the recursive options only where the kernel has mount_setattr (5.12)', async (t) => {
  t.notOk(featuresDocument(undefined, '5.10.0-28-amd64').mountOptions.includes('rro'));
  t.ok(featuresDocument(undefined, '5.12.0').mountOptions.includes('rro'));
  t.ok(featuresDocument(undefined, '6.18.0').mountOptions.includes('rro'));
  t.ok(featuresDocument(undefined, '5.10.0').mountOptions.includes('tmpcopyup'), 'tmpcopyup needs no new syscall');
  t.equal(kernelHasMountSetattr('4.19.0'), false);
  t.equal(kernelHasMountSetattr('5.11.22'), false);
});

t.test('linux features', async (t) => {
  const { linux } = featuresDocument({ v2: '/nonexistent/unified', v1: { memory: '/m', cpu: '/c', name: '/x' } });
  t.same(linux.namespaces, ['cgroup', 'ipc', 'mount', 'network', 'pid', 'time', 'user', 'uts']);
  t.same(linux.capabilities, [...CAPABILITY_NAMES]);
  t.equal(linux.capabilities.length, 41);
  t.same(linux.cgroup, { v1: true, v2: true, systemd: false, systemdUser: false, rdma: false }, 'a hybrid host');
  t.same(linux.seccomp, SECCOMP);
  t.same(linux.apparmor, { enabled: false });
  t.same(linux.selinux, { enabled: false });
  t.same(linux.intelRdt, { enabled: false });
  t.same(linux.mountExtensions, { idmap: { enabled: false } }, 'host facts default to none');
  t.same(linux.netDevices, { enabled: true });
});

t.test('LSMs and idmap as the host reports them', async (t) => {
  const { linux } = document(SECCOMP, { apparmor: true, selinux: false, idmap: true });
  t.same(linux.apparmor, { enabled: true });
  t.same(linux.selinux, { enabled: false });
  t.same(linux.mountExtensions, { idmap: { enabled: true } });
});

t.test('annotations carry the tsrun version', async (t) => {
  const f = featuresDocument();
  t.match(f.annotations['io.github.tsrun.version'], /^\d+\.\d+\.\d+/);
  t.same(f.potentiallyUnsafeConfigAnnotations, []);
});

t.test('linux.cgroup is what the host mounts', async (t) => {
  t.same(hostCgroupFeatures({ v1: {} }), { v1: false, v2: false, systemd: false, systemdUser: false, rdma: false }, 'nothing mounted');
  t.same(hostCgroupFeatures({ v1: { rdma: '/sys/fs/cgroup/rdma' } }).rdma, true, 'rdma as a v1 controller');
  const root = t.testdir({ 'cgroup.controllers': 'cpuset cpu io memory pids rdma\n' });
  t.same(hostCgroupFeatures({ v2: root, v1: {} }), { v1: false, v2: true, systemd: false, systemdUser: false, rdma: true }, 'a unified host with rdma');
});
