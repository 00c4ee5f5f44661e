import t from 'tap';
import { actionValue, filterFlags, flattenProfile } from '../../../src/plan/seccomp.ts';
import { usesNotify } from '../../../src/spec/seccomp-checks.ts';

t.test('actions are the kernel return values; errno actions carry errnoRet (EPERM by default)', async (t) => {
  t.equal(actionValue('SCMP_ACT_ALLOW', undefined), 0x7fff0000);
  t.equal(actionValue('SCMP_ACT_KILL', undefined), 0);
  t.equal(actionValue('SCMP_ACT_KILL_THREAD', undefined), 0);
  t.equal(actionValue('SCMP_ACT_KILL_PROCESS', undefined), 0x80000000);
  t.equal(actionValue('SCMP_ACT_TRAP', undefined), 0x00030000);
  t.equal(actionValue('SCMP_ACT_LOG', undefined), 0x7ffc0000);
  t.equal(actionValue('SCMP_ACT_NOTIFY', undefined), 0x7fc00000);
  t.equal(actionValue('SCMP_ACT_ERRNO', undefined), 0x00050001);
  t.equal(actionValue('SCMP_ACT_ERRNO', 38), 0x00050026);
  t.equal(actionValue('SCMP_ACT_TRACE', 7), 0x7ff00007);
  t.throws(() => actionValue('SCMP_ACT_NOPE', undefined));
});

t.test("flags: the config's, a listener for notify, TSYNC_ESRCH beside TSYNC then", async (t) => {
  t.equal(filterFlags({ defaultAction: 'SCMP_ACT_ALLOW' }), 0);
  t.equal(filterFlags({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'] }), 6);
  const notify = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] };
  t.ok(usesNotify(notify));
  t.equal(filterFlags(notify), 8);
  t.equal(filterFlags({ ...notify, flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] }), 1 | 8 | 16 | 32);
});

t.test('the flattened profile: one rule per name, args as (index, op, value, valueTwo)', async (t) => {
  const flat = flattenProfile({
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 38,
    architectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_X86'],
    syscalls: [
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
      { names: ['personality'], action: 'SCMP_ACT_ERRNO', errnoRet: 22, args: [{ index: 0, value: 0xff, valueTwo: 8, op: 'SCMP_CMP_MASKED_EQ' }] },
    ],
  });
  const words = Array.from({ length: flat.words.length / 8 }, (_, i) => flat.words.readBigUInt64LE(i * 8));
  t.same(words, [0x00050026n, 3n, 0x7fff0000n, 0n, 0n, 0x7fff0000n, 1n, 0n, 0x00050016n, 2n, 1n, 0n, 7n, 0xffn, 8n]);
  t.same(flat.archs, ['x86', 'x32']);
  t.same(flat.syscalls, ['read', 'write', 'personality']);
  t.same(flat.rulePointers, ['/linux/seccomp/syscalls/0/names/0', '/linux/seccomp/syscalls/0/names/1', '/linux/seccomp/syscalls/1/names/0']);
});
