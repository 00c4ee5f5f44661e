import t from 'tap';
import { CAPABILITY_NAMES, capabilityBit, capabilityMask } from '../../../src/kernel/capabilities.ts';

t.test('bit numbers follow linux/capability.h', async (t) => {
  t.equal(CAPABILITY_NAMES.length, 41);
  t.equal(capabilityBit('CAP_CHOWN'), 0);
  t.equal(capabilityBit('CAP_KILL'), 5);
  t.equal(capabilityBit('CAP_NET_BIND_SERVICE'), 10);
  t.equal(capabilityBit('CAP_SYS_ADMIN'), 21);
  t.equal(capabilityBit('CAP_AUDIT_WRITE'), 29);
  t.equal(capabilityBit('CAP_CHECKPOINT_RESTORE'), 40);
  t.equal(capabilityBit('CAP_FOO'), undefined);
  t.equal(capabilityBit('toString'), undefined);
});

t.test('capabilityMask', async (t) => {
  t.equal(capabilityMask([]), 0n);
  t.equal(capabilityMask(['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']), (1n << 29n) | (1n << 5n) | (1n << 10n));
  t.equal(capabilityMask(['CAP_KILL', 'CAP_KILL']), 1n << 5n, 'a repeated name counts once');
  t.equal(capabilityMask([...CAPABILITY_NAMES]), (1n << 41n) - 1n, 'all 41 bits');
  t.throws(() => capabilityMask(['CAP_KILL', 'CAP_FOO']), { message: 'unknown capability "CAP_FOO"' });
});
