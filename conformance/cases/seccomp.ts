// config-linux.md "Seccomp" beyond a plain filter: defaultErrnoRet, argument
// conditions, flags, and the notify listener (listenerPath, the container
// process state, seccompFd over SCM_RIGHTS). The probe's host mode
// `seccomplisten` is the listener: it records what it received and answers
// every notification with a chosen errno, so the container sees that the
// fd it got was the real one.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { expectEq, expectTrue, fail, skip, type Case } from '../lib/case.ts';
import type { Ctx } from '../lib/context.ts';
import { sleep } from '../lib/exec.ts';

const S = 'config-linux.md' as const;
const ARCHES = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64'];
const PRIO_PROCESS = 0;

function isError(r: { code: number | null; timedOut: boolean }): boolean {
  return r.code !== 0 && !r.timedOut;
}

// What a static probe and a runtime's last steps before execve may call:
// allowed while everything else gets the default errno.
const ALLOWED = (
  'access arch_prctl brk capget capset chdir clock_gettime clock_nanosleep close close_range dup dup2 dup3 epoll_create1 ' +
  'epoll_ctl epoll_pwait execve execveat exit exit_group faccessat faccessat2 fchdir fchown fcntl fstat fstatfs futex ' +
  'getcwd getdents64 getegid geteuid getgid getgroups getpgrp getpid getppid getrandom getresgid getresuid getrlimit ' +
  'gettid gettimeofday getuid ioctl keyctl lseek madvise mmap mprotect munmap nanosleep newfstatat open openat openat2 ' +
  'pipe2 poll ppoll prctl pread64 prlimit64 read readlink readlinkat rseq rt_sigaction rt_sigprocmask rt_sigreturn ' +
  'sched_getaffinity sched_yield seccomp sendmsg set_robust_list set_tid_address setgid setgroups setresgid setresuid ' +
  'setsid setuid sigaltstack stat statfs statx sysinfo tgkill umask uname wait4 waitid write writev'
).split(' ');

async function listener(ctx: Ctx, answer: number): Promise<{ socket: string; out: string; read(): Promise<string> }> {
  const socket = ctx.file('seccomp.sock');
  const out = ctx.file('seccomp.state');
  const child = spawn(ctx.host.probe, ['seccomplisten', socket, out, String(answer)], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  ctx.track(child.pid, true);
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 3000);
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  return {
    socket,
    out,
    async read() {
      for (let i = 0; i < 40 && !fs.existsSync(out); i++) await sleep(50);
      return fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
    },
  };
}

export const seccompCases: Case[] = [
  {
    id: 'seccomp-default-errno-ret',
    spec: S,
    section: 'seccomp',
    level: 'MUST',
    area: 'seccomp',
    requirement:
      'defaultErrnoRet (uint, OPTIONAL) - the errno return code to use. Some actions like SCMP_ACT_ERRNO and SCMP_ACT_TRACE allow to specify the errno code to return.',
    async run(ctx) {
      ctx.config.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ERRNO',
        defaultErrnoRet: 43,
        architectures: ARCHES,
        syscalls: [{ names: ALLOWED, action: 'SCMP_ACT_ALLOW' }],
      };
      await ctx.declaredUnsupported(ctx.features?.linux?.seccomp?.enabled, 'seccomp');
      const p = await ctx.runProbe(['seccomp']);
      expectEq(p.getpriority, { ret: -1, errno: 43 }, 'getpriority(), not in the allow list, under defaultErrnoRet 43');
    },
  },
  {
    id: 'seccomp-args',
    spec: S,
    section: 'seccomp',
    level: 'MUST',
    area: 'seccomp',
    requirement:
      'args (array of objects, OPTIONAL) - the specific syscall in seccomp. ... index (uint, REQUIRED) - the index for syscall arguments in seccomp. value (uint64, REQUIRED) - the value for syscall arguments in seccomp. op (string, REQUIRED) - the operator for syscall arguments in seccomp.',
    async run(ctx) {
      // The probe calls getpriority(PRIO_PROCESS, 0): only the rule whose
      // condition holds for those arguments may decide.
      ctx.config.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ARCHES,
        syscalls: [
          { names: ['getpriority'], action: 'SCMP_ACT_ERRNO', errnoRet: 44, args: [{ index: 0, value: PRIO_PROCESS + 1, op: 'SCMP_CMP_EQ' }] },
          {
            names: ['getpriority'],
            action: 'SCMP_ACT_ERRNO',
            errnoRet: 45,
            args: [
              { index: 0, value: PRIO_PROCESS, op: 'SCMP_CMP_EQ' },
              { index: 1, value: 1, op: 'SCMP_CMP_LT' },
            ],
          },
        ],
      };
      await ctx.declaredUnsupported(ctx.features?.linux?.seccomp?.enabled, 'seccomp');
      const p = await ctx.runProbe(['seccomp']);
      expectEq(p.getpriority, { ret: -1, errno: 45 }, 'getpriority(PRIO_PROCESS, 0) under rules on its arguments');
    },
  },
  {
    id: 'seccomp-flags',
    spec: S,
    section: 'seccomp',
    level: 'MUST',
    area: 'seccomp',
    requirement: 'flags (array of strings, OPTIONAL) - list of flags to use with seccomp(2).',
    async run(ctx) {
      const supported = ctx.features?.linux?.seccomp?.supportedFlags as string[] | undefined;
      if (supported && !supported.includes('SECCOMP_FILTER_FLAG_LOG')) skip('the runtime does not list SECCOMP_FILTER_FLAG_LOG in supportedFlags');
      ctx.config.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        flags: ['SECCOMP_FILTER_FLAG_LOG'],
        syscalls: [{ names: ['getpriority'], action: 'SCMP_ACT_ERRNO', errnoRet: 46 }],
      };
      await ctx.declaredUnsupported(ctx.features?.linux?.seccomp?.enabled, 'seccomp');
      const p = await ctx.runProbe(['status', 'seccomp']);
      expectEq([p.status?.Seccomp, p.getpriority], ['2', { ret: -1, errno: 46 }], 'Seccomp mode and getpriority() with SECCOMP_FILTER_FLAG_LOG');
    },
  },
  {
    id: 'seccomp-listener-ignored',
    spec: S,
    section: 'seccomp',
    level: 'MUST',
    area: 'seccomp',
    requirement: 'If the SCMP_ACT_NOTIFY action is not used this value is ignored.',
    async run(ctx) {
      ctx.config.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        listenerPath: ctx.file('nobody-listens.sock'),
        syscalls: [{ names: ['getpriority'], action: 'SCMP_ACT_ERRNO', errnoRet: 47 }],
      };
      await ctx.declaredUnsupported(ctx.features?.linux?.seccomp?.enabled, 'seccomp');
      const p = await ctx.runProbe(['seccomp']);
      expectEq(p.getpriority, { ret: -1, errno: 47 }, 'getpriority() with an unused listenerPath');
    },
  },
  {
    id: 'seccomp-listener-error',
    spec: S,
    section: 'seccomp',
    level: 'MUST',
    area: 'seccomp',
    requirement: 'If sending to this socket fails, the runtime MUST generate an error.',
    async run(ctx) {
      ctx.config.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        listenerPath: ctx.file('nobody-listens.sock'),
        syscalls: [{ names: ['getpriority'], action: 'SCMP_ACT_NOTIFY' }],
      };
      await ctx.declaredUnsupported(ctx.features?.linux?.seccomp?.enabled, 'seccomp');
      const c = await ctx.create();
      const s = c.code === 0 ? await ctx.start() : c;
      expectTrue(isError(s), `no listener at listenerPath, yet no error (create: ${c.summary})`);
    },
  },
  {
    id: 'seccomp-notify-state',
    spec: S,
    section: 'containerprocessstate',
    level: 'MUST',
    area: 'seccomp',
    requirement:
      'The container runtime MUST send the container process state over the UNIX socket as regular payload serialized in JSON and file descriptors MUST be sent using SCM_RIGHTS. ... seccompFd (string, REQUIRED) is the seccomp file descriptor returned by the seccomp syscall.',
    async run(ctx) {
      const actions = ctx.features?.linux?.seccomp?.actions as string[] | undefined;
      if (actions && !actions.includes('SCMP_ACT_NOTIFY')) skip('the runtime does not list SCMP_ACT_NOTIFY in its features');
      const l = await listener(ctx, 48);
      ctx.config.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ARCHES,
        listenerPath: l.socket,
        listenerMetadata: 'conformance-metadata',
        syscalls: [{ names: ['getpriority'], action: 'SCMP_ACT_NOTIFY' }],
      };
      await ctx.declaredUnsupported(ctx.features?.linux?.seccomp?.enabled, 'seccomp');
      const p = await ctx.runProbe(['seccomp']);
      const text = await l.read();
      const [json, fds] = text.trim().split('\n');
      let state: any;
      try {
        state = JSON.parse(json ?? '');
      } catch {
        fail(`the listener did not receive a JSON container process state: ${JSON.stringify(text)}`);
      }
      expectEq(
        [state.fds, fds, state.metadata, state.state?.id, typeof state.pid, typeof state.ociVersion],
        [['seccompFd'], 'fds 1', 'conformance-metadata', ctx.id, 'number', 'string'],
        'fds, SCM_RIGHTS count, metadata, state.id, pid and ociVersion types',
      );
      expectEq(p.getpriority, { ret: -1, errno: 48 }, 'getpriority() answered by the listener through seccompFd');
    },
  },
];
