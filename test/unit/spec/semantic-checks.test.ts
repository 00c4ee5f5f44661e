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
  [
    'ociVersion major must be 1',
    (s) => (s.ociVersion = '2.0.0'),
    [{ pointer: '/ociVersion', reason: 'version 2.0.0 is not supported: tsrun reads runtime-spec 1.x configs' }],
  ],
  ['root is required', (s) => delete s.root, [{ pointer: '', reason: 'missing required property "root": tsrun needs a root filesystem' }]],
  ['root.path must not be empty', (s) => (s.root = { path: '' }), [{ pointer: '/root/path', reason: 'must not be empty' }]],
  ['process is required', (s) => delete s.process, [{ pointer: '', reason: 'missing required property "process": tsrun needs a process to run' }]],
  [
    'process.args is required',
    (s) => delete s.process!.args,
    [{ pointer: '/process', reason: 'missing required property "args": tsrun needs a program to run' }],
  ],
  [
    'process.args must not be empty',
    (s) => (s.process!.args = []),
    [{ pointer: '/process/args', reason: 'must have at least one element, the program to run' }],
  ],
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
  [
    'mount destination must not be empty',
    (s) => s.mounts!.push({ destination: '', type: 'tmpfs', source: 'tmpfs' }),
    [{ pointer: '/mounts/7/destination', reason: 'must not be empty' }],
  ],
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
    "no mount namespace: the runtime's is inherited (config-linux.md)",
    (s) => (linux(s).namespaces = linux(s).namespaces!.filter((ns) => ns.type !== 'mount')),
    [],
  ],
  [
    'netDevices: interface names, one name per device inside, a network namespace',
    (s) => {
      linux(s).namespaces = linux(s).namespaces!.filter((ns) => ns.type !== 'network');
      linux(s).netDevices = { eth9: {}, 'a/b': { name: 'eth9' }, eth1: { name: 'x'.repeat(16) } };
    },
    [
      { pointer: '/linux/netDevices/a~1b', reason: '"a/b" is not a valid interface name' },
      { pointer: '/linux/netDevices/a~1b', reason: '"eth9" is already the name of eth9 in the container' },
      { pointer: '/linux/netDevices/eth1/name', reason: `interface name "${'x'.repeat(16)}" must have 1 to 15 bytes` },
      { pointer: '/linux/netDevices', reason: 'moving network devices needs a network namespace: add {"type": "network"} to /linux/namespaces' },
    ],
  ],
  ['netDevices with a network namespace', (s) => (linux(s).netDevices = { eth9: {}, eth8: { name: 'ctr0' } }), []],
  [
    "idmap without mappings of its own needs the container's",
    (s) => s.mounts!.push({ destination: '/m', type: 'bind', source: '/tmp', options: ['rbind', 'idmap'] }),
    [
      {
        pointer: '/mounts/7',
        reason: "idmap without mappings of its own maps through the container's: add uidMappings/gidMappings here or a user namespace with mappings",
      },
    ],
  ],
  [
    'id-mapped mounts are binds with both mappings',
    (s) => s.mounts!.push({ destination: '/m', type: 'tmpfs', source: 'tmpfs', uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }] }),
    [
      { pointer: '/mounts/7', reason: 'an id-mapped mount must be a bind mount: use type "bind" or the "bind"/"rbind" option' },
      { pointer: '/mounts/7', reason: 'missing gidMappings: an id-mapped mount needs both' },
    ],
  ],
  [
    'an id-mapped bind with its mappings',
    (s) => {
      const map = [{ containerID: 0, hostID: 1000, size: 10 }];
      s.mounts!.push({ destination: '/m', type: 'bind', source: '/tmp', options: ['rbind'], uidMappings: map, gidMappings: map });
    },
    [],
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
    [{ pointer: '/hostname', reason: 'setting the hostname needs a uts namespace: add {"type": "uts"} to /linux/namespaces' }],
  ],
  [
    'hostname and domainname in a joined uts namespace are set there, as runc does',
    (s) => {
      s.domainname = 'example.org';
      linux(s).namespaces![3] = { type: 'uts', path: '/proc/1/ns/uts' };
    },
    [],
  ],
  [
    'net sysctls need a network namespace',
    (s) => {
      linux(s).namespaces = linux(s).namespaces!.filter((ns) => ns.type !== 'network');
      linux(s).sysctl = { 'net.ipv4.ip_forward': '1' };
    },
    [
      {
        pointer: '/linux/sysctl/net.ipv4.ip_forward',
        reason: 'sysctl net.ipv4.ip_forward needs a network namespace: add {"type": "network"} to /linux/namespaces',
      },
    ],
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
    (s) =>
      (linux(s).devices = [
        { path: '/dev/fifo', type: 'p' },
        { path: '/dev/fuse', type: 'c', major: 10 },
      ]),
    [{ pointer: '/linux/devices/1', reason: 'missing required property "minor": a "c" device needs major and minor numbers' }],
  ],
  [
    'device paths must be absolute',
    (s) =>
      (linux(s).devices = [
        { path: 'dev/null', type: 'c', major: 1, minor: 3 },
        { path: '/..', type: 'p' },
      ]),
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
    'resource limits pass (the cgroup manager applies them); unified keys and cgroupsPath are checked',
    (s) => {
      linux(s).resources = {
        devices: [{ allow: false, access: 'rwm' }],
        memory: { limit: 1 << 20, disableOOMKiller: false },
        cpu: { shares: 512, cpus: '0-1' },
        pids: { limit: 10 },
        blockIO: { weight: 100, weightDevice: [] },
        hugepageLimits: [{ pageSize: '2MB', limit: 0 }],
        network: { classID: 1 },
        rdma: { mlx5_1: { hcaHandles: 3 } },
        unified: { 'memory.high': '1M', '../escape': '1', 'a/b': '2' },
      };
      linux(s).cgroupsPath = '/a/../../b';
    },
    [
      { pointer: '/linux/resources/unified/..~1escape', reason: 'a unified key must be a plain cgroup file name (no "/" or "..")' },
      { pointer: '/linux/resources/unified/a~1b', reason: 'a unified key must be a plain cgroup file name (no "/" or "..")' },
      { pointer: '/linux/cgroupsPath', reason: 'cgroupsPath must stay inside the cgroup hierarchy: ".." is not allowed' },
    ],
  ],
  [
    'a systemd cgroupsPath is a clear error',
    (s) => {
      linux(s).cgroupsPath = 'system.slice:tsrun:c1';
    },
    [
      {
        pointer: '/linux/cgroupsPath',
        reason: 'the systemd "slice:prefix:name" form needs the systemd cgroup driver, which tsrun does not have: use a path such as /tsrun/<id>',
      },
    ],
  ],
  [
    'security and scheduling fields tsrun does not apply yet',
    (s) => {
      linux(s).seccomp = { defaultAction: 'SCMP_ACT_ALLOW' };
      s.process!.apparmorProfile = 'docker-default';
      s.process!.selinuxLabel = '';
    },
    [],
  ],
  [
    'ociVersion above what features reports is refused',
    (s) => (s.ociVersion = '1.3.0'),
    [{ pointer: '/ociVersion', reason: 'version 1.3.0 is newer than this tsrun supports (runtime-spec up to 1.2.0, 1.2.x)' }],
  ],
  ['any 1.2 patch release is accepted', (s) => (s.ociVersion = '1.2.1'), []],
  [
    'scheduler rules: nice range, priority only for real-time, deadline fields only for SCHED_DEADLINE',
    (s) => (s.process!.scheduler = { policy: 'SCHED_OTHER', nice: 20, priority: 5, runtime: 1 }),
    [
      { pointer: '/process/scheduler/nice', reason: 'must be between -20 and 19' },
      { pointer: '/process/scheduler/priority', reason: 'a priority needs SCHED_FIFO or SCHED_RR, not SCHED_OTHER' },
      { pointer: '/process/scheduler/runtime', reason: 'runtime needs the SCHED_DEADLINE policy, not SCHED_OTHER' },
    ],
  ],
  [
    'a real-time policy needs a priority from 1 to 99',
    (s) => (s.process!.scheduler = { policy: 'SCHED_FIFO' }),
    [{ pointer: '/process/scheduler/priority', reason: 'must be between 1 and 99 for SCHED_FIFO' }],
  ],
  [
    'ioPriority level and CPU lists',
    (s) => {
      s.process!.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 8 };
      s.process!.execCPUAffinity = { initial: '3-1', final: '0,,1' };
    },
    [
      { pointer: '/process/ioPriority/priority', reason: 'must be between 0 and 7' },
      { pointer: '/process/execCPUAffinity/initial', reason: 'range "3-1" ends before it starts' },
      { pointer: '/process/execCPUAffinity/final', reason: 'empty item in CPU list "0,,1"' },
    ],
  ],
  [
    'personality flags are personality(2) names',
    (s) => (linux(s).personality = { domain: 'LINUX', flags: ['ADDR_NO_RANDOMIZE', 'NO_SUCH_FLAG'] }),
    [
      {
        pointer: '/linux/personality/flags/1',
        reason:
          'unknown personality flag "NO_SUCH_FLAG": must be one of ADDR_COMPAT_LAYOUT, ADDR_LIMIT_32BIT, ADDR_LIMIT_3GB, ADDR_NO_RANDOMIZE, FDPIC_FUNCPTRS, MMAP_PAGE_ZERO, READ_IMPLIES_EXEC, SHORT_INODE, STICKY_TIMEOUTS, UNAME26, WHOLE_SECONDS',
      },
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

// intelRdt is refused only when it asks for something: an empty block, an
// empty closID and false switches ask for nothing, as in runc.
t.test('linux.intelRdt is refused by name only when it sets something', async (t) => {
  const refused = [{ pointer: '/linux/intelRdt', reason: 'not supported yet by tsrun: remove the field' }];
  const rdt = (intelRdt: NonNullable<Spec['linux']>['intelRdt']) => semanticProblems(specWith((s) => (linux(s).intelRdt = intelRdt)));
  t.same(rdt({}), [], 'empty object');
  t.same(rdt({ closID: '', enableCMT: false, enableMBM: false }), [], 'empty string and false');
  t.same(rdt({ closID: 'guaranteed' }), refused, 'a class of service');
  t.same(rdt({ schemata: 'L3:0=7f' }), refused, 'a schema');
  t.same(rdt({ enableCMT: true }), refused, 'monitoring switched on');
});

t.test('processProblems checks an exec process file at its own root', async (t) => {
  t.same(processProblems({ cwd: 'x', user: { uid: 0, gid: 0 }, args: ['sh'] }, []), [{ pointer: '/cwd', reason: 'must be an absolute path, not "x"' }]);
});
