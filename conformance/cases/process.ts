// config.md: the Linux process properties added or changed in v1.2
// (apparmorProfile, selinuxLabel, ioPriority, scheduler, execCPUAffinity) and
// idmapped mounts (mounts[].uidMappings/gidMappings, the idmap option).
// A property the host cannot apply is a skip naming what the host lacks; a
// property the runtime declares unsupported in `features` must be refused.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectEq, expectTrue, fail, skip, type Case } from '../lib/case.ts';
import type { Ctx } from '../lib/context.ts';

const S = 'config.md' as const;

function isError(r: { code: number | null; timedOut: boolean }): boolean {
  return r.code !== 0 && !r.timedOut;
}

/**
 * create with the config as patched. A runtime MAY lack a v1.2 property, but
 * then it must reject it (config.md "Valid values"): a refusal is a skip that
 * names the error, silently ignoring it shows up in the check that follows.
 */
async function createOrSkip(ctx: Ctx, what: string): Promise<void> {
  const c = await ctx.create();
  if (isError(c)) skip(`runtime refused ${what} with an error, as config.md "Valid values" allows for an unsupported value: ${c.summary.slice(-200)}`);
  ctx.must(c, 'create');
}

/** create, start, wait for stopped; the probe's JSON. */
async function probeAfterCreate(ctx: Ctx): Promise<Record<string, any>> {
  const { parseProbe } = await import('../lib/context.ts');
  ctx.must(await ctx.start(), 'start');
  const st = await ctx.waitStatus('stopped');
  if (st?.status !== 'stopped') fail(`container did not stop; last state ${JSON.stringify(st)}`);
  const out = fs.readFileSync(ctx.outFile(), 'utf8');
  ctx.must(await ctx.delete(), 'delete');
  return parseProbe(out, '');
}

function apparmorProfiles(): { name: string; mode: string }[] {
  try {
    return fs
      .readFileSync('/sys/kernel/security/apparmor/profiles', 'utf8')
      .trim()
      .split('\n')
      .map((l) => /^(.*) \((\w+)\)$/.exec(l))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => ({ name: m[1]!, mode: m[2]! }));
  } catch {
    return [];
  }
}

function readOwn(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').replace(/\0/g, '').trim();
  } catch {
    return undefined;
  }
}

export const processCases: Case[] = [
  {
    id: 'process-apparmor-profile',
    spec: S,
    section: 'linux-process',
    level: 'MUST',
    requirement: 'apparmorProfile (string, OPTIONAL) specifies the name of the AppArmor profile for the process.',
    async run(ctx) {
      const profiles = apparmorProfiles();
      const prof = profiles.find((p) => p.mode === 'enforce') ?? profiles[0];
      ctx.config.process.apparmorProfile = prof?.name ?? 'conformance-profile';
      await ctx.declaredUnsupported(ctx.features?.linux?.apparmor?.enabled, 'AppArmor');
      ctx.need(
        ctx.host.apparmor,
        'host has no AppArmor (/sys/module/apparmor/parameters/enabled is not Y, /sys/kernel/security/apparmor absent): a profile can be neither applied nor observed',
      );
      if (!prof) skip('AppArmor is enabled but no profile is loaded (/sys/kernel/security/apparmor/profiles is empty)');
      ctx.config.process.args = ['/bin/probe', 'read=/proc/self/attr/apparmor/current', 'read=/proc/self/attr/current'];
      await createOrSkip(ctx, 'process.apparmorProfile');
      const p = await probeAfterCreate(ctx);
      const label = p['read:/proc/self/attr/apparmor/current']?.content ?? p['read:/proc/self/attr/current']?.content ?? '';
      expectTrue(
        String(label).replace(/\0/g, '').trim().startsWith(prof.name),
        `AppArmor label of the process: observed ${JSON.stringify(label)}, expected profile ${prof.name}`,
      );
    },
  },
  {
    id: 'process-selinux-label',
    spec: S,
    section: 'linux-process',
    level: 'MUST',
    requirement: 'selinuxLabel (string, OPTIONAL) specifies the SELinux label for the process.',
    async run(ctx) {
      // The runner's own context is one the process may transition to.
      const own = readOwn('/proc/self/attr/current');
      ctx.config.process.selinuxLabel = own && own !== 'unconfined' ? own : 'system_u:system_r:container_t:s0:c1,c2';
      await ctx.declaredUnsupported(ctx.features?.linux?.selinux?.enabled, 'SELinux');
      ctx.need(ctx.host.selinux, 'host has SELinux disabled (no /sys/fs/selinux): a process label can be neither applied nor observed');
      ctx.config.process.args = ['/bin/probe', 'read=/proc/self/attr/current'];
      await createOrSkip(ctx, 'process.selinuxLabel');
      const p = await probeAfterCreate(ctx);
      const label = String(p['read:/proc/self/attr/current']?.content ?? '')
        .replace(/\0/g, '')
        .trim();
      expectEq(label, ctx.config.process.selinuxLabel, 'SELinux label of the process (/proc/self/attr/current)');
    },
  },
  {
    id: 'process-io-priority',
    spec: S,
    section: 'linux-process',
    level: 'MUST',
    requirement:
      "ioPriority (object, OPTIONAL) configures the I/O priority settings for the container's processes within the process group. The I/O priority settings will be automatically applied to the entire process group, affecting all processes within the container. (class, priority)",
    async run(ctx) {
      ctx.config.process.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 6 };
      ctx.config.process.args = ['/bin/probe', 'ioprio'];
      await createOrSkip(ctx, 'process.ioPriority');
      const p = await probeAfterCreate(ctx);
      if (p.ioprio?.errno) skip(`ioprio_get is not available in the container (errno ${p.ioprio.errno}), so the priority cannot be observed`);
      const v = p.ioprio?.value as number;
      const seen = `class ${v >> 13}, priority ${v & 0x1fff}`;
      expectEq(seen, 'class 2, priority 6', 'ioprio_get() in the container (IOPRIO_CLASS_BE = 2)');
    },
  },
  {
    id: 'process-scheduler',
    spec: S,
    section: 'linux-process',
    level: 'MUST',
    requirement:
      'scheduler (object, OPTIONAL) is an object describing the scheduler properties for the process. policy (string, REQUIRED) represents the scheduling policy. nice (int32, OPTIONAL) is the nice value for the process.',
    async run(ctx) {
      ctx.config.process.scheduler = { policy: 'SCHED_BATCH', nice: 7 };
      ctx.config.process.args = ['/bin/probe', 'sched'];
      await createOrSkip(ctx, 'process.scheduler');
      const p = await probeAfterCreate(ctx);
      // SCHED_BATCH is 3.
      expectEq([p.sched?.policy, p.sched?.nice], [3, 7], 'sched_getscheduler() and nice in the container (SCHED_BATCH = 3, nice 7)');
    },
  },
  {
    id: 'process-exec-cpu-affinity-init',
    spec: S,
    section: 'linux-process',
    level: 'MUST NOT',
    requirement:
      "execCPUAffinity (object, OPTIONAL) specifies CPU affinity used to execute the process. This setting is not applicable to the container's init process.",
    async run(ctx) {
      const own = /Cpus_allowed_list:\s*(\S+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
      const cpus = own.split(',').flatMap((r) => {
        const [a, b] = r.split('-').map(Number);
        return b === undefined ? [a] : Array.from({ length: b - a! + 1 }, (_x, i) => a! + i);
      });
      ctx.need(cpus.length >= 2, `the runner may use only CPUs ${own}: a one-CPU affinity cannot be told apart from the default`);
      const first = String(cpus[0]);
      ctx.config.process.execCPUAffinity = { initial: first, final: first };
      ctx.config.process.args = ['/bin/probe', 'status'];
      await createOrSkip(ctx, 'process.execCPUAffinity');
      const p = await probeAfterCreate(ctx);
      expectEq(
        p.status?.Cpus_allowed_list,
        own,
        `Cpus_allowed_list of the init process (execCPUAffinity ${first} is for exec'd processes only; the runner's list is ${own})`,
      );
    },
  },
  {
    id: 'mounts-idmap-mappings',
    spec: S,
    section: 'posix-platform-mounts',
    level: 'MUST',
    requirement:
      "uidMappings/gidMappings: the mapping to convert UIDs/GIDs from the source file system to the destination mount point. idmap: If uidMappings or gidMappings are specified for the mount, the runtime MUST use those values for the mount's mapping.",
    async run(ctx) {
      const src = ctx.file('idmap-src');
      fs.mkdirSync(src);
      fs.writeFileSync(path.join(src, 'f'), 'x');
      fs.chownSync(path.join(src, 'f'), 0, 0);
      fs.mkdirSync(path.join(ctx.rootfs, 'idmapped'));
      ctx.config.mounts.push({
        destination: '/idmapped',
        type: 'none',
        source: src,
        options: ['bind', 'idmap'],
        // The user-namespace format: ids containerID.. on the source file
        // system appear as hostID.. at the mount point (as runc and crun apply it).
        uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
        gidMappings: [{ containerID: 0, hostID: 2000, size: 1 }],
      });
      await ctx.declaredUnsupported(ctx.features?.linux?.mountExtensions?.idmap?.enabled, 'idmapped mounts (linux.mountExtensions.idmap)');
      ctx.config.process.args = ['/bin/probe', 'stat=/idmapped/f'];
      await createOrSkip(ctx, 'an idmapped bind mount');
      const p = await probeAfterCreate(ctx);
      const st = p['stat:/idmapped/f'];
      expectEq([st?.uid, st?.gid], [1000, 2000], 'owner of a file owned by 0:0 on the host, seen through the idmapped mount (0 -> 1000, 0 -> 2000)');
    },
  },
  {
    id: 'mounts-idmap-no-mapping',
    spec: S,
    section: 'linux-mount-options',
    level: 'MUST',
    requirement: "idmap: If there are no uidMappings and gidMappings specified and the container isn't using user namespaces, an error MUST be returned.",
    async run(ctx) {
      const src = ctx.file('idmap-src');
      fs.mkdirSync(src);
      fs.mkdirSync(path.join(ctx.rootfs, 'idmapped'));
      ctx.config.mounts.push({ destination: '/idmapped', type: 'none', source: src, options: ['bind', 'idmap'] });
      const c = await ctx.create();
      const s = c.code === 0 ? await ctx.start() : c;
      expectTrue(isError(s), `an idmap mount without mappings and without a user namespace was accepted (create: ${c.summary})`);
    },
  },
];
