// linux.seccomp, seen from inside real containers: denied syscalls, errno
// values, argument filters, SIGSYS, Docker's default profile, exec, the
// notify listener round trip, and hostile profiles that must neither hang
// nor leave anything behind.
import t, { type Test } from 'tap';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeBundle } from '../helpers/bundle.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { runScript } from '../helpers/run-in.ts';
import { Tsrun } from '../helpers/tsrun.ts';

const repo = resolve(import.meta.dirname, '../..');
const dockerDefault = JSON.parse(readFileSync(join(repo, 'test/fixtures/seccomp-docker-default.json'), 'utf8'));
const SIGSYS_STATUS = 128 + 31;

const allowBut = (syscalls: object[], extra: object = {}) => ({ defaultAction: 'SCMP_ACT_ALLOW', syscalls, ...extra });

/** A writable rootfs, so that only seccomp can make mkdir fail. */
function withSeccomp(seccomp: object, more?: (c: any) => void) {
  return (c: any) => {
    c.root.readonly = false;
    c.linux.seccomp = seccomp;
    more?.(c);
  };
}

function buildListener(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-listener-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const exe = join(dir, 'seccomp-listener');
  execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-std=gnu11', '-o', exe, join(repo, 'test/helpers/seccomp-listener.c')]);
  return exe;
}

/** Starts the listener and waits until its socket accepts connections. */
async function startListener(t: Test, exe: string, answer: string, at?: string): Promise<{ socket: string; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-notify-'));
  // A second listener may take over the path of a first (which keeps serving its fd).
  const socket = at ?? join(dir, 'listener.sock');
  const out = join(dir, 'out');
  const child = spawn(exe, [socket, out, answer], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  if (!line.toString().startsWith('ready')) throw new Error(`listener: ${line}`);
  return { socket, out };
}

t.test('seccomp', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  t.test('a denied mkdir fails with EPERM and creates nothing', async (t) => {
    let rootfs = '';
    const r = runScript(t, tsrun, 'mkdir /tmp/denied; echo rc=$?; grep Seccomp: /proc/self/status', (c, b) => {
      rootfs = b.rootfs;
      withSeccomp(allowBut([{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }]))(c);
    });
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, /rc=1\nSeccomp:\s+2/);
    t.match(r.stderr, /Operation not permitted/);
    t.notOk(existsSync(join(rootfs, 'tmp/denied')), 'no directory on the host');
  });

  t.test('errnoRet chooses the errno', async (t) => {
    const r = runScript(t, tsrun, 'mkdir /tmp/x', withSeccomp(allowBut([{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 28 }])));
    t.equal(r.status, 1);
    t.match(r.stderr, /No space left on device/);
  });

  t.test('an argument filter denies personality for one value only', async (t) => {
    // PER_LINUX32 = 8; linux64 asks for PER_LINUX = 0.
    const r = runScript(
      t,
      tsrun,
      'linux32 true; echo linux32=$?; linux64 true; echo linux64=$?',
      withSeccomp(allowBut([{ names: ['personality'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] }])),
    );
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, /linux32=1\nlinux64=0/);
    t.match(r.stderr, /Permission denied/);
  });

  t.test('SCMP_CMP_MASKED_EQ compares (arg & value) with valueTwo', async (t) => {
    const r = runScript(
      t,
      tsrun,
      'linux32 true; echo linux32=$?; linux64 true; echo linux64=$?',
      withSeccomp(allowBut([{ names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 0xff, valueTwo: 8, op: 'SCMP_CMP_MASKED_EQ' }] }])),
    );
    t.match(r.stdout, /linux32=1\nlinux64=0/);
  });

  t.test('SCMP_ACT_KILL_PROCESS: run reports SIGSYS (128+31)', async (t) => {
    // exec: the shell is the process that calls mkdir (busybox runs applets in-process).
    const r = runScript(t, tsrun, 'echo before; exec mkdir /tmp/k', withSeccomp(allowBut([{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_KILL_PROCESS' }])));
    t.equal(r.status, SIGSYS_STATUS, r.stderr);
    t.equal(r.stdout, 'before\n');
  });

  t.test('the other actions, seen from inside', async (t) => {
    const cases: [string, number, RegExp][] = [
      ['SCMP_ACT_TRAP', SIGSYS_STATUS, /^before\n$/],
      ['SCMP_ACT_KILL_THREAD', SIGSYS_STATUS, /^before\n$/],
      ['SCMP_ACT_KILL', SIGSYS_STATUS, /^before\n$/],
      // Allowed after logging: the directory is made.
      ['SCMP_ACT_LOG', 0, /^before\n\/tmp\/a\n$/],
      // Without a tracer the kernel fails the call with ENOSYS.
      ['SCMP_ACT_TRACE', 1, /^before\n$/],
    ];
    for (const [action, status, stdout] of cases) {
      const r = runScript(t, tsrun, 'echo before; exec sh -c "mkdir /tmp/a && ls -d /tmp/a"', withSeccomp(allowBut([{ names: ['mkdir', 'mkdirat'], action }])));
      t.equal(r.status, status, `${action}: ${r.stderr}`);
      t.match(r.stdout, stdout, action);
      if (action === 'SCMP_ACT_TRACE') t.match(r.stderr, /Function not implemented/);
    }
  });

  t.test('invalid profiles: a validation error with its pointer, nothing created', async (t) => {
    const cases: [object, RegExp][] = [
      [{ defaultAction: 'SCMP_ACT_SOMETIMES' }, /\/linux\/seccomp\/defaultAction: must be one of/],
      [
        allowBut([{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_ROUGHLY' }] }]),
        /\/linux\/seccomp\/syscalls\/0\/args\/0\/op: must be one of/,
      ],
      [allowBut([], { architectures: ['SCMP_ARCH_PDP11'] }), /\/linux\/seccomp\/architectures\/0: must be one of/],
      [
        allowBut([{ names: ['read'], action: 'SCMP_ACT_ALLOW', errnoRet: 3 }]),
        /\/linux\/seccomp\/syscalls\/0\/errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE/,
      ],
      [allowBut([{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }]), /\/linux\/seccomp: missing required property "listenerPath"/],
    ];
    for (const [seccomp, want] of cases) {
      const bundle = makeBundle(t, withSeccomp(seccomp));
      const id = tsrun.id();
      const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
      t.equal(r.status, 1);
      t.match(r.stderr, want);
      t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
      t.notOk(tsrun.leftovers().includes(id), 'no state dir');
    }
  });

  t.test("Docker's default profile: /bin/true and a busybox shell script run", async (t) => {
    const bundle = makeBundle(
      t,
      withSeccomp(dockerDefault, (c) => (c.process.args = ['/bin/true'])),
    );
    const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 0, r.stderr);
    const script =
      'for i in 1 2 3; do echo line $i; done | wc -l; mkdir /tmp/d && ls -d /tmp/d; (sleep 0.1; echo sub) & wait; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status';
    const s = runScript(t, tsrun, script, withSeccomp(dockerDefault));
    t.equal(s.status, 0, s.stderr);
    t.match(s.stdout, /^3\n\/tmp\/d\nsub\nNoNewPrivs:\s+1\nSeccomp:\s+2\n$/);
    // Without no_new_privs the filter is loaded before the capabilities go.
    const n = runScript(
      t,
      tsrun,
      'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status',
      withSeccomp(dockerDefault, (c) => (c.process.noNewPrivileges = false)),
    );
    t.equal(n.status, 0, n.stderr);
    t.match(n.stdout, /NoNewPrivs:\s+0\nSeccomp:\s+2/);
  });

  t.test("exec runs under the container's filter", async (t) => {
    const bundle = makeBundle(
      t,
      withSeccomp(allowBut([{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 28 }]), (c) => (c.process.args = ['sleep', '1000'])),
    );
    const id = tsrun.id();
    t.equal(tsrun.run(['run', '-d', '--bundle', bundle.dir, id]).status, 0);
    const r = tsrun.run(['exec', id, 'sh', '-c', 'grep Seccomp: /proc/self/status; mkdir /tmp/e']);
    t.equal(r.status, 1);
    t.match(r.stdout, /Seccomp:\s+2/);
    t.match(r.stderr, /No space left on device/);
    const p = tsrun.run(['exec', '--process', writeProcess(t, { args: ['mkdir', '/tmp/p'], cwd: '/', user: { uid: 0, gid: 0 }, noNewPrivileges: false }), id]);
    t.equal(p.status, 1, 'a --process file gets the filter too, also without no_new_privs');
    t.match(p.stderr, /No space left on device/);
  });

  const gcc = spawnSync('gcc', ['--version']).status === 0;
  t.test('SCMP_ACT_NOTIFY: the listener gets the fd and the state, and answers', { skip: gcc ? false : 'needs gcc to build the listener' }, async (t) => {
    const exe = buildListener(t);
    for (const [answer, script, want] of [
      ['30', 'mkdir /tmp/n; echo rc=$?', /rc=1/],
      ['continue', 'mkdir /tmp/n && ls -d /tmp/n', /\/tmp\/n/],
    ] as const) {
      const listener = await startListener(t, exe, answer);
      let rootfs = '';
      const id = tsrun.id();
      const bundle = makeBundle(t, (c, b) => {
        rootfs = b.rootfs;
        withSeccomp(
          allowBut([{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_NOTIFY' }], { listenerPath: listener.socket, listenerMetadata: 'test-metadata' }),
          (cc) => {
            cc.process.args = ['sh', '-c', script];
          },
        )(c);
      });
      const r = tsrun.run(['run', '--bundle', bundle.dir, id]);
      t.equal(r.status, 0, r.stderr);
      t.match(r.stdout, want, answer);
      const [stateLine, ...rest] = readFileSync(listener.out, 'utf8').trim().split('\n');
      const state = JSON.parse(stateLine!);
      t.same(state.fds, ['seccompFd']);
      t.equal(state.metadata, 'test-metadata');
      t.equal(state.state.id, id);
      t.equal(state.state.bundle, bundle.dir);
      t.ok(state.pid > 0 && state.pid === state.state.pid, 'the container pid');
      t.ok(
        rest.some((l) => /^notified \d+$/.test(l)),
        'the listener saw the call',
      );
      if (answer === '30') {
        t.match(r.stderr, /Read-only file system/, 'the errno the listener chose');
        t.notOk(existsSync(join(rootfs, 'tmp/n')));
      } else {
        t.ok(existsSync(join(rootfs, 'tmp/n')), 'continued: the directory exists on the host');
      }
    }
  });

  t.test(
    "SCMP_ACT_NOTIFY under exec: the exec'd process gets its own listener connection",
    { skip: gcc ? false : 'needs gcc to build the listener' },
    async (t) => {
      const exe = buildListener(t);
      const first = await startListener(t, exe, '30');
      const id = tsrun.id();
      const bundle = makeBundle(
        t,
        withSeccomp(
          allowBut([{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_NOTIFY' }], { listenerPath: first.socket }),
          (c) => (c.process.args = ['sleep', '1000']),
        ),
      );
      t.equal(tsrun.run(['run', '-d', '--bundle', bundle.dir, id]).status, 0);
      const containerPid = tsrun.state(id).pid;
      const second = await startListener(t, exe, '28', first.socket);
      const r = tsrun.run(['exec', id, 'mkdir', '/tmp/x']);
      t.equal(r.status, 1);
      t.match(r.stderr, /No space left on device/, 'answered by the second listener');
      const state = JSON.parse(readFileSync(second.out, 'utf8').split('\n')[0]!);
      t.equal(state.state.pid, containerPid, 'the container state');
      t.not(state.pid, containerPid, "the exec'd process");
      t.equal(state.state.status, 'running');
    },
  );

  t.test('hostile profiles never hang', async (t) => {
    const timed = (seccomp: object, args: string[]) => {
      const bundle = makeBundle(
        t,
        withSeccomp(seccomp, (c) => (c.process.args = args)),
      );
      const started = Date.now();
      const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()], { timeout: 30_000 });
      return { ...r, ms: Date.now() - started };
    };
    // Deny everything, execve included: create says so instead of a SIGSYS nobody sees.
    const all = timed({ defaultAction: 'SCMP_ACT_KILL' }, ['true']);
    t.equal(all.status, 1, all.stderr);
    t.match(all.stderr, /seccomp: the seccomp profile kills execve \(SCMP_ACT_KILL\).*could never start/);
    const errno = timed({ defaultAction: 'SCMP_ACT_ERRNO' }, ['true']);
    t.equal(errno.status, 1);
    t.match(errno.stderr, /denies execve/);
    // Only execve allowed (runc hangs here): the process starts and dies of SIGSYS.
    const onlyExec = timed({ defaultAction: 'SCMP_ACT_KILL_PROCESS', syscalls: [{ names: ['execve'], action: 'SCMP_ACT_ALLOW' }] }, ['true']);
    t.equal(onlyExec.status, SIGSYS_STATUS, onlyExec.stderr);
    // The calls around the init's own end denied: it does not need them after loading.
    const around = timed(allowBut([{ names: ['getcwd', 'close_range', 'write', 'close'], action: 'SCMP_ACT_KILL_PROCESS' }]), ['true']);
    t.equal(around.status, 0, around.stderr);
    // Without no_new_privs the credential calls follow the filter: a killed one is named.
    const caps = timed(allowBut([{ names: ['capset'], action: 'SCMP_ACT_KILL_PROCESS' }]), ['true']);
    t.equal(caps.status, 0, 'no_new_privs: capset happens before the filter');
    const bundle = makeBundle(
      t,
      withSeccomp(allowBut([{ names: ['capset'], action: 'SCMP_ACT_KILL_PROCESS' }]), (c) => (c.process.noNewPrivileges = false)),
    );
    const id = tsrun.id();
    const noNnp = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(noNnp.status, 1);
    t.match(noNnp.stderr, /kills capset/);
    t.notOk(tsrun.leftovers().includes(id), 'nothing left behind');
    // The final CPU affinity is set before the filter, also without no_new_privs.
    const affinity = makeBundle(
      t,
      withSeccomp(allowBut([{ names: ['sched_setaffinity'], action: 'SCMP_ACT_KILL_PROCESS' }]), (c) => {
        c.process.noNewPrivileges = false;
        c.process.execCPUAffinity = { final: '0' };
        c.process.args = ['true'];
      }),
    );
    const aff = tsrun.run(['run', '--bundle', affinity.dir, tsrun.id()]);
    t.equal(aff.status, 0, aff.stderr);
    for (const r of [all, errno, onlyExec, around, caps]) t.ok(r.ms < 20_000, `${r.ms} ms`);
  });

  t.test('features reports seccomp from libseccomp', async (t) => {
    const r = tsrun.run(['features']);
    const f = JSON.parse(r.stdout).linux.seccomp;
    t.equal(f.enabled, true);
    t.ok(f.actions.includes('SCMP_ACT_NOTIFY'));
    t.ok(f.archs.includes('SCMP_ARCH_X86_64'));
    t.ok(f.supportedFlags.includes('SECCOMP_FILTER_FLAG_LOG'));
  });
});

function writeProcess(t: Test, process: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-process-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'process.json');
  writeFileSync(file, JSON.stringify({ env: ['PATH=/bin'], ...process }));
  return file;
}
