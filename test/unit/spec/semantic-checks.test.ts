import t from 'tap';
import { defaultConfig } from '../../../src/spec/default-config.ts';
import { pointer, processProblems, semanticProblems } from '../../../src/spec/semantic-checks.ts';
import type { Spec } from '../../../src/spec/types.ts';

// A valid config to break one rule at a time: `tsrun spec`'s own.
function specWith(patch: (spec: Spec) => void): Spec {
  const spec = structuredClone(defaultConfig({ rootless: false }));
  patch(spec);
  return spec;
}

function linux(spec: Spec) {
  spec.linux ??= {};
  return spec.linux;
}

const RESOURCES_REASON = 'resource limits are not supported yet by tsrun (no cgroup manager enforces them): remove the field';

t.test('the default and rootless configs have no problems', async (t) => {
  t.same(semanticProblems(defaultConfig({ rootless: false })), []);
  t.same(semanticProblems(defaultConfig({ rootless: true, uid: 1000, gid: 1000 })), []);
});

t.test('pointer escapes ~ and / (RFC 6901)', async (t) => {
  t.equal(pointer('linux', 'sysctl', 'net/ipv4~x'), '/linux/sysctl/net~1ipv4~0x');
  t.equal(pointer(), '');
});

// Each case: a patch that breaks one rule and exactly the problems expected.
const cases: [name: string, patch: (s: Spec) => void, problems: { pointer: string; reason: string }[]][] = [
  ['ociVersion must be SemVer', (s) => (s.ociVersion = '1.2'), [{ pointer: '/ociVersion', reason: 'must be a SemVer version such as "1.2.0", not "1.2"' }]],
  ['ociVersion major must be 1', (s) => (s.ociVersion = '2.0.0'), [{ pointer: '/ociVersion', reason: 'version 2.0.0 is not supported: tsrun reads runtime-spec 1.x configs' }]],
  ['root is required', (s) => delete s.root, [{ pointer: '', reason: 'missing required property "root": tsrun needs a root filesystem' }]],
  ['root.path must not be empty', (s) => (s.root = { path: '' }), [{ pointer: '/root/path', reason: 'must not be empty' }]],
  ['process is required', (s) => delete s.process, [{ pointer: '', reason: 'missing required property "process": tsrun needs a process to run' }]],
  ['process.args is required', (s) => delete s.process!.args, [{ pointer: '/process', reason: 'missing required property "args": tsrun needs a program to run' }]],
  ['process.args must not be empty', (s) => (s.process!.args = []), [{ pointer: '/process/args', reason: 'must have at least one element, the program to run' }]],
  ['process.cwd must be absolute', (s) => (s.process!.cwd = 'tmp'), [{ pointer: '/process/cwd', reason: 'must be an absolute path, not "tmp"' }]],
  [
    'capability names must be known',
    (s) => (s.process!.capabilities!.ambient = ['CAP_KILL', 'CAP_FOO']),
    [{ pointer: '/process/capabilities/ambient/1', reason: 'unknown capability "CAP_FOO"' }],
  ],
  [
    'rlimit names must be known',
    (s) => s.process!.rlimits!.push({ type: 'RLIMIT_FOO', soft: 1, hard: 1 }),
    [{ pointer: '/process/rlimits/1/type', reason: 'unknown rlimit "RLIMIT_FOO"' }],
  ],
  [
    'rlimits must not repeat a type',
    (s) => s.process!.rlimits!.push({ type: 'RLIMIT_NOFILE', soft: 10, hard: 10 }),
    [{ pointer: '/process/rlimits/1/type', reason: 'duplicate rlimit "RLIMIT_NOFILE" (first at /process/rlimits/0)' }],
  ],
  [
    'rlimit soft must not exceed hard',
    (s) => (s.process!.rlimits = [{ type: 'RLIMIT_CORE', soft: 2048, hard: 1024 }]),
    [{ pointer: '/process/rlimits/0/soft', reason: 'soft limit 2048 is above the hard limit 1024' }],
  ],
  ['mount destination must not be empty', (s) => s.mounts!.push({ destination: '', type: 'tmpfs', source: 'tmpfs' }), [{ pointer: '/mounts/7/destination', reason: 'must not be empty' }]],
  [
    'hook paths must be absolute',
    (s) => (s.hooks = { poststop: [{ path: '/bin/true' }, { path: 'bin/true' }] }),
    [{ pointer: '/hooks/poststop/1/path', reason: 'must be an absolute path, not "bin/true"' }],
  ],
  [
    'namespace types must not repeat',
    (s) => linux(s).namespaces!.push({ type: 'pid', path: '/proc/1/ns/pid' }),
    [{ pointer: '/linux/namespaces/6/type', reason: 'duplicate namespace type "pid" (first at /linux/namespaces/0)' }],
  ],
  [
    'namespace paths must be absolute',
    (s) => (linux(s).namespaces![1] = { type: 'network', path: 'netns/x' }),
    [{ pointer: '/linux/namespaces/1/path', reason: 'must be an absolute path, not "netns/x"' }],
  ],
  [
    'a mount namespace is required',
    (s) => (linux(s).namespaces = linux(s).namespaces!.filter((ns) => ns.type !== 'mount')),
    [{ pointer: '/linux/namespaces', reason: 'a mount namespace is required: add {"type": "mount"}' }],
  ],
  [
    'netDevices are refused while tsrun cannot move interfaces, even with no options',
    (s) => ((linux(s) as Record<string, unknown>).netDevices = { eth9: {} }),
    [{ pointer: '/linux/netDevices', reason: 'not supported yet by tsrun: remove the field' }],
  ],
  [
    'idmap mount options are refused while idmapped mounts are not supported',
    (s) => s.mounts!.push({ destination: '/m', type: 'bind', source: '/tmp', options: ['rbind', 'idmap'] }),
    [{ pointer: `/mounts/7/options/1`, reason: 'idmapped mounts are not supported yet by tsrun: remove the option' }],
  ],
  [
    'tmpcopyup on a mount that is not a tmpfs is refused by name',
    (s) => s.mounts!.push({ destination: '/m', type: 'bind', source: '/tmp', options: ['rbind', 'tmpcopyup'] }),
    [{ pointer: `/mounts/7/options/1`, reason: 'tmpcopyup applies to tmpfs mounts only' }],
  ],
  [
    'a new user namespace needs both mappings',
    (s) => {
      linux(s).namespaces!.push({ type: 'user' });
      linux(s).gidMappings = [];
    },
    [
      { pointer: '/linux', reason: 'missing required property "uidMappings": a new user namespace needs them' },
      { pointer: '/linux/gidMappings', reason: 'must not be empty: a new user namespace needs at least one mapping' },
    ],
  ],
  [
    'mappings without a new user namespace',
    (s) => {
      linux(s).namespaces!.push({ type: 'user', path: '/proc/1/ns/user' });
      linux(s).uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
    },
    [{ pointer: '/linux/uidMappings', reason: 'mappings need a new user namespace: add {"type": "user"} without a path to /linux/namespaces' }],
  ],
  [
    'hostname needs a new uts namespace',
    (s) => (linux(s).namespaces = linux(s).namespaces!.filter((ns) => ns.type !== 'uts')),
    [{ pointer: '/hostname', reason: 'setting the hostname needs a new uts namespace: add {"type": "uts"} without a path to /linux/namespaces' }],
  ],
  [
    'domainname in a joined uts namespace',
    (s) => {
      s.domainname = 'example.org';
      delete s.hostname;
      linux(s).namespaces![3] = { type: 'uts', path: '/proc/1/ns/uts' };
    },
    [{ pointer: '/domainname', reason: 'setting the domainname needs a new uts namespace: add {"type": "uts"} without a path to /linux/namespaces' }],
  ],
  [
    'net sysctls need a network namespace',
    (s) => {
      linux(s).namespaces = linux(s).namespaces!.filter((ns) => ns.type !== 'network');
      linux(s).sysctl = { 'net.ipv4.ip_forward': '1' };
    },
    [{ pointer: '/linux/sysctl/net.ipv4.ip_forward', reason: 'sysctl net.ipv4.ip_forward needs a network namespace: add {"type": "network"} to /linux/namespaces' }],
  ],
  [
    'ipc sysctls need an ipc namespace',
    (s) => {
      linux(s).namespaces = linux(s).namespaces!.filter((ns) => ns.type !== 'ipc');
      linux(s).sysctl = { 'kernel.shmmax': '1', 'fs.mqueue.msg_max': '10' };
    },
    [
      { pointer: '/linux/sysctl/kernel.shmmax', reason: 'sysctl kernel.shmmax needs an ipc namespace: add {"type": "ipc"} to /linux/namespaces' },
      { pointer: '/linux/sysctl/fs.mqueue.msg_max', reason: 'sysctl fs.mqueue.msg_max needs an ipc namespace: add {"type": "ipc"} to /linux/namespaces' },
    ],
  ],
  [
    'host-wide sysctls are refused',
    (s) => (linux(s).sysctl = { 'vm.overcommit_memory': '1', 'kernel.hostname': 'x' }),
    [
      { pointer: '/linux/sysctl/vm.overcommit_memory', reason: 'sysctl vm.overcommit_memory is not isolated by a namespace: setting it would change the host' },
      { pointer: '/linux/sysctl/kernel.hostname', reason: 'set the hostname with the "hostname" field, not a sysctl' },
    ],
  ],
  [
    'sysctl names cannot climb out of /proc/sys',
    (s) => (linux(s).sysctl = { 'net/../../etc': 'x' }),
    [{ pointer: '/linux/sysctl/net~1..~1..~1etc', reason: 'not a sysctl name: use dotted parts such as net.ipv4.ip_forward' }],
  ],
  [
    'device major and minor are required unless p',
    (s) => (linux(s).devices = [{ path: '/dev/fifo', type: 'p' }, { path: '/dev/fuse', type: 'c', major: 10 }]),
    [{ pointer: '/linux/devices/1', reason: 'missing required property "minor": a "c" device needs major and minor numbers' }],
  ],
  [
    'device paths must be absolute',
    (s) => (linux(s).devices = [{ path: 'dev/null', type: 'c', major: 1, minor: 3 }, { path: '/..', type: 'p' }]),
    [
      { pointer: '/linux/devices/0/path', reason: 'must be an absolute path, not "dev/null"' },
      { pointer: '/linux/devices/1/path', reason: 'must name a file, not the root directory' },
    ],
  ],
  [
    'rootfsPropagation must be a propagation',
    (s) => (linux(s).rootfsPropagation = 'rbind'),
    [{ pointer: '/linux/rootfsPropagation', reason: 'must be one of private, rprivate, rshared, rslave, runbindable, shared, slave, unbindable' }],
  ],
  [
    'timeOffsets name known clocks and need a new time namespace',
    (s) => (linux(s).timeOffsets = { realtime: { secs: 1 }, boottime: { nanosecs: 1_000_000_000 } }),
    [
      { pointer: '/linux/timeOffsets/realtime', reason: 'unknown clock "realtime": must be one of boottime, monotonic' },
      { pointer: '/linux/timeOffsets/boottime/nanosecs', reason: 'must be below 1000000000' },
      { pointer: '/linux/timeOffsets', reason: 'time offsets need a new time namespace: add {"type": "time"} without a path to /linux/namespaces' },
    ],
  ],
  [
    'masked and readonly paths must be absolute',
    (s) => {
      linux(s).maskedPaths = ['proc/kcore'];
      linux(s).readonlyPaths = ['/proc/sys', 'sys'];
    },
    [
      { pointer: '/linux/maskedPaths/0', reason: 'must be an absolute path, not "proc/kcore"' },
      { pointer: '/linux/readonlyPaths/1', reason: 'must be an absolute path, not "sys"' },
    ],
  ],
  [
    'resource limits are refused field by field',
    (s) =>
      (linux(s).resources = {
        devices: [{ allow: false, access: 'rwm' }],
        memory: { limit: 1 << 20, disableOOMKiller: false },
        cpu: { shares: 512, cpus: '0-1' },
        pids: { limit: 10 },
        blockIO: { weight: 100, weightDevice: [] },
        hugepageLimits: [{ pageSize: '2MB', limit: 0 }],
        network: { classID: 1 },
        rdma: { mlx5_1: { hcaHandles: 3 } },
        unified: { 'memory.high': '1M' },
      }),
    [
      { pointer: '/linux/resources/memory/limit', reason: RESOURCES_REASON },
      { pointer: '/linux/resources/cpu/shares', reason: RESOURCES_REASON },
      { pointer: '/linux/resources/cpu/cpus', reason: RESOURCES_REASON },
      { pointer: '/linux/resources/pids/limit', reason: RESOURCES_REASON },
      { pointer: '/linux/resources/blockIO/weight', reason: RESOURCES_REASON },
      { pointer: '/linux/resources/hugepageLimits', reason: RESOURCES_REASON },
      { pointer: '/linux/resources/network/classID', reason: RESOURCES_REASON },
      { pointer: '/linux/resources/rdma/mlx5_1', reason: RESOURCES_REASON },
      { pointer: '/linux/resources/unified/memory.high', reason: RESOURCES_REASON },
    ],
  ],
  [
    'security and scheduling fields tsrun does not apply yet',
    (s) => {
      linux(s).seccomp = { defaultAction: 'SCMP_ACT_ALLOW' };
      s.process!.apparmorProfile = 'docker-default';
      s.process!.selinuxLabel = '';
      s.mounts![0]!.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
    },
    [
      { pointer: '/linux/seccomp', reason: 'not supported yet by tsrun: remove the field' },
      { pointer: '/process/apparmorProfile', reason: 'not supported yet by tsrun: remove the field' },
      { pointer: '/mounts/0/uidMappings', reason: 'idmapped mounts are not supported yet by tsrun: remove the field' },
    ],
  ],
];

for (const [name, patch, problems] of cases) {
  t.test(name, async (t) => {
    t.same(semanticProblems(specWith(patch)), problems);
  });
}

t.test('accepted forms next to the refused ones', async (t) => {
  const spec = specWith((s) => {
    // Deprecated but allowed (config.md): relative to "/".
    s.mounts!.push({ destination: 'data', type: 'tmpfs', source: 'tmpfs' });
    linux(s).namespaces!.push({ type: 'user' }, { type: 'time' });
    linux(s).uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    linux(s).gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    linux(s).timeOffsets = { monotonic: { secs: 10 }, boottime: { secs: -1, nanosecs: 999_999_999 } };
    // "/" separated sysctl with a dot in an interface name (sysctl(8)).
    linux(s).sysctl = { 'net/ipv4/conf/eth0.100/forwarding': '1', 'kernel.sem': '1 2 3 4', 'kernel.domainname': 'x' };
    linux(s).rootfsPropagation = 'rslave';
    linux(s).devices = [{ path: '/opt/dev/fifo', type: 'p' }];
    linux(s).resources = { devices: [], memory: {}, cpu: {}, blockIO: { weightDevice: [] }, unified: {} };
    s.process!.apparmorProfile = '';
  });
  t.same(semanticProblems(spec), []);
});

t.test('processProblems checks an exec process file at its own root', async (t) => {
  t.same(processProblems({ cwd: 'x', user: { uid: 0, gid: 0 }, args: ['sh'] }, []), [{ pointer: '/cwd', reason: 'must be an absolute path, not "x"' }]);
});
