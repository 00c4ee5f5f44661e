import t from 'tap';
import { planExec } from '../../../src/plan/exec-plan.ts';
import { labelMountData, planLsm } from '../../../src/plan/lsm.ts';
import { plan } from '../../../src/plan/plan.ts';
import { parseCpuList } from '../../../src/kernel/process-attrs.ts';
import { cpuMaskWords, ioPriorityValue, personalityFlags, planProcessAttrs, planScheduler } from '../../../src/plan/process-attrs.ts';
import type { Process, Spec } from '../../../src/spec/types.ts';

const proc = (extra: Partial<Process> = {}): Process => ({ cwd: '/', user: { uid: 0, gid: 0 }, args: ['sh'], ...extra });

t.test('ioprio value: class << 13 | level', async (t) => {
  t.equal(ioPriorityValue({ class: 'IOPRIO_CLASS_BE', priority: 3 }), (2 << 13) | 3);
  t.equal(ioPriorityValue({ class: 'IOPRIO_CLASS_IDLE' }), 3 << 13);
  t.equal(ioPriorityValue({ class: 'IOPRIO_CLASS_RT', priority: 0 }), 1 << 13);
});

t.test('scheduler: policy and flag names to numbers', async (t) => {
  t.same(planScheduler({ policy: 'SCHED_DEADLINE', flags: ['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_DL_OVERRUN'], runtime: 5, deadline: 10, period: 20 }), {
    policy: 6,
    nice: 0,
    priority: 0,
    flags: 0x5n,
    runtime: 5n,
    deadline: 10n,
    period: 20n,
  });
  t.equal(planScheduler({ policy: 'SCHED_RR', priority: 9 }).priority, 9);
});

t.test('CPU lists: ranges, blanks, duplicates, errors', async (t) => {
  t.same(parseCpuList('0-2, 5,1'), [0, 1, 2, 5]);
  t.same(parseCpuList('7'), [7]);
  t.equal(parseCpuList('1-x'), '"1-x" is not a CPU number or range');
  t.equal(parseCpuList('1024'), 'CPU 1024 is above the highest CPU number tsrun can set (1023)');
  t.same(cpuMaskWords([0, 2, 64, 127]), [0b101n, 1n | (1n << 63n)]);
  t.same(cpuMaskWords([]), [0n]);
});

t.test('process attributes of a plan: exec gets execCPUAffinity, create does not (config.md)', async (t) => {
  const p = proc({ execCPUAffinity: { initial: '0', final: ' ' }, ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 1 } });
  t.same(planProcessAttrs(p), { ioPriority: (2 << 13) | 1, cpuAffinity: { initial: [1n] } });
  const exec = planExec(p, [{ type: 'pid' }, { type: 'mount' }], 42, 0);
  t.same(exec.cpuAffinity, { initial: [1n] });
  const spec: Spec = { ociVersion: '1.2.0', root: { path: 'rootfs' }, process: p, linux: { namespaces: [{ type: 'mount' }] } };
  const created = plan(spec, {
    bundle: '/b',
    rootfsParentMount: '/',
    rootfsParentShared: false,
    noPivot: false,
    noNewKeyring: false,
    preserveFds: 0,
    containerId: 'c1',
  });
  t.equal(created.cpuAffinity, undefined);
  t.equal(created.ioPriority, (2 << 13) | 1);
  t.equal(created.process.keyringName, '_ses.c1');
  t.equal(created.process.keyringPerm, 0x80000, 'uid search without a user namespace');
  t.equal(created.rootfs?.hostMountNs, false);
});

t.test('no mount namespace: the plan says so, and exec enters the root directory', async (t) => {
  const spec: Spec = { ociVersion: '1.2.0', root: { path: 'rootfs' }, process: proc(), linux: { namespaces: [{ type: 'pid' }, { type: 'user' }] } };
  const p = plan(spec, { bundle: '/b', rootfsParentMount: '/', rootfsParentShared: false, noPivot: false, noNewKeyring: false, preserveFds: 0 });
  t.equal(p.rootfs?.hostMountNs, true);
  t.equal(p.process.keyringName, '', 'anonymous keyring without a container id');
  t.equal(p.process.keyringPerm, 0x8, 'other search in a user namespace');
  const exec = planExec(proc(), [{ type: 'pid' }], 42, 0);
  t.same(exec.namespaces.at(-1), { flag: 0, joinPath: '/proc/42/root' });
  t.same(planExec(proc(), [{ type: 'mount' }], 42, 0).namespaces, [{ flag: 0x20000, joinPath: '/proc/42/ns/mnt' }]);
});

t.test('personality flags OR into the persona', async (t) => {
  t.equal(personalityFlags(['ADDR_NO_RANDOMIZE', 'UNAME26']), 0x0060000);
  t.equal(personalityFlags(undefined), 0);
});

t.test('LSM: what attr file gets what', async (t) => {
  t.same(planLsm(proc({ apparmorProfile: 'p' }), { apparmorAttrDir: true }), { lsm: { kind: 'apparmor', file: 'apparmor/exec', value: 'exec p' } });
  t.same(planLsm(proc({ apparmorProfile: 'p' }), { apparmorAttrDir: false }).lsm?.file, 'exec');
  t.same(planLsm(proc({ selinuxLabel: 'u:r:t:s0' }), { apparmorAttrDir: true }), { lsm: { kind: 'selinux', file: 'exec', value: 'u:r:t:s0' } });
  t.same(planLsm(proc({ apparmorProfile: '' }), { apparmorAttrDir: true }), {});
  t.equal(labelMountData('mode=755', 'tmpfs', false, 'u:o:t:s0'), 'mode=755,context="u:o:t:s0"');
  t.equal(labelMountData('', 'mqueue', false, 'u:o:t:s0'), 'context="u:o:t:s0"');
  t.equal(labelMountData('', 'proc', false, 'u:o:t:s0'), '');
  t.equal(labelMountData('', '', true, 'u:o:t:s0'), '');
  t.equal(labelMountData('x', 'tmpfs', false, undefined), 'x');
});
