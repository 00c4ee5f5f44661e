// config.md hooks and the hook steps of runtime.md's lifecycle. Every hook is
// `sh -c SCRIPT sh NAME`: it saves its stdin (the state) and appends
// "NAME <mnt ns> <pid ns>" to hooks.log in the rootfs. Host-side hooks reach
// the rootfs through its host path; startContainer runs inside the container.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectEq, expectTrue, fail, type Case } from '../lib/case.ts';
import type { Ctx } from '../lib/context.ts';
import { pidAlive, sleep } from '../lib/exec.ts';

const S = 'config.md' as const;
const SCRIPT =
  'cat > "$HOOKDIR/$1.state.json"; echo "$1 $(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/pid)" >> "$HOOKDIR/hooks.log"; exit ${HOOKEXIT:-0}';

function hook(ctx: Ctx, name: string, o: { inContainer?: boolean; exit?: number } = {}): Record<string, any> {
  const dir = o.inContainer ? '' : ctx.rootfs;
  return {
    path: '/bin/sh',
    args: ['sh', '-c', SCRIPT, 'sh', name],
    env: [`HOOKDIR=${dir}`, `HOOKEXIT=${o.exit ?? 0}`, 'PATH=/usr/sbin:/usr/bin:/sbin:/bin'],
  };
}

interface LogLine {
  name: string;
  mnt: string;
  pid: string;
}

function readLog(ctx: Ctx): LogLine[] {
  const f = path.join(ctx.rootfs, 'hooks.log');
  if (!fs.existsSync(f)) return [];
  return fs
    .readFileSync(f, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [name = '', mnt = '', pid = ''] = l.split(' ');
      return { name, mnt, pid };
    });
}

function names(log: LogLine[]): string[] {
  return log.map((l) => l.name);
}

function hookState(ctx: Ctx, name: string): Record<string, any> | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(ctx.rootfs, `${name}.state.json`), 'utf8')) as Record<string, any>;
  } catch {
    return undefined;
  }
}

const PROCESS = 'echo "process $(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/pid)" >> /hooks.log; sleep 0.3';

function allHooks(ctx: Ctx): void {
  ctx.config.hooks = {
    prestart: [hook(ctx, 'prestart')],
    createRuntime: [hook(ctx, 'createRuntime')],
    createContainer: [hook(ctx, 'createContainer')],
    startContainer: [hook(ctx, 'startContainer', { inContainer: true })],
    poststart: [hook(ctx, 'poststart')],
    poststop: [hook(ctx, 'poststop')],
  };
  ctx.config.process.args = ['/bin/sh', '-c', PROCESS];
}

interface Phases {
  afterCreate: string[];
  afterStart: string[];
  afterDelete: LogLine[];
  containerMnt: string;
  /** The container process as the runtime's `state` reported it after create. */
  containerPid: number;
}

/** The whole lifecycle with one hook of each kind; what the log held after each step. */
async function lifecycle(ctx: Ctx): Promise<Phases> {
  allHooks(ctx);
  ctx.must(await ctx.create(), 'create');
  const afterCreate = names(readLog(ctx));
  const st = (await ctx.state()).state;
  const containerMnt = st?.pid ? fs.readlinkSync(`/proc/${st.pid}/ns/mnt`) : '';
  ctx.must(await ctx.start(), 'start');
  const afterStart = names(readLog(ctx));
  await ctx.waitStatus('stopped');
  ctx.must(await ctx.delete(), 'delete');
  await sleep(50);
  return { afterCreate, afterStart, afterDelete: readLog(ctx), containerMnt, containerPid: (st?.pid as number) ?? 0 };
}

function line(p: Phases, name: string): LogLine {
  const l = p.afterDelete.find((x) => x.name === name);
  if (!l) fail(`hook ${name} was not called; log ${JSON.stringify(names(p.afterDelete))}`);
  return l;
}

function runtimeNs(ctx: Ctx, p: Phases, name: string): void {
  const l = line(p, name);
  // After delete the container's mount namespace is gone and its inode number
  // may be reused, so poststop is checked by its pid namespace only.
  if (name !== 'poststop') expectTrue(l.mnt !== p.containerMnt, `${name} ran in the container's mount namespace ${l.mnt}`);
  expectEq(l.pid, ctx.host.ns.pid, `${name}'s pid namespace (the runtime's)`);
}

export const hookCases: Case[] = [
  {
    id: 'hooks-listed-order',
    spec: S,
    section: 'posix-platform-hooks',
    level: 'MUST',
    area: 'hooks',
    requirement: 'Hooks MUST be called in the listed order.',
    async run(ctx) {
      ctx.config.hooks = {
        createRuntime: [hook(ctx, 'cr1'), hook(ctx, 'cr2'), hook(ctx, 'cr3')],
        poststop: [hook(ctx, 'ps1'), hook(ctx, 'ps2')],
      };
      await ctx.runProbe(['ids']);
      expectEq(names(readLog(ctx)), ['cr1', 'cr2', 'cr3', 'ps1', 'ps2'], 'order of hook calls');
    },
  },
  {
    id: 'hooks-state-stdin',
    spec: S,
    section: 'posix-platform-hooks',
    level: 'MUST',
    area: 'hooks',
    requirement: 'The state of the container MUST be passed to hooks over stdin so that they may do work appropriate to the current state of the container.',
    async run(ctx) {
      await lifecycle(ctx);
      for (const n of ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']) {
        const st = hookState(ctx, n);
        if (!st) fail(`${n} hook got no JSON state on stdin`);
        expectEq([st.id, st.bundle], [ctx.id, ctx.bundle], `${n} state id, bundle`);
        expectTrue(typeof st.ociVersion === 'string' && typeof st.status === 'string', `${n} state lacks ociVersion/status: ${JSON.stringify(st)}`);
        // pid is REQUIRED when status is created or running (runtime.md State).
        if (st.status === 'created' || st.status === 'running')
          expectTrue(Number.isInteger(st.pid) && st.pid > 0, `${n} state (status ${st.status}) pid ${JSON.stringify(st.pid)}`);
      }
    },
  },
  {
    id: 'hooks-env-args',
    spec: S,
    section: 'posix-platform-hooks',
    level: 'MUST',
    area: 'hooks',
    requirement:
      "args (array of strings, OPTIONAL) with the same semantics as IEEE Std 1003.1-2008 execv's argv. env (array of strings, OPTIONAL) with the same semantics as IEEE Std 1003.1-2008's environ.",
    async run(ctx) {
      ctx.config.hooks = { createRuntime: [hook(ctx, 'argv-and-env-ok')] };
      await ctx.runProbe(['ids']);
      expectEq(names(readLog(ctx)), ['argv-and-env-ok'], 'hook log (the name comes from args, the directory from env)');
    },
  },
  {
    id: 'hooks-prestart',
    spec: S,
    section: 'prestart',
    level: 'MUST',
    area: 'hooks',
    requirement:
      'The prestart hooks MUST be called as part of the create operation after the runtime environment has been created (according to the configuration in config.json) but before the pivot_root or any equivalent operation has been executed.',
    async run(ctx) {
      const p = await lifecycle(ctx);
      expectTrue(p.afterCreate.includes('prestart'), `prestart not called during create: ${JSON.stringify(p.afterCreate)}`);
      const i = p.afterCreate.indexOf('prestart');
      const j = p.afterCreate.indexOf('createRuntime');
      expectTrue(j < 0 || i < j, `prestart after createRuntime: ${JSON.stringify(p.afterCreate)}`);
      runtimeNs(ctx, p, 'prestart');
    },
  },
  {
    id: 'hooks-create-runtime',
    spec: S,
    section: 'createruntime-hooks',
    level: 'MUST',
    area: 'hooks',
    requirement:
      "The createRuntime hooks MUST be called as part of the create operation after the runtime environment has been created ... but before the pivot_root or any equivalent operation has been executed. The createRuntime hooks' path MUST resolve in the runtime namespace. The createRuntime hooks MUST be executed in the runtime namespace.",
    async run(ctx) {
      const p = await lifecycle(ctx);
      expectTrue(p.afterCreate.includes('createRuntime'), `createRuntime not called during create: ${JSON.stringify(p.afterCreate)}`);
      expectTrue(!p.afterCreate.includes('process'), 'the process ran before start');
      runtimeNs(ctx, p, 'createRuntime');
    },
  },
  {
    id: 'hooks-create-container',
    spec: S,
    section: 'createcontainer-hooks',
    level: 'MUST',
    area: 'hooks',
    requirement:
      "The createContainer hooks MUST be called after the createRuntime hooks. The createContainer hooks' path MUST resolve in the runtime namespace. The createContainer hooks MUST be executed in the container namespace.",
    async run(ctx) {
      // The hook binary exists only on the host, so it must resolve in the runtime namespace.
      const hostOnly = ctx.file('host-only-hook.sh');
      fs.writeFileSync(hostOnly, `#!/bin/sh\nexec /bin/sh -c '${SCRIPT}' sh "$@"\n`, { mode: 0o755 });
      allHooks(ctx);
      ctx.config.hooks.createContainer = [{ ...hook(ctx, 'createContainer'), path: hostOnly, args: [hostOnly, 'createContainer'] }];
      ctx.must(await ctx.create(), 'create');
      const after = names(readLog(ctx));
      const st = (await ctx.state()).state;
      const mnt = st?.pid ? fs.readlinkSync(`/proc/${st.pid}/ns/mnt`) : '';
      expectTrue(after.includes('createContainer'), `createContainer not called during create (path on the host only): ${JSON.stringify(after)}`);
      expectTrue(after.indexOf('createRuntime') < after.indexOf('createContainer'), `order ${JSON.stringify(after)}`);
      const l = readLog(ctx).find((x) => x.name === 'createContainer');
      expectEq(l?.mnt, mnt, "createContainer's mount namespace (the container's)");
    },
  },
  {
    id: 'hooks-start-container',
    spec: S,
    section: 'startcontainer-hooks',
    level: 'MUST',
    area: 'hooks',
    requirement:
      "The startContainer hooks MUST be called before the user-specified process is executed as part of the start operation. The startContainer hooks' path MUST resolve in the container namespace. The startContainer hooks MUST be executed in the container namespace.",
    async run(ctx) {
      const p = await lifecycle(ctx);
      expectTrue(!p.afterCreate.includes('startContainer'), 'startContainer called during create');
      const all = names(p.afterDelete);
      expectTrue(all.includes('startContainer'), `startContainer not called: ${JSON.stringify(all)}`);
      expectTrue(all.indexOf('startContainer') < all.indexOf('process'), `startContainer after the process: ${JSON.stringify(all)}`);
      expectEq(line(p, 'startContainer').mnt, line(p, 'process').mnt, "startContainer's mount namespace (the container's)");
    },
  },
  {
    id: 'hooks-poststart',
    spec: S,
    section: 'poststart',
    level: 'MUST',
    area: 'hooks',
    requirement:
      "The poststart hooks MUST be called after the user-specified process is executed but before the start operation returns. The poststart hooks' path MUST resolve in the runtime namespace. The poststart hooks MUST be executed in the runtime namespace.",
    async run(ctx) {
      const p = await lifecycle(ctx);
      expectTrue(!p.afterCreate.includes('poststart'), 'poststart called during create');
      expectTrue(p.afterStart.includes('poststart'), `poststart not called before start returned: ${JSON.stringify(p.afterStart)}`);
      expectTrue(
        p.afterStart.indexOf('startContainer') < p.afterStart.indexOf('poststart'),
        `poststart before startContainer: ${JSON.stringify(p.afterStart)}`,
      );
      runtimeNs(ctx, p, 'poststart');
    },
  },
  {
    id: 'hooks-poststop',
    spec: S,
    section: 'poststop',
    level: 'MUST',
    area: 'hooks',
    requirement:
      "The poststop hooks MUST be called after the container is deleted but before the delete operation returns. The poststop hooks' path MUST resolve in the runtime namespace. The poststop hooks MUST be executed in the runtime namespace.",
    async run(ctx) {
      const p = await lifecycle(ctx);
      expectTrue(!p.afterStart.includes('poststop'), 'poststop called before delete');
      const all = names(p.afterDelete);
      expectEq(all[all.length - 1], 'poststop', 'last hook called');
      runtimeNs(ctx, p, 'poststop');
    },
  },
  {
    id: 'lifecycle-create-hook-fails',
    spec: 'runtime.md',
    section: 'lifecycle',
    level: 'MUST',
    area: 'hooks',
    requirement:
      'If any createRuntime hook fails, the runtime MUST generate an error, stop the container, and continue the lifecycle at step 12 (the container is destroyed, then the poststop hooks are invoked).',
    async run(ctx) {
      ctx.config.process.args = ['/bin/probe', 'sleep=30'];
      ctx.config.hooks = { createRuntime: [hook(ctx, 'failing', { exit: 1 })], poststop: [hook(ctx, 'poststop')] };
      const c = await ctx.create();
      expectTrue(c.code !== 0 && !c.timedOut, `create succeeded although a createRuntime hook failed: ${c.summary}`);
      const pid = hookState(ctx, 'failing')?.pid as number | undefined;
      await sleep(100);
      expectTrue(!pid || !pidAlive(pid), `container process ${pid} still alive after the failed create`);
      const { state } = await ctx.state();
      expectTrue(!state || state.status === 'stopped', `container status after the failed create: ${state?.status}`);
      expectTrue(names(readLog(ctx)).includes('poststop'), `poststop hooks not invoked after the failed create: ${JSON.stringify(names(readLog(ctx)))}`);
    },
  },
  {
    id: 'lifecycle-start-container-hook-fails',
    spec: 'runtime.md',
    section: 'lifecycle',
    level: 'MUST',
    area: 'hooks',
    requirement: 'If any startContainer hook fails, the runtime MUST generate an error, stop the container, and continue the lifecycle at step 12.',
    async run(ctx) {
      ctx.config.process.args = ['/bin/sh', '-c', PROCESS];
      ctx.config.hooks = { startContainer: [hook(ctx, 'failing', { inContainer: true, exit: 1 })] };
      ctx.must(await ctx.create(), 'create');
      const s = await ctx.start();
      expectTrue(s.code !== 0 && !s.timedOut, `start succeeded although a startContainer hook failed: ${s.summary}`);
      await sleep(200);
      expectTrue(!names(readLog(ctx)).includes('process'), 'the user process ran after the startContainer hook failed');
      const { state } = await ctx.state();
      expectTrue(!state || state.status === 'stopped', `status after the failed start: ${state?.status}`);
    },
  },
  {
    id: 'lifecycle-poststart-hook-fails',
    spec: 'runtime.md',
    section: 'lifecycle',
    level: 'MUST',
    area: 'hooks',
    requirement: 'If any poststart hook fails, the runtime MUST log a warning, but the remaining hooks and lifecycle continue as if the hook had succeeded.',
    async run(ctx) {
      ctx.config.process.args = ['/bin/probe', 'sleep=30'];
      ctx.config.hooks = { poststart: [hook(ctx, 'failing', { exit: 1 }), hook(ctx, 'second')] };
      ctx.must(await ctx.create(), 'create');
      const s = await ctx.start();
      const { state } = await ctx.state();
      expectTrue(names(readLog(ctx)).includes('second'), `the remaining poststart hook was not called: ${JSON.stringify(names(readLog(ctx)))}`);
      expectEq(state?.status, 'running', `status after a failing poststart hook (start: ${s.summary})`);
    },
  },
  {
    id: 'lifecycle-poststop-hook-fails',
    spec: 'runtime.md',
    section: 'lifecycle',
    level: 'MUST',
    area: 'hooks',
    requirement: 'If any poststop hook fails, the runtime MUST log a warning, but the remaining hooks and lifecycle continue as if the hook had succeeded.',
    async run(ctx) {
      ctx.config.process.args = ['/bin/true'];
      ctx.config.hooks = { poststop: [hook(ctx, 'failing', { exit: 1 }), hook(ctx, 'second')] };
      ctx.must(await ctx.create(), 'create');
      ctx.must(await ctx.start(), 'start');
      await ctx.waitStatus('stopped');
      const d = await ctx.delete();
      expectTrue(names(readLog(ctx)).includes('second'), `the remaining poststop hook was not called: ${JSON.stringify(names(readLog(ctx)))}`);
      const { state } = await ctx.state();
      expectTrue(!state, `container still exists after delete with a failing poststop hook (delete: ${d.summary})`);
    },
  },
  {
    id: 'state-pid-hooks',
    spec: 'runtime.md',
    section: 'state',
    level: 'REQUIRED',
    area: 'hooks',
    requirement:
      'pid (int, REQUIRED when status is created or running on Linux) is the ID of the container process. For hooks executed in the runtime namespace, it is the pid as seen by the runtime. For hooks executed in the container namespace, it is the pid as seen by the container.',
    async run(ctx) {
      const p = await lifecycle(ctx);
      const rt = hookState(ctx, 'createRuntime');
      const inCt = hookState(ctx, 'startContainer');
      if (!rt || !inCt) fail(`hook state missing: createRuntime ${JSON.stringify(rt)}, startContainer ${JSON.stringify(inCt)}`);
      // The base config has a pid namespace: there the container process is 1.
      expectEq(
        [rt.pid, inCt.pid],
        [p.containerPid, 1],
        'state pid given to createRuntime (runtime namespace) and startContainer (container namespace, new pid namespace)',
      );
    },
  },
];
