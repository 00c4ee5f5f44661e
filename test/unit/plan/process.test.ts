import t from 'tap';
import { planIdentity, sysctlPath } from '../../../src/plan/process.ts';

t.test('sysctl keys: dotted or slashed, as sysctl(8) reads them', async (t) => {
  t.equal(sysctlPath('net.ipv4.ip_forward'), 'net/ipv4/ip_forward');
  t.equal(sysctlPath('net.ipv4.conf.eth0/100.forwarding'), 'net/ipv4/conf/eth0.100/forwarding');
  t.equal(sysctlPath('net/ipv4/conf/eth0.100/forwarding'), 'net/ipv4/conf/eth0.100/forwarding');
  t.equal(sysctlPath('kernel.msgmax'), 'kernel/msgmax');
});

t.test('identity: masks, umask default, unlimited rlimits', async (t) => {
  const id = planIdentity({
    cwd: '/',
    user: { uid: 1, gid: 2, additionalGids: [3] },
    capabilities: { bounding: ['CAP_KILL', 'CAP_CHOWN'], ambient: ['CAP_NET_RAW'] },
    // eslint-disable-next-line no-loss-of-precision -- the uint64 maximum as config.json holds it (JSON.parse rounds it)
    rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 18446744073709551615 }],
  });
  t.equal(id.capabilities.bounding, (1n << 5n) | 1n);
  t.equal(id.capabilities.ambient, 1n << 13n);
  t.equal(id.capabilities.effective, 0n);
  t.same(id.user, { uid: 1, gid: 2, umask: 0o022, additionalGids: [3] });
  t.same(id.rlimits, [{ resource: 7, soft: 1024n, hard: 0xffffffffffffffffn }]);
});
