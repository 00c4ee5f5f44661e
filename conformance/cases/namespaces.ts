// config-linux.md: joining existing namespaces by path (one case per type),
// and netDevices (v1.2: host interfaces moved into the container's network
// namespace). Every helper process and interface is removed in cleanup.
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { expectEq, expectTrue, fail, skip, type Case } from '../lib/case.ts';
import { setNamespace } from '../lib/config.ts';
import type { Ctx } from '../lib/context.ts';
import { exec, sleep } from '../lib/exec.ts';

const S = 'config-linux.md' as const;

function isError(r: { code: number | null; timedOut: boolean }): boolean {
  return r.code !== 0 && !r.timedOut;
}

function nsSupported(ctx: Ctx, t: string): boolean | undefined {
  const list = ctx.features?.linux?.namespaces as string[] | undefined;
  return list ? list.includes(t) : undefined;
}

function readlink(p: string): string | undefined {
  try {
    return fs.readlinkSync(p);
  } catch {
    return undefined;
  }
}

/**
 * A host process in a fresh namespace of one type (`unshare FLAGS sleep`).
 * With --fork (pid namespaces) the member is unshare's child, pid 1 there.
 * Returns the pid whose /proc/PID/ns/FILE is the namespace to join.
 */
async function holder(ctx: Ctx, flags: string[], file: string, o: { fork?: boolean; setup?: (pid: number) => void } = {}): Promise<number> {
  const child = spawn('unshare', [...flags, 'sleep', '120'], { detached: true, stdio: 'ignore' });
  ctx.track(child.pid, true); // its process group: unshare and, with --fork, its sleep
  const pid = child.pid;
  if (!pid) fail('could not start unshare');
  let exited = false;
  child.on('exit', () => (exited = true));
  for (let i = 0; i < 100 && !exited; i++) {
    let member = pid;
    if (o.fork) {
      const kids = (() => {
        try {
          return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
        } catch {
          return [];
        }
      })();
      member = kids[0] ?? 0;
    }
    const ns = member ? readlink(`/proc/${member}/ns/${file}`) : undefined;
    if (ns && ns !== ctx.host.ns[file]) {
      o.setup?.(member);
      return member;
    }
    await sleep(20);
  }
  fail(`unshare ${flags.join(' ')} did not enter a new ${file} namespace${exited ? ' (it exited)' : ''}`);
}

interface PathCase {
  type: string;
  file: string;
  flags: string[];
  fork?: boolean;
  /** Config changes joining this type needs. */
  adjust?: (ctx: Ctx) => void;
  setup?: (pid: number) => void;
}

const PATH_CASES: PathCase[] = [
  {
    type: 'mount',
    file: 'mnt',
    flags: ['--mount', '--propagation', 'private'],
  },
  {
    type: 'pid',
    file: 'pid',
    flags: ['--pid', '--fork'],
    fork: true,
  },
  {
    type: 'ipc',
    file: 'ipc',
    flags: ['--ipc'],
  },
  {
    type: 'uts',
    file: 'uts',
    flags: ['--uts'],
    // The hostname belongs to the uts namespace being joined, not the container's.
    adjust: (ctx) => delete ctx.config.hostname,
  },
  {
    type: 'user',
    file: 'user',
    flags: ['--user'],
    // Identity maps for ids 0-65535, written from the host like a runtime
    // would, so the rootfs (owned by 0) and devpts gid 5 are mapped.
    setup: (pid) => {
      fs.writeFileSync(`/proc/${pid}/uid_map`, '0 0 65536\n');
      fs.writeFileSync(`/proc/${pid}/gid_map`, '0 0 65536\n');
    },
  },
];

function pathCase(pc: PathCase): Case {
  return {
    id: `namespaces-path-${pc.type}`,
    spec: S,
    section: 'namespaces',
    level: 'MUST',
    area: pc.type === 'user' ? 'userns' : undefined,
    requirement: `path (string, OPTIONAL) - namespace file. The runtime MUST place the container process in the namespace associated with that path. (type ${pc.type})`,
    async run(ctx) {
      const member = await holder(ctx, pc.flags, pc.file, { fork: pc.fork, setup: pc.setup });
      const nsPath = `/proc/${member}/ns/${pc.file}`;
      const want = readlink(nsPath);
      setNamespace(ctx.config, pc.type, nsPath);
      pc.adjust?.(ctx);
      await ctx.declaredUnsupported(nsSupported(ctx, pc.type), `${pc.type} namespaces`);
      const p = await ctx.runProbe(['ns', 'pid']);
      expectEq(p.ns?.[pc.file], want, `${pc.file} namespace of the container vs ${nsPath}`);
      if (pc.type === 'pid')
        expectTrue(p.pid?.pid !== 1, `the container process is pid 1 in the joined pid namespace, whose pid 1 is the holder (${JSON.stringify(p.pid)})`);
      return `joined ${want}`;
    },
  };
}

/** A host interface pair to hand to the container: veth, else two dummies. */
async function hostInterfaces(ctx: Ctx): Promise<[string, string]> {
  const tag = crypto.randomBytes(3).toString('hex');
  const a = `cf${tag}a`;
  const b = `cf${tag}b`;
  ctx.onCleanup(async () => {
    for (const n of [a, b]) if (fs.existsSync(`/sys/class/net/${n}`)) await exec('ip', ['link', 'del', n], { timeoutMs: 5000 });
  });
  const veth = await exec('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b], { timeoutMs: 5000 });
  if (veth.code === 0) return [a, b];
  const d1 = await exec('ip', ['link', 'add', a, 'type', 'dummy'], { timeoutMs: 5000 });
  const d2 = d1.code === 0 ? await exec('ip', ['link', 'add', b, 'type', 'dummy'], { timeoutMs: 5000 }) : d1;
  if (d2.code === 0) return [a, b];
  skip(`the host kernel can create neither veth nor dummy interfaces to move (${veth.summary}; ${d2.summary})`);
}

export const namespaceCases: Case[] = [
  ...PATH_CASES.map(pathCase),
  {
    id: 'net-devices',
    spec: S,
    section: 'network-devices',
    level: 'MUST',
    requirement:
      "netDevices (object, OPTIONAL) set of network devices that MUST be made available in and under the control of the container's network namespace. The name of the network device is the entry key; name (string, OPTIONAL) is the name inside the container namespace, if not specified the host name is used.",
    async run(ctx) {
      const [a, b] = await hostInterfaces(ctx);
      ctx.config.linux.netDevices = { [a]: { name: 'ctnet0' }, [b]: {} };
      await ctx.declaredUnsupported(ctx.features?.linux?.netDevices?.enabled, 'netDevices');
      ctx.config.process.args = ['/bin/probe', 'ls=/sys/class/net'];
      const c = await ctx.create();
      ctx.must(c, 'create');
      const onHost = [a, b].filter((n) => fs.existsSync(`/sys/class/net/${n}`));
      ctx.must(await ctx.start(), 'start');
      const st = await ctx.waitStatus('stopped');
      if (st?.status !== 'stopped') fail(`container did not stop; last state ${JSON.stringify(st)}`);
      const { parseProbe } = await import('../lib/context.ts');
      const p = parseProbe(fs.readFileSync(c.out, 'utf8'), fs.readFileSync(c.err, 'utf8'));
      ctx.must(await ctx.delete(), 'delete');
      const seen = ((p['ls:/sys/class/net']?.entries ?? []) as string[]).sort();
      expectTrue(
        seen.includes('ctnet0') && seen.includes(b),
        `interfaces in the container: observed ${JSON.stringify(seen)}, expected ctnet0 (host ${a} renamed) and ${b} (name kept)`,
      );
      expectEq(onHost, [], 'interfaces still in the host namespace after create');
    },
  },
  {
    id: 'net-devices-missing',
    spec: S,
    section: 'network-devices',
    level: 'MUST',
    requirement:
      "netDevices: the devices MUST be made available in the container's network namespace; a device that cannot be moved (here: no such interface on the host) leaves the runtime unable to create the environment, so it MUST generate an error.",
    async run(ctx) {
      const name = `cf${crypto.randomBytes(3).toString('hex')}x`;
      ctx.config.linux.netDevices = { [name]: {} };
      const c = await ctx.create();
      const s = c.code === 0 ? await ctx.start() : c;
      expectTrue(isError(s), `netDevices naming a host interface that does not exist (${name}) was accepted (create: ${c.summary})`);
    },
  },
];
