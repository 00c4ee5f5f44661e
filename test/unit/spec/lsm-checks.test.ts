import t from 'tap';
import { processLsmProblems, specLsmProblems } from '../../../src/spec/lsm-checks.ts';

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
