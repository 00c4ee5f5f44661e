// linux.resources.devices is checked with the other semantic checks, so a
// bad rule is refused before create makes a state directory or a cgroup.
import t from 'tap';
import { defaultConfig } from '../../../src/spec/default-config.ts';
import { semanticProblems } from '../../../src/spec/semantic-checks.ts';
import type { LinuxDeviceCgroup } from '../../../src/spec/types.ts';

function problemsOf(devices: LinuxDeviceCgroup[]) {
  const spec = structuredClone(defaultConfig({ rootless: false }));
  spec.linux = { ...spec.linux, resources: { ...spec.linux?.resources, devices } };
  return semanticProblems(spec);
}

const DENY_ALL: LinuxDeviceCgroup = { allow: false, access: 'rwm' };

t.test('valid rules have no problems', async (t) => {
  t.same(
    problemsOf([
      DENY_ALL,
      { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
      { allow: true, type: 'b', major: 8, access: 'r' },
      { allow: true, type: 'c', major: 136, minor: -1, access: 'rw' },
      { allow: true, type: 'a' },
      { allow: false, type: 'c', major: 0xffff_ffff, minor: 0, access: 'm' },
    ]),
    [],
  );
});

t.test('each bad field is named by its JSON pointer, with the reason', async (t) => {
  const cases: [LinuxDeviceCgroup, string, RegExp][] = [
    [{ allow: true, type: 'x' }, '/linux/resources/devices/1/type', /device type "x" must be one of a \(all\), b \(block\), c \(char\)/],
    [{ allow: true, type: 'u' }, '/linux/resources/devices/1/type', /"u" must be one of/],
    [{ allow: true, access: '' }, '/linux/resources/devices/1/access', /device access is empty/],
    [{ allow: true, access: 'rwx' }, '/linux/resources/devices/1/access', /device access "rwx" has "x": use letters from "rwm"/],
    [{ allow: true, access: 'RW' }, '/linux/resources/devices/1/access', /has "R"/],
    [{ allow: true, type: 'c', major: -2 }, '/linux/resources/devices/1/major', /device major -2 must be from 0 to 4294967295, or -1 or absent/],
    [{ allow: true, type: 'c', major: 1, minor: 2 ** 32 }, '/linux/resources/devices/1/minor', /device minor 4294967296 must be from 0 to 4294967295/],
  ];
  for (const [bad, pointer, reason] of cases) {
    const problems = problemsOf([DENY_ALL, bad]);
    t.equal(problems.length, 1, JSON.stringify(bad));
    t.equal(problems[0]?.pointer, pointer, JSON.stringify(bad));
    t.match(problems[0]?.reason, reason, JSON.stringify(bad));
  }
});

t.test('every problem of every rule is reported at once', async (t) => {
  const problems = problemsOf([{ allow: true, type: 'q', major: -5, access: 'z' }, DENY_ALL, { allow: true, minor: -3 }]);
  t.same(
    problems.map((p) => p.pointer),
    ['/linux/resources/devices/0/type', '/linux/resources/devices/0/major', '/linux/resources/devices/0/access', '/linux/resources/devices/2/minor'],
  );
});
