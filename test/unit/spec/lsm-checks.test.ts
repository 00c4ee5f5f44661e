import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { processLsmProblems, specLsmProblems } from '../../../src/spec/lsm-checks.ts';
import { readHostLsm } from '../../../src/host/lsm.ts';

const none = { apparmor: false, selinux: false, apparmorAttrDir: false };
const proc = { cwd: '/', user: { uid: 0, gid: 0 } };

t.test('a label for an LSM the host does not run names its field', async (t) => {
  t.same(processLsmProblems({ ...proc, apparmorProfile: 'p' }, none), [
    { pointer: '/process/apparmorProfile', reason: 'AppArmor is not enabled on this host: remove the field or run where AppArmor is enabled' },
  ]);
  t.same(processLsmProblems({ ...proc, apparmorProfile: 'p' }, { ...none, apparmor: true }), []);
  t.same(
    specLsmProblems({ ociVersion: '1.2.0', process: { ...proc, selinuxLabel: 'l' }, linux: { mountLabel: 'm' } }, none).map((p) => p.pointer),
    ['/process/selinuxLabel', '/linux/mountLabel'],
  );
  t.same(specLsmProblems({ ociVersion: '1.2.0', linux: { mountLabel: 'm' } }, { ...none, selinux: true }), []);
  t.same(processLsmProblems({ ...proc, apparmorProfile: '', selinuxLabel: '' }, none), [], 'empty means none');
  t.same(
    processLsmProblems({ ...proc, apparmorProfile: 'p', selinuxLabel: 'l' }, { ...none, apparmor: true, selinux: true }).map((p) => p.reason),
    ['a process takes an AppArmor profile or an SELinux label, not both'],
  );
});

// The probe reads this host: each answer must match the file that decides it
// (AppArmor needs both its securityfs directory and enabled=Y; a missing
// parameter file reads as N).
t.test("readHostLsm reports this host's modules from their kernel files", async (t) => {
  const host = readHostLsm();
  const param = '/sys/module/apparmor/parameters/enabled';
  const apparmorOn = existsSync(param) && readFileSync(param, 'utf8').startsWith('Y');
  t.equal(host.apparmor, existsSync('/sys/kernel/security/apparmor') && apparmorOn);
  t.equal(host.selinux, existsSync('/sys/fs/selinux/enforce'));
  t.equal(host.apparmorAttrDir, existsSync('/proc/thread-self/attr/apparmor'));
  t.equal(processLsmProblems({ ...proc, apparmorProfile: 'p' }, host).length, host.apparmor ? 0 : 1, 'a profile is refused exactly when AppArmor is off');
});
