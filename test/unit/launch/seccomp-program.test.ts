// libseccomp through the addon (no root needed: nothing is loaded here).
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpecError } from '../../../src/errors.ts';
import { seccompFeatures, seccompProgram } from '../../../src/launch/seccomp-program.ts';
import type { LinuxSeccomp } from '../../../src/spec/types.ts';

const docker = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/seccomp-docker-default.json'), 'utf8')) as LinuxSeccomp;

t.test('the default profile compiles; unknown names are skipped', async (t) => {
  const a = seccompProgram(docker, 'config.json');
  t.equal(a.program.length % 8, 0, 'whole struct sock_filter entries');
  t.ok(a.program.length / 8 > 300, `${a.program.length / 8} instructions`);
  t.equal(a.listener, false);
  const withUnknown = seccompProgram(
    { ...docker, syscalls: [...docker.syscalls!, { names: ['not_a_syscall_anywhere'], action: 'SCMP_ACT_ALLOW' }] },
    'config.json',
  );
  t.same(withUnknown.program, a.program);
});

t.test('compiled programs are cached under the given directory, by profile', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-seccomp-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = seccompProgram(docker, 'config.json', dir);
  const files = readdirSync(dir);
  t.equal(files.length, 1);
  t.match(files[0], /^seccomp-[0-9a-f]{16}\.bpf$/);
  const entry = readFileSync(join(dir, files[0]!));
  t.same(entry.subarray(entry.length - first.program.length), first.program, 'the entry ends with the program');
  t.same(seccompProgram(docker, 'config.json', dir).program, first.program, 'read back');
  seccompProgram({ ...docker, defaultErrnoRet: 38 }, 'config.json', dir);
  t.equal(readdirSync(dir).length, 2, 'another profile, another entry');
});

t.test('a cache entry is used only for the exact profile it was compiled from', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-seccomp-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const allow: LinuxSeccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] };
  const deny: LinuxSeccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['rmdir'], action: 'SCMP_ACT_ERRNO' }] };
  const allowProgram = seccompProgram(allow, 'config.json', dir).program;
  const denyProgram = seccompProgram(deny, 'config.json').program;
  t.notOk(allowProgram.equals(denyProgram), 'two different programs');
  // Another profile's entry under this profile's name (a hash collision,
  // or a stale file): ignored, recompiled, replaced.
  const [allowFile] = readdirSync(dir);
  seccompProgram(deny, 'config.json', dir);
  const denyFile = readdirSync(dir).find((f) => f !== allowFile)!;
  writeFileSync(join(dir, allowFile!), readFileSync(join(dir, denyFile)));
  t.same(seccompProgram(allow, 'config.json', dir).program, allowProgram, 'the wrong entry is not used');
  t.same(seccompProgram(allow, 'config.json', dir).program, allowProgram, 'and was replaced');
  const entry = readFileSync(join(dir, allowFile!));
  t.same(entry.subarray(entry.length - allowProgram.length), allowProgram);
  // A truncated entry is not used either.
  writeFileSync(join(dir, allowFile!), entry.subarray(0, entry.length - 3));
  t.same(seccompProgram(allow, 'config.json', dir).program, allowProgram, 'a torn entry is recompiled');
});

t.test('a rule libseccomp refuses names its pointer', async (t) => {
  // An operator the schema would have refused reaches libseccomp as 0.
  const err = t.throws(() =>
    seccompProgram(
      { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_NOPE' }] }] },
      'config.json',
    ),
  ) as SpecError;
  t.type(err, SpecError);
  t.equal(err.problems[0]!.pointer, '/linux/seccomp/syscalls/0/names/0');
});

t.test('features come from libseccomp and the kernel', async (t) => {
  const f = seccompFeatures();
  t.equal(f.enabled, true);
  t.ok(f.archs.includes('SCMP_ARCH_X86_64'));
  t.ok(f.actions.includes('SCMP_ACT_ERRNO'));
  t.equal(f.operators.length, 7);
  t.same(f.knownFlags, ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV']);
  for (const flag of f.supportedFlags) t.ok(f.knownFlags.includes(flag));
});
