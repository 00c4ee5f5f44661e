// runtime.md: state, lifecycle, errors and the five operations.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectEq, expectTrue, fail, type Case } from '../lib/case.ts';
import type { Ctx } from '../lib/context.ts';
import { pidAlive, sleep } from '../lib/exec.ts';

const S = 'runtime.md' as const;

/** A process that stays up until killed: the probe sleeping. */
function longRunning(ctx: Ctx, secs = 30): void {
  ctx.config.process.args = ['/bin/probe', 'pid', `sleep=${secs}`];
}

async function created(ctx: Ctx, id = ctx.id): Promise<Record<string, any>> {
  const c = await ctx.create({ id });
  ctx.must(c, 'create');
  const { state, res } = await ctx.state(id);
  if (!state) fail(`state after create failed: ${res.summary}`);
  return state;
}

async function running(ctx: Ctx, id = ctx.id): Promise<Record<string, any>> {
  longRunning(ctx);
  await created(ctx, id);
  ctx.must(await ctx.start(id), 'start');
  const st = await ctx.waitStatus('running', id, 2000);
  if (st?.status !== 'running') fail(`status after start: ${JSON.stringify(st?.status)}, expected "running"`);
  return st;
}

/** Kills the process and waits for `stopped`. */
async function stopped(ctx: Ctx, id = ctx.id): Promise<Record<string, any>> {
  await running(ctx, id);
  ctx.must(await ctx.kill('KILL', id), 'kill KILL');
  const st = await ctx.waitStatus('stopped', id);
  if (st?.status !== 'stopped') fail(`status after the process was killed: ${JSON.stringify(st?.status)}, expected "stopped"`);
  return st;
}

function isError(r: { code: number | null; timedOut: boolean }): boolean {
  return r.code !== 0 && !r.timedOut;
}

export const runtimeCases: Case[] = [
  {
    id: 'scope-same-entity',
    spec: S,
    section: 'scope-of-a-container',
    level: 'MUST',
    requirement:
      'The entity using a runtime to create a container MUST be able to use the operations defined in this specification against that same container.',
    async run(ctx) {
      longRunning(ctx);
      await created(ctx);
      ctx.must(await ctx.start(), 'start');
      ctx.must((await ctx.state()).res, 'state');
      ctx.must(await ctx.kill('KILL'), 'kill');
      await ctx.waitStatus('stopped');
      ctx.must(await ctx.delete(), 'delete');
    },
  },
  {
    id: 'state-properties',
    spec: S,
    section: 'state',
    level: 'REQUIRED',
    requirement:
      'The state of a container includes ociVersion (string, REQUIRED), id (string, REQUIRED), status (string, REQUIRED), pid (int, REQUIRED on Linux when status is created or running), bundle (string, REQUIRED: the absolute path to the bundle).',
    async run(ctx) {
      longRunning(ctx);
      const st = await created(ctx);
      expectTrue(typeof st.ociVersion === 'string' && st.ociVersion.length > 0, `ociVersion: observed ${JSON.stringify(st.ociVersion)}`);
      expectEq(st.id, ctx.id, 'id');
      expectEq(st.status, 'created', 'status');
      expectTrue(Number.isInteger(st.pid) && st.pid > 0, `pid: observed ${JSON.stringify(st.pid)}, expected a positive int`);
      expectTrue(pidAlive(st.pid as number), `pid ${st.pid} is not a live process on the host`);
      expectEq(st.bundle, ctx.bundle, 'bundle (absolute path of the bundle)');
    },
  },
  {
    id: 'state-annotations',
    spec: S,
    section: 'state',
    level: 'MUST',
    requirement:
      'annotations (map, OPTIONAL) contains the list of annotations associated with the container. If no annotations were provided then this property MAY either be absent or an empty map.',
    async run(ctx) {
      const st = await created(ctx, ctx.newId());
      expectTrue(st.annotations === undefined || JSON.stringify(st.annotations) === '{}', `without annotations: observed ${JSON.stringify(st.annotations)}`);
      const ann = { 'org.example.conformance': 'yes', 'com.example.other': 'a b c' };
      ctx.config.annotations = ann;
      const st2 = await created(ctx);
      expectEq(st2.annotations, ann, 'annotations in state');
    },
  },
  {
    id: 'state-status-values',
    spec: S,
    section: 'state',
    level: 'MUST',
    requirement:
      'status: creating, created, running, stopped. Additional values MAY be defined by the runtime, however, they MUST be used to represent new runtime states not defined above.',
    async run(ctx) {
      const seen: string[] = [];
      longRunning(ctx);
      seen.push((await created(ctx)).status);
      ctx.must(await ctx.start(), 'start');
      seen.push((await ctx.state()).state?.status);
      ctx.must(await ctx.kill('KILL'), 'kill');
      seen.push((await ctx.waitStatus('stopped'))?.status);
      expectEq(seen, ['created', 'running', 'stopped'], 'status after create, start, kill');
    },
  },
  {
    id: 'lifecycle-create-no-user-code',
    spec: S,
    section: 'lifecycle',
    level: 'MUST NOT',
    requirement: 'While the resources requested in the config.json MUST be created, the user-specified program (from process) MUST NOT be run at this time.',
    async run(ctx) {
      ctx.config.process.args = ['/bin/sh', '-c', 'echo ran > /ran; /bin/probe pid'];
      const c = await ctx.create();
      ctx.must(c, 'create');
      await sleep(300);
      expectTrue(!fs.existsSync(path.join(ctx.rootfs, 'ran')), 'the program ran before start');
      ctx.must(await ctx.start(), 'start');
      await ctx.waitStatus('stopped');
      expectTrue(fs.existsSync(path.join(ctx.rootfs, 'ran')), 'the program did not run after start');
    },
  },
  {
    id: 'lifecycle-config-updates-ignored',
    spec: S,
    section: 'lifecycle',
    level: 'MUST NOT',
    requirement: 'Any updates to config.json after this step MUST NOT affect the container.',
    async run(ctx) {
      ctx.config.process.args = ['/bin/probe', 'uts', 'env'];
      ctx.config.process.env.push('CONFORMANCE=before');
      const c = await ctx.create();
      ctx.must(c, 'create');
      const changed = JSON.parse(JSON.stringify(ctx.config)) as Record<string, any>;
      changed.hostname = 'changed';
      changed.process.env = ['CONFORMANCE=after'];
      ctx.writeConfig(changed);
      ctx.must(await ctx.start(), 'start');
      await ctx.waitStatus('stopped');
      const out = fs.readFileSync(c.out, 'utf8');
      expectTrue(out.includes('"conformance"') && out.includes('CONFORMANCE=before'), `process saw the updated config: ${out.slice(0, 300)}`);
    },
  },
  {
    id: 'lifecycle-create-error',
    spec: S,
    section: 'lifecycle',
    level: 'MUST',
    requirement: 'If the runtime is unable to create the environment specified in the config.json, it MUST generate an error.',
    async run(ctx) {
      ctx.config.mounts.push({ destination: '/mnt/x', type: 'bind', source: ctx.file('does-not-exist'), options: ['bind'] });
      const c = await ctx.create();
      expectTrue(isError(c), `create with a bind mount of a missing source: ${c.summary}`);
    },
  },
  {
    id: 'errors-no-side-effects',
    spec: S,
    section: 'errors',
    level: 'MUST',
    requirement:
      'Unless otherwise stated, generating an error MUST leave the state of the environment as if the operation were never attempted - modulo any possible trivial ancillary changes such as logging.',
    async run(ctx) {
      ctx.config.mounts.push({ destination: '/mnt/x', type: 'bind', source: ctx.file('does-not-exist'), options: ['bind'] });
      const c = await ctx.create();
      expectTrue(isError(c), `create was expected to fail: ${c.summary}`);
      const { state } = await ctx.state();
      expectTrue(state === undefined, `state of the failed container still answers: ${JSON.stringify(state)}`);
      const left = fs.existsSync(ctx.root) ? fs.readdirSync(ctx.root) : [];
      expectTrue(left.length === 0, `runtime root has entries after the failed create: ${left.join(', ')}`);
      // The same id must be usable again, as if nothing happened.
      ctx.config.mounts.pop();
      const again = await ctx.create();
      ctx.must(again, 'create with the same id after the failure');
    },
  },
  {
    id: 'state-no-id',
    spec: S,
    section: 'query-state',
    level: 'MUST',
    requirement: 'This operation MUST generate an error if it is not provided the ID of a container.',
    async run(ctx) {
      const r = await ctx.rt(['state']);
      expectTrue(isError(r), `state without an id: ${r.summary}`);
    },
  },
  {
    id: 'state-not-exist',
    spec: S,
    section: 'query-state',
    level: 'MUST',
    requirement: 'Attempting to query a container that does not exist MUST generate an error.',
    async run(ctx) {
      const r = await ctx.rt(['state', 'no-such-container']);
      expectTrue(isError(r), `state of a missing container: ${r.summary}`);
    },
  },
  {
    id: 'state-returns-state',
    spec: S,
    section: 'query-state',
    level: 'MUST',
    requirement: 'This operation MUST return the state of a container as specified in the State section.',
    async run(ctx) {
      const st = await running(ctx);
      for (const k of ['ociVersion', 'id', 'status', 'pid', 'bundle']) expectTrue(k in st, `state lacks ${k}: ${JSON.stringify(st)}`);
      expectTrue(pidAlive(st.pid as number), `state pid ${st.pid} is not alive`);
      const stat = fs.readFileSync(`/proc/${st.pid}/cmdline`, 'utf8');
      expectTrue(stat.startsWith('/bin/probe'), `pid ${st.pid} is not the container process (cmdline ${JSON.stringify(stat)})`);
    },
  },
  {
    id: 'create-missing-args',
    spec: S,
    section: 'create',
    level: 'MUST',
    requirement: 'This operation MUST generate an error if it is not provided a path to the bundle and the container ID to associate with the container.',
    async run(ctx) {
      ctx.writeConfig();
      const noId = await ctx.rt(['create', '--bundle', ctx.bundle]);
      expectTrue(isError(noId), `create without an id: ${noId.summary}`);
      // Without --bundle runc-compatible runtimes use the cwd; an empty cwd has no config.
      const empty = ctx.file('empty');
      fs.mkdirSync(empty);
      const noBundle = await ctx.rt(['create', '--bundle', empty, ctx.newId()]);
      expectTrue(isError(noBundle), `create with a bundle path holding no config.json: ${noBundle.summary}`);
    },
  },
  {
    id: 'create-unique-id',
    spec: S,
    section: 'create',
    level: 'MUST',
    requirement:
      'If the ID provided is not unique across all containers within the scope of the runtime, or is not valid in any other way, the implementation MUST generate an error and a new container MUST NOT be created.',
    async run(ctx) {
      longRunning(ctx);
      const first = await created(ctx);
      const again = await ctx.create();
      expectTrue(isError(again), `second create with the same id: ${again.summary}`);
      const { state } = await ctx.state();
      expectEq(state?.pid, first.pid, 'pid of the existing container after the duplicate create');
      expectEq(state?.status, 'created', 'status of the existing container');
    },
  },
  {
    id: 'create-invalid-id',
    spec: S,
    section: 'create',
    level: 'MUST',
    requirement: 'If the ID provided is ... not valid in any other way, the implementation MUST generate an error and a new container MUST NOT be created.',
    async run(ctx) {
      for (const bad of ['../escape', 'a/b', '']) {
        const c = await ctx.create({ id: bad });
        expectTrue(isError(c), `create with id ${JSON.stringify(bad)}: ${c.summary}`);
      }
      const left = fs.readdirSync(ctx.root);
      expectTrue(left.length === 0, `runtime root has entries: ${left.join(', ')}`);
      expectTrue(!fs.existsSync(path.join(ctx.dir, 'escape')), 'an invalid id created state outside --root');
    },
  },
  {
    id: 'create-applies-config',
    spec: S,
    section: 'create',
    level: 'MUST',
    requirement: 'This operation MUST create a new container. All of the properties configured in config.json except for process MUST be applied.',
    async run(ctx) {
      ctx.config.mounts.push({ destination: '/mnt', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] });
      const st = await created(ctx);
      const pid = st.pid as number;
      for (const t of ['mnt', 'uts', 'ipc', 'net', 'pid']) {
        const ns = fs.readlinkSync(`/proc/${pid}/ns/${t}`);
        expectTrue(ns !== ctx.host.ns[t], `${t} namespace of the created container is the host's (${ns})`);
      }
      const mi = fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
      expectTrue(/ \/mnt .* - tmpfs /.test(mi), 'the tmpfs at /mnt is not mounted after create');
    },
  },
  {
    id: 'create-status-created',
    spec: S,
    section: 'create',
    level: 'MUST',
    requirement: 'Upon successful completion of this operation the status property of this container MUST be created.',
    async run(ctx) {
      expectEq((await created(ctx)).status, 'created', 'status');
    },
  },
  {
    id: 'start-no-id',
    spec: S,
    section: 'start',
    level: 'MUST',
    requirement: 'This operation MUST generate an error if it is not provided the container ID.',
    async run(ctx) {
      const r = await ctx.rt(['start']);
      expectTrue(isError(r), `start without an id: ${r.summary}`);
    },
  },
  {
    id: 'start-not-exist',
    spec: S,
    section: 'start',
    level: 'MUST',
    requirement: 'Attempting to start a container that does not exist MUST generate an error.',
    async run(ctx) {
      const r = await ctx.rt(['start', 'no-such-container']);
      expectTrue(isError(r), `start of a missing container: ${r.summary}`);
    },
  },
  {
    id: 'start-not-created',
    spec: S,
    section: 'start',
    level: 'MUST',
    requirement: 'Attempting to start a container that is not created MUST have no effect on the container and MUST generate an error.',
    async run(ctx) {
      const st = await running(ctx);
      const again = await ctx.start();
      expectTrue(isError(again), `second start of a running container: ${again.summary}`);
      const after = (await ctx.state()).state;
      expectEq([after?.status, after?.pid], ['running', st.pid], 'status and pid after the second start');
      ctx.must(await ctx.kill('KILL'), 'kill');
      await ctx.waitStatus('stopped');
      const third = await ctx.start();
      expectTrue(isError(third), `start of a stopped container: ${third.summary}`);
      expectEq((await ctx.state()).state?.status, 'stopped', 'status after starting a stopped container');
    },
  },
  {
    id: 'start-runs-process',
    spec: S,
    section: 'start',
    level: 'MUST',
    requirement: 'This operation MUST run the user-specified program as specified by process.',
    async run(ctx) {
      ctx.config.process.args = ['/bin/probe', 'pid', 'cwd'];
      const p = await ctx.runConfigured();
      expectEq(p.pid?.pid, 1, 'pid of the process in its new pid namespace');
    },
  },
  {
    id: 'start-no-process',
    spec: S,
    section: 'start',
    level: 'MUST',
    requirement: 'This operation MUST generate an error if process was not set.',
    async run(ctx) {
      delete ctx.config.process;
      const c = await ctx.create();
      const s = await ctx.start();
      expectTrue(isError(s), `start of a container without process: ${s.summary} (create: ${c.summary})`);
      return isError(c) ? 'create already refused the config' : undefined;
    },
  },
  {
    id: 'start-status-running',
    spec: S,
    section: 'start',
    level: 'MUST',
    requirement: 'Upon successful completion of this operation the status property of this container MUST be running.',
    async run(ctx) {
      longRunning(ctx);
      await created(ctx);
      ctx.must(await ctx.start(), 'start');
      expectEq((await ctx.state()).state?.status, 'running', 'status right after start returned');
    },
  },
  {
    id: 'kill-no-id',
    spec: S,
    section: 'kill',
    level: 'MUST',
    requirement: 'This operation MUST generate an error if it is not provided the container ID.',
    async run(ctx) {
      const r = await ctx.rt(['kill']);
      expectTrue(isError(r), `kill without an id: ${r.summary}`);
    },
  },
  {
    id: 'kill-not-exist',
    spec: S,
    section: 'kill',
    level: 'MUST',
    requirement:
      'Attempting to send a signal to a container that is neither created nor running MUST have no effect on the container and MUST generate an error.',
    async run(ctx) {
      const r = await ctx.rt(['kill', 'no-such-container', 'TERM']);
      expectTrue(isError(r), `kill of a missing container: ${r.summary}`);
    },
  },
  {
    id: 'kill-stopped',
    spec: S,
    section: 'kill',
    level: 'MUST',
    requirement:
      'Attempting to send a signal to a container that is neither created nor running MUST have no effect on the container and MUST generate an error.',
    async run(ctx) {
      await stopped(ctx);
      const r = await ctx.kill('TERM');
      expectTrue(isError(r), `kill of a stopped container: ${r.summary}`);
      expectEq((await ctx.state()).state?.status, 'stopped', 'status after the kill');
    },
  },
  {
    id: 'kill-created',
    spec: S,
    section: 'kill',
    level: 'MUST',
    requirement: 'This operation MUST send the specified signal to the container process (a created container may be signalled).',
    async run(ctx) {
      longRunning(ctx);
      const st = await created(ctx);
      ctx.must(await ctx.kill('KILL'), 'kill KILL of a created container');
      const end = await ctx.waitStatus('stopped');
      expectEq(end?.status, 'stopped', 'status after SIGKILL to the created container');
      expectTrue(!pidAlive(st.pid as number), `pid ${st.pid} still alive`);
    },
  },
  {
    id: 'kill-sends-signal',
    spec: S,
    section: 'kill',
    level: 'MUST',
    requirement: 'This operation MUST send the specified signal to the container process.',
    async run(ctx) {
      ctx.config.process.args = ['/bin/sh', '-c', "trap 'echo got-usr1; exit 0' USR1; echo ready; while :; do sleep 0.05; done"];
      const c = await ctx.create();
      ctx.must(c, 'create');
      ctx.must(await ctx.start(), 'start');
      for (let i = 0; i < 40 && !fs.readFileSync(c.out, 'utf8').includes('ready'); i++) await sleep(50);
      ctx.must(await ctx.kill('USR1'), 'kill USR1');
      await ctx.waitStatus('stopped');
      const out = fs.readFileSync(c.out, 'utf8');
      expectTrue(out.includes('got-usr1'), `the process did not see SIGUSR1; output ${JSON.stringify(out)}`);
    },
  },
  {
    id: 'status-stopped-on-exit',
    spec: S,
    section: 'kill',
    level: 'MUST',
    requirement:
      'When the process in the container is stopped, irrespective of it being as a result of a kill operation or any other reason, the status property of this container MUST be stopped.',
    async run(ctx) {
      ctx.config.process.args = ['/bin/true'];
      await created(ctx);
      ctx.must(await ctx.start(), 'start');
      const st = await ctx.waitStatus('stopped');
      expectEq(st?.status, 'stopped', 'status after the process exited by itself');
    },
  },
  {
    id: 'delete-no-id',
    spec: S,
    section: 'delete',
    level: 'MUST',
    requirement: 'This operation MUST generate an error if it is not provided the container ID.',
    async run(ctx) {
      const r = await ctx.rt(['delete']);
      expectTrue(isError(r), `delete without an id: ${r.summary}`);
    },
  },
  {
    id: 'delete-not-exist',
    spec: S,
    section: 'delete',
    level: 'MUST',
    requirement: 'Attempting to delete a container that does not exist MUST generate an error.',
    async run(ctx) {
      const r = await ctx.rt(['delete', 'no-such-container']);
      expectTrue(isError(r), `delete of a missing container: ${r.summary}`);
    },
  },
  {
    id: 'delete-running',
    spec: S,
    section: 'delete',
    level: 'MUST',
    requirement: 'Attempting to delete a container that is not stopped MUST have no effect on the container and MUST generate an error.',
    async run(ctx) {
      const st = await running(ctx);
      const r = await ctx.delete();
      expectTrue(isError(r), `delete of a running container: ${r.summary}`);
      const after = (await ctx.state()).state;
      expectEq([after?.status, after?.pid], ['running', st.pid], 'status and pid after the refused delete');
    },
  },
  {
    id: 'delete-created',
    spec: S,
    section: 'delete',
    level: 'MUST',
    requirement:
      'Attempting to delete a container that is not stopped MUST have no effect on the container and MUST generate an error (a created container is not stopped).',
    async run(ctx) {
      longRunning(ctx);
      const st = await created(ctx);
      const r = await ctx.delete();
      const after = (await ctx.state()).state;
      expectTrue(isError(r), `delete (without --force) of a created container succeeded; state afterwards ${JSON.stringify(after?.status ?? 'gone')}`);
      expectEq([after?.status, after?.pid], ['created', st.pid], 'status and pid after the refused delete');
    },
  },
  {
    id: 'delete-removes-resources',
    spec: S,
    section: 'delete',
    level: 'MUST',
    requirement: 'Deleting a container MUST delete the resources that were created during the create step.',
    async run(ctx) {
      const st = await stopped(ctx);
      const pid = st.pid as number;
      ctx.must(await ctx.delete(), 'delete');
      const { state } = await ctx.state();
      expectTrue(state === undefined, `state still answers after delete: ${JSON.stringify(state)}`);
      expectTrue(pid <= 0 || !pidAlive(pid), `container process ${pid} alive after delete`);
      const left = fs.readdirSync(ctx.root);
      expectTrue(left.length === 0, `runtime root still has ${left.join(', ')}`);
      const { removeCgroups } = await import('../lib/context.ts');
      const cg = removeCgroups(ctx.id, ctx.host);
      expectTrue(cg.length === 0, `cgroups left after delete: ${cg.join('; ')}`);
    },
  },
  {
    id: 'delete-keeps-foreign-resources',
    spec: S,
    section: 'delete',
    level: 'MUST NOT',
    requirement: 'Note that resources associated with the container, but not created by this container, MUST NOT be deleted.',
    async run(ctx) {
      const shared = ctx.file('shared');
      fs.mkdirSync(shared);
      fs.writeFileSync(path.join(shared, 'keep'), 'x');
      ctx.config.mounts.push({ destination: '/shared', type: 'bind', source: shared, options: ['rbind', 'rw'] });
      ctx.config.process.args = ['/bin/sh', '-c', 'echo from-container > /shared/new'];
      await created(ctx);
      ctx.must(await ctx.start(), 'start');
      await ctx.waitStatus('stopped');
      ctx.must(await ctx.delete(), 'delete');
      expectTrue(fs.existsSync(path.join(shared, 'keep')) && fs.existsSync(path.join(shared, 'new')), 'files of the bind-mount source are gone');
      expectTrue(fs.existsSync(path.join(ctx.rootfs, 'bin/probe')), 'the rootfs was removed by delete');
      expectTrue(fs.existsSync(path.join(ctx.bundle, 'config.json')), 'config.json was removed by delete');
    },
  },
  {
    id: 'state-bundle-absolute',
    spec: S,
    section: 'state',
    level: 'REQUIRED',
    requirement: "bundle (string, REQUIRED) is the absolute path to the container's bundle directory. (create given a relative bundle path)",
    async run(ctx) {
      longRunning(ctx);
      ctx.writeConfig();
      const c = await ctx.create({ bundleArg: 'bundle', cwd: ctx.dir, write: false });
      ctx.must(c, 'create --bundle bundle (relative to the working directory)');
      const { state, res } = await ctx.state();
      if (!state) fail(`state after create failed: ${res.summary}`);
      expectEq(state.bundle, ctx.bundle, 'bundle in state (the absolute path of the relative --bundle argument)');
    },
  },
];
