import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpecError } from '../../../src/errors.ts';
import { loadSpec } from '../../../src/spec/load.ts';
import { defaultConfig } from '../../../src/spec/default-config.ts';
import { seccompProblems } from '../../../src/spec/seccomp-checks.ts';
import { semanticProblems } from '../../../src/spec/semantic-checks.ts';
import type { LinuxSeccomp, Spec } from '../../../src/spec/types.ts';

function specWith(seccomp: LinuxSeccomp): Spec {
  const spec = structuredClone(defaultConfig({ rootless: false }));
  spec.linux!.seccomp = seccomp;
  return spec;
}

t.test('a valid profile, the default one included, has no problems', async (t) => {
  const docker = (await import('../../fixtures/seccomp-docker-default.json', { with: { type: 'json' } })).default as LinuxSeccomp;
  t.same(semanticProblems(specWith(docker)), []);
  t.same(
    seccompProblems(
      specWith({
        defaultAction: 'SCMP_ACT_ERRNO',
        defaultErrnoRet: 38,
        architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
        flags: ['SECCOMP_FILTER_FLAG_LOG'],
        listenerPath: '/run/l.sock',
        syscalls: [
          { names: ['no_such_syscall_anywhere', 'read'], action: 'SCMP_ACT_ALLOW' },
          { names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' },
          { names: ['personality'], action: 'SCMP_ACT_TRACE', errnoRet: 5, args: [{ index: 5, value: 8, valueTwo: 8, op: 'SCMP_CMP_MASKED_EQ' }] },
        ],
      }),
    ),
    [],
    'unknown syscall names are not problems: the compiler skips them',
  );
});

t.test('each broken rule is reported with its JSON pointer', async (t) => {
  const problems = seccompProblems(
    specWith({
      defaultAction: 'SCMP_ACT_ALLOW',
      defaultErrnoRet: 1,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_VAX'],
      flags: ['SECCOMP_FILTER_FLAG_BOGUS', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],
      syscalls: [
        { names: ['read', ''], action: 'SCMP_ACT_ALLOW', errnoRet: 1 },
        { names: ['write'], action: 'SCMP_ACT_DENY' },
        {
          names: ['mkdir'],
          action: 'SCMP_ACT_ERRNO',
          errnoRet: 70000,
          args: [
            { index: 6, value: 1, op: 'SCMP_CMP_EQ' },
            { index: 0, value: 1, op: 'SCMP_CMP_ABOUT' },
          ],
        },
      ],
    }),
  );
  t.same(
    problems.map((p) => p.pointer),
    [
      '/linux/seccomp/defaultErrnoRet',
      '/linux/seccomp/architectures/1',
      '/linux/seccomp/flags/0',
      '/linux/seccomp/syscalls/0/errnoRet',
      '/linux/seccomp/syscalls/0/names/1',
      '/linux/seccomp/syscalls/1/action',
      '/linux/seccomp/syscalls/2/errnoRet',
      '/linux/seccomp/syscalls/2/args/0/index',
      '/linux/seccomp/syscalls/2/args/1/op',
      '/linux/seccomp/flags/1',
    ],
  );
  t.match(problems[0]!.reason, /only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno, not SCMP_ACT_ALLOW/);
  t.match(problems[1]!.reason, /unknown seccomp architecture "SCMP_ARCH_VAX": must be one of .*SCMP_ARCH_X86_64/);
  t.match(problems[5]!.reason, /unknown seccomp action "SCMP_ACT_DENY"/);
  t.match(problems[6]!.reason, /at most 65535/);
  t.match(problems[7]!.reason, /at most 5/);
  t.match(problems[8]!.reason, /unknown seccomp operator "SCMP_CMP_ABOUT"/);
  t.match(problems[9]!.reason, /applies to SCMP_ACT_NOTIFY only/);
});

t.test('SCMP_ACT_NOTIFY needs an absolute listenerPath and cannot be the default', async (t) => {
  t.same(seccompProblems(specWith({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] })), [
    { pointer: '/linux/seccomp', reason: 'missing required property "listenerPath": SCMP_ACT_NOTIFY needs a listener to answer notifications' },
  ]);
  t.same(
    seccompProblems(specWith({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: 'l.sock', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] })).map(
      (p) => p.pointer,
    ),
    ['/linux/seccomp/listenerPath'],
  );
  t.same(
    seccompProblems(specWith({ defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: '/l.sock' })).map((p) => p.pointer),
    ['/linux/seccomp/defaultAction'],
  );
  t.same(seccompProblems(specWith({ defaultAction: 'SCMP_ACT_ALLOW', listenerMetadata: 'x' })), [
    { pointer: '/linux/seccomp/listenerMetadata', reason: 'must not be set without listenerPath' },
  ]);
  t.same(seccompProblems(specWith({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: 'ignored-without-notify' })), [], 'listenerPath without notify is ignored');
});

t.test('loadSpec: a bad profile in config.json names its pointer (schema and semantic checks)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-seccomp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const write = (seccomp: unknown) => {
    const spec = structuredClone(defaultConfig({ rootless: false })) as any;
    spec.linux.seccomp = seccomp;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
  };
  const problemsOf = () => {
    try {
      loadSpec(dir);
    } catch (err) {
      if (err instanceof SpecError) return err.problems.map((p) => p.pointer);
      throw err;
    }
    return [];
  };
  write({ defaultAction: 'SCMP_ACT_BOGUS' });
  t.same(problemsOf(), ['/linux/seccomp/defaultAction']);
  write({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_BAD' }] }] });
  t.same(problemsOf(), ['/linux/seccomp/syscalls/0/args/0/op']);
  write({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_Z80'] });
  t.same(problemsOf(), ['/linux/seccomp/architectures/0']);
  write({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ALLOW', errnoRet: 1 }] });
  t.same(problemsOf(), ['/linux/seccomp/syscalls/0/errnoRet']);
});
