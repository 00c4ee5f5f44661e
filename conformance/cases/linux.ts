// config-linux.md: namespaces, mappings, time offsets, devices, /dev links,
// sysctl, seccomp, propagation, masked/readonly paths, labels, personality.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectEq, expectTrue, fail, type Case } from '../lib/case.ts';
import { dropNamespace, setNamespace } from '../lib/config.ts';
import type { Ctx } from '../lib/context.ts';
import { sleep } from '../lib/exec.ts';
import { consoleReceiver } from '../lib/tty.ts';
import { mountOf, parseMountinfo } from './util.ts';

const S = 'config-linux.md' as const;

function isError(r: { code: number | null; timedOut: boolean }): boolean {
  return r.code !== 0 && !r.timedOut;
}

/** A host process in fresh net, ipc and uts namespaces, to join by path. */
async function nsHolder(ctx: Ctx): Promise<number> {
  const child = spawn('unshare', ['--net', '--ipc', '--uts', 'sleep', '120'], { detached: true, stdio: 'ignore' });
  ctx.track(child.pid, true);
  const pid = child.pid;
  if (!pid) fail('could not start unshare');
  for (let i = 0; i < 50; i++) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/ns/net`) !== ctx.host.ns.net) return pid;
    } catch {
      // not yet
    }
    await sleep(20);
  }
  fail('unshare holder did not enter its namespaces');
}

function nsSupported(ctx: Ctx, t: string): boolean | undefined {
  const list = ctx.features?.linux?.namespaces as string[] | undefined;
  return list ? list.includes(t) : undefined;
}

function userns(ctx: Ctx): void {
  setNamespace(ctx.config, 'user');
  ctx.config.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  ctx.config.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
}

const NS_FILE: Record<string, string> = { pid: 'pid', network: 'net', ipc: 'ipc', uts: 'uts', mount: 'mnt', cgroup: 'cgroup', user: 'user', time: 'time' };

export const linuxCases: Case[] = [
  {
    id: 'default-filesystems',
    spec: S,
    section: 'default-filesystems',
    level: 'SHOULD',
    requirement: "The following filesystems SHOULD be made available in each container's filesystem: /proc proc, /sys sysfs, /dev/pts devpts, /dev/shm tmpfs.",
    async run(ctx) {
      const p = await ctx.runProbe(['mounts']);
      const want: Record<string, string> = { '/proc': 'proc', '/sys': 'sysfs', '/dev/pts': 'devpts', '/dev/shm': 'tmpfs' };
      for (const [mp, t] of Object.entries(want)) expectEq(mountOf(p, mp)?.fstype, t, `filesystem at ${mp}`);
    },
  },
  {
    id: 'namespaces-new',
    spec: S,
    section: 'namespaces',
    level: 'MUST',
    requirement: 'If path is not specified, the runtime MUST create a new container namespace of type type.',
    async run(ctx) {
      setNamespace(ctx.config, 'cgroup');
      const p = await ctx.runProbe(['ns']);
      for (const t of ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup']) {
        const f = NS_FILE[t]!;
        expectTrue(p.ns?.[f] && p.ns[f] !== ctx.host.ns[f], `${t} namespace: container ${p.ns?.[f]}, host ${ctx.host.ns[f]}`);
      }
    },
  },
  {
    id: 'namespaces-path',
    spec: S,
    section: 'namespaces',
    level: 'MUST',
    requirement:
      'path (string, OPTIONAL) - namespace file. This value MUST be an absolute path in the runtime mount namespace. The runtime MUST place the container process in the namespace associated with that path. (type network)',
    async run(ctx) {
      // The network type; the other types have a case each (namespaces.ts).
      const holder = await nsHolder(ctx);
      setNamespace(ctx.config, 'network', `/proc/${holder}/ns/net`);
      const p = await ctx.runProbe(['ns']);
      expectEq(p.ns?.net, fs.readlinkSync(`/proc/${holder}/ns/net`), "net namespace of the container vs the path's");
    },
  },
  {
    id: 'namespaces-path-type-mismatch',
    spec: S,
    section: 'namespaces',
    level: 'MUST',
    requirement: 'The runtime MUST generate an error if path is not associated with a namespace of type type.',
    async run(ctx) {
      const holder = await nsHolder(ctx);
      setNamespace(ctx.config, 'network', `/proc/${holder}/ns/uts`);
      const c = await ctx.create();
      const s = c.code === 0 ? await ctx.start() : c;
      expectTrue(isError(s), `a uts namespace path for type network was accepted (create: ${c.summary})`);
    },
  },
  {
    id: 'namespaces-inherit',
    spec: S,
    section: 'namespaces',
    level: 'MUST',
    requirement: 'If a namespace type is not specified in the namespaces array, the container MUST inherit the runtime namespace of that type.',
    async run(ctx) {
      dropNamespace(ctx.config, 'network');
      dropNamespace(ctx.config, 'ipc');
      ctx.config.mounts = ctx.config.mounts.filter((m: { destination: string }) => m.destination !== '/sys' && m.destination !== '/dev/mqueue');
      const p = await ctx.runProbe(['ns']);
      expectEq([p.ns?.net, p.ns?.ipc], [ctx.host.ns.net, ctx.host.ns.ipc], "net, ipc namespaces (the runtime's)");
    },
  },
  {
    id: 'namespaces-duplicate',
    spec: S,
    section: 'namespaces',
    level: 'MUST',
    requirement: 'If a namespaces field contains duplicated namespaces with same type, the runtime MUST generate an error.',
    async run(ctx) {
      ctx.config.linux.namespaces.push({ type: 'network' });
      const c = await ctx.create();
      expectTrue(isError(c), `duplicate network namespace entries were accepted: ${c.summary}`);
    },
  },
  {
    id: 'user-namespace-mappings',
    spec: S,
    section: 'user-namespace-mappings',
    level: 'MUST',
    area: 'userns',
    requirement:
      'uidMappings (array of objects, OPTIONAL) describes the user namespace uid mappings from the host to the container. gidMappings ... the gid mappings.',
    async run(ctx) {
      userns(ctx);
      await ctx.declaredUnsupported(nsSupported(ctx, 'user'), 'user namespaces');
      const p = await ctx.runProbe(['ns', 'read=/proc/self/uid_map', 'read=/proc/self/gid_map']);
      expectTrue(p.ns?.user !== ctx.host.ns.user, 'no new user namespace');
      const norm = (s: unknown): string =>
        String(s ?? '')
          .trim()
          .split(/\s+/)
          .join(' ');
      expectEq(norm(p['read:/proc/self/uid_map']?.content), '0 100000 65536', 'uid_map');
      expectEq(norm(p['read:/proc/self/gid_map']?.content), '0 100000 65536', 'gid_map');
    },
  },
  {
    id: 'user-namespace-no-chown',
    spec: S,
    section: 'user-namespace-mappings',
    level: 'SHOULD NOT',
    area: 'userns',
    requirement: 'The runtime SHOULD NOT modify the ownership of referenced filesystems to realize the mapping.',
    async run(ctx) {
      userns(ctx);
      await ctx.declaredUnsupported(nsSupported(ctx, 'user'), 'user namespaces');
      await ctx.runProbe(['ids']);
      const st = fs.statSync(path.join(ctx.rootfs, 'bin/probe'));
      const root = fs.statSync(ctx.rootfs);
      expectEq([st.uid, st.gid, root.uid, root.gid], [0, 0, 0, 0], 'owner of rootfs and rootfs/bin/probe on the host');
    },
  },
  {
    id: 'time-offsets',
    spec: S,
    section: 'offset-for-time-namespace',
    level: 'MUST',
    area: 'timens',
    requirement: 'timeOffsets (object, OPTIONAL) sets the offset for Time Namespace (monotonic, boottime: secs, nanosecs).',
    async run(ctx) {
      ctx.need(ctx.host.timens, 'host kernel has no time namespaces');
      setNamespace(ctx.config, 'time');
      ctx.config.linux.timeOffsets = { monotonic: { secs: 864000, nanosecs: 0 }, boottime: { secs: 1728000, nanosecs: 0 } };
      await ctx.declaredUnsupported(nsSupported(ctx, 'time'), 'time namespaces');
      const hostMono = Number(process.hrtime.bigint() / 1_000_000_000n);
      const p = await ctx.runProbe(['ns', 'time']);
      expectTrue(p.ns?.time !== ctx.host.ns.time, `no new time namespace (${p.ns?.time})`);
      const d = (p.time?.monotonic as number) - hostMono;
      expectTrue(Math.abs(d - 864000) < 30, `monotonic clock offset ${d} s, expected about 864000 s`);
      const up = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
      const b = (p.time?.boottime as number) - up;
      expectTrue(Math.abs(b - 1728000) < 30, `boottime clock offset ${b.toFixed(0)} s, expected about 1728000 s`);
    },
  },
  {
    id: 'devices-created',
    spec: S,
    section: 'devices',
    level: 'MUST',
    requirement: 'devices (array of objects, OPTIONAL) lists devices that MUST be available in the container. (type, path, major, minor, fileMode, uid, gid)',
    async run(ctx) {
      ctx.config.linux.devices = [
        { path: '/dev/conf-null', type: 'c', major: 1, minor: 3, fileMode: 0o640, uid: 0, gid: 0 },
        { path: '/dev/conf-fifo', type: 'p', fileMode: 0o600, uid: 0, gid: 0 },
      ];
      ctx.config.linux.resources.devices.push({ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
      const p = await ctx.runProbe(['stat=/dev/conf-null', 'stat=/dev/conf-fifo', 'openrw=/dev/conf-null']);
      const n = p['stat:/dev/conf-null'];
      expectEq([n?.type, n?.major, n?.minor, n?.mode], ['c', 1, 3, 0o640], '/dev/conf-null type, major, minor, mode');
      expectEq(p['openrw:/dev/conf-null']?.errno, 0, 'errno opening /dev/conf-null read-write');
      const f = p['stat:/dev/conf-fifo'];
      expectEq([f?.type, f?.mode], ['p', 0o600], '/dev/conf-fifo type, mode');
    },
  },
  {
    id: 'devices-file-mismatch',
    spec: S,
    section: 'devices',
    level: 'MUST',
    requirement: 'If a file already exists at path that does not match the requested device, the runtime MUST generate an error.',
    async run(ctx) {
      fs.writeFileSync(path.join(ctx.rootfs, 'conf-dev'), 'a regular file');
      ctx.config.linux.devices = [{ path: '/conf-dev', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 }];
      const c = await ctx.create();
      expectTrue(isError(c), `create accepted a device whose path holds a regular file: ${c.summary}`);
    },
  },
  {
    id: 'default-devices',
    spec: S,
    section: 'default-devices',
    level: 'MUST',
    requirement:
      'In addition to any devices configured with this setting, the runtime MUST also supply: /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom, /dev/tty, /dev/ptmx.',
    async run(ctx) {
      const devs: Record<string, [number, number]> = {
        '/dev/null': [1, 3],
        '/dev/zero': [1, 5],
        '/dev/full': [1, 7],
        '/dev/random': [1, 8],
        '/dev/urandom': [1, 9],
        '/dev/tty': [5, 0],
      };
      const p = await ctx.runProbe([...Object.keys(devs).map((d) => `stat=${d}`), 'stat=/dev/ptmx', 'openrw=/dev/null', 'openrw=/dev/zero']);
      for (const [d, [maj, min]] of Object.entries(devs)) {
        const s = p[`stat:${d}`];
        expectEq([s?.type, s?.major, s?.minor], ['c', maj, min], `${d} type, major, minor`);
      }
      const ptmx = p['stat:/dev/ptmx'];
      expectTrue(
        (ptmx?.type === 'l' && /pts\/ptmx$/.test(ptmx.target)) || (ptmx?.type === 'c' && ptmx.major === 5 && ptmx.minor === 2),
        `/dev/ptmx: ${JSON.stringify(ptmx)}`,
      );
      expectEq([p['openrw:/dev/null']?.errno, p['openrw:/dev/zero']?.errno], [0, 0], 'errno opening /dev/null, /dev/zero');
    },
  },
  {
    id: 'default-devices-console',
    spec: S,
    section: 'default-devices',
    level: 'MUST',
    area: 'terminal',
    requirement: '/dev/console is set up if terminal is enabled in the config by bind mounting the pseudoterminal pty to /dev/console.',
    async run(ctx) {
      const rx = await consoleReceiver(ctx);
      ctx.config.process.terminal = true;
      ctx.config.process.args = ['/bin/probe', 'tty', 'stat=/dev/console'];
      const c = await ctx.create({ args: ['--console-socket', rx.socket] });
      ctx.must(c, 'create with terminal');
      ctx.must(await ctx.start(), 'start');
      await ctx.waitStatus('stopped');
      await rx.done(3000);
      const { parseProbe } = await import('../lib/context.ts');
      const p = parseProbe(fs.readFileSync(rx.output, 'utf8'), fs.readFileSync(c.err, 'utf8'));
      const con = p['stat:/dev/console'];
      expectEq([con?.type, con?.major, con?.minor], ['c', p.tty?.stdinMajor, p.tty?.stdinMinor], '/dev/console vs the pty on stdin (type, major, minor)');
    },
  },
  {
    id: 'dev-symlinks',
    spec: S,
    section: 'dev-symbolic-links',
    level: 'MUST',
    requirement:
      'While creating the container (step 2 in the lifecycle), runtimes MUST create the following symlinks if the source file exists after processing mounts: /dev/fd -> /proc/self/fd, /dev/stdin -> /proc/self/fd/0, /dev/stdout -> /proc/self/fd/1, /dev/stderr -> /proc/self/fd/2.',
    async run(ctx) {
      const links: Record<string, string> = {
        '/dev/fd': '/proc/self/fd',
        '/dev/stdin': '/proc/self/fd/0',
        '/dev/stdout': '/proc/self/fd/1',
        '/dev/stderr': '/proc/self/fd/2',
      };
      const p = await ctx.runProbe(Object.keys(links).map((l) => `stat=${l}`));
      for (const [l, t] of Object.entries(links)) expectEq([p[`stat:${l}`]?.type, p[`stat:${l}`]?.target], ['l', t], `${l} (type, target)`);
    },
  },
  {
    id: 'sysctl',
    spec: S,
    section: 'sysctl',
    level: 'MUST',
    requirement: 'sysctl (object, OPTIONAL) allows kernel parameters to be modified at runtime for the container.',
    async run(ctx) {
      ctx.config.linux.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.msgmax': '12345' };
      const p = await ctx.runProbe(['read=/proc/sys/net/ipv4/ip_forward', 'read=/proc/sys/kernel/msgmax']);
      expectEq(
        [p['read:/proc/sys/net/ipv4/ip_forward']?.content?.trim(), p['read:/proc/sys/kernel/msgmax']?.content?.trim()],
        ['1', '12345'],
        'net.ipv4.ip_forward, kernel.msgmax',
      );
    },
  },
  {
    id: 'seccomp-filter',
    spec: S,
    section: 'seccomp',
    level: 'MUST',
    area: 'seccomp',
    requirement: 'Seccomp provides application sandboxing mechanism in the Linux kernel. ... errnoRet (uint, OPTIONAL) - the errno return code to use.',
    async run(ctx) {
      ctx.config.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64'],
        syscalls: [{ names: ['getpriority'], action: 'SCMP_ACT_ERRNO', errnoRet: 42 }],
      };
      await ctx.declaredUnsupported(ctx.features?.linux?.seccomp?.enabled, 'seccomp');
      const p = await ctx.runProbe(['status', 'seccomp']);
      expectEq(p.status?.Seccomp, '2', 'Seccomp mode in /proc/self/status (2 = filter)');
      expectEq(p.getpriority, { ret: -1, errno: 42 }, 'getpriority() under the filter');
    },
  },
  {
    id: 'seccomp-errno-default',
    spec: S,
    section: 'seccomp',
    level: 'MUST',
    area: 'seccomp',
    requirement: 'errnoRet ... If not specified then its default value is EPERM.',
    async run(ctx) {
      ctx.config.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['getpriority'], action: 'SCMP_ACT_ERRNO' }],
      };
      await ctx.declaredUnsupported(ctx.features?.linux?.seccomp?.enabled, 'seccomp');
      const p = await ctx.runProbe(['seccomp']);
      expectEq(p.getpriority, { ret: -1, errno: 1 }, 'getpriority() under the filter (EPERM)');
    },
  },
  {
    id: 'seccomp-errno-unsupported',
    spec: S,
    section: 'seccomp',
    level: 'MUST',
    area: 'seccomp',
    requirement: "When the action doesn't support an errno, the runtime MUST print and error and fail.",
    async run(ctx) {
      ctx.config.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['getpriority'], action: 'SCMP_ACT_KILL', errnoRet: 42 }],
      };
      await ctx.declaredUnsupported(ctx.features?.linux?.seccomp?.enabled, 'seccomp');
      const c = await ctx.create();
      const s = c.code === 0 ? await ctx.start() : c;
      expectTrue(isError(s), `errnoRet with SCMP_ACT_KILL was accepted (create: ${c.summary})`);
    },
  },
  {
    id: 'rootfs-propagation',
    spec: S,
    section: 'rootfs-mount-propagation',
    level: 'MUST',
    requirement: "rootfsPropagation (string, OPTIONAL) sets the rootfs's mount propagation. Its value is either shared, slave, private or unbindable.",
    async run(ctx) {
      const hostMounts = parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n'));
      const holder = hostMounts
        .filter((m) => ctx.rootfs === m.mountPoint || ctx.rootfs.startsWith(m.mountPoint.endsWith('/') ? m.mountPoint : `${m.mountPoint}/`))
        .sort((a, b) => a.mountPoint.length - b.mountPoint.length)
        .pop();
      const hostShared = holder?.optional.some((x) => x.startsWith('shared:')) ?? false;
      const want: Record<string, (optional: string[]) => boolean> = {
        private: (o) => !o.some((x) => /^(shared|master):/.test(x) || x === 'unbindable'),
        // A slave needs a master: on a host whose mount holding the bundle
        // is private there is none to follow, and "not shared" is all that
        // can be observed (runc and crun give the same there).
        slave: (o) => (hostShared ? o.some((x) => x.startsWith('master:')) : true) && !o.some((x) => x.startsWith('shared:')),
        shared: (o) => o.some((x) => x.startsWith('shared:')),
        unbindable: (o) => o.includes('unbindable'),
      };
      const bad: string[] = [];
      for (const [mode, ok] of Object.entries(want)) {
        ctx.config.linux.rootfsPropagation = mode;
        const p = await ctx.runProbe(['mounts'], { id: ctx.newId() });
        const root = mountOf(p, '/');
        if (!root || !ok(root.optional)) bad.push(`${mode}: optional fields of / are ${JSON.stringify(root?.optional ?? null)}`);
      }
      if (bad.length) fail(bad.join('; '));
    },
  },
  {
    id: 'masked-paths',
    spec: S,
    section: 'masked-paths',
    level: 'MUST',
    requirement: 'maskedPaths (array of strings, OPTIONAL) will mask over the provided paths inside the container so that they cannot be read.',
    async run(ctx) {
      fs.mkdirSync(path.join(ctx.rootfs, 'secret-dir'));
      fs.writeFileSync(path.join(ctx.rootfs, 'secret-dir/data'), 'secret');
      fs.writeFileSync(path.join(ctx.rootfs, 'secret-file'), 'secret');
      ctx.config.linux.maskedPaths = ['/secret-dir', '/secret-file'];
      const p = await ctx.runProbe(['read=/secret-file', 'ls=/secret-dir', 'read=/secret-dir/data']);
      expectTrue(p['read:/secret-file']?.content !== 'secret', `masked file readable: ${JSON.stringify(p['read:/secret-file'])}`);
      expectTrue(!(p['ls:/secret-dir']?.entries ?? []).includes('data'), `masked dir listable: ${JSON.stringify(p['ls:/secret-dir'])}`);
      expectTrue(p['read:/secret-dir/data']?.content !== 'secret', 'file in the masked dir readable');
    },
  },
  {
    id: 'readonly-paths',
    spec: S,
    section: 'readonly-paths',
    level: 'MUST',
    requirement: 'readonlyPaths (array of strings, OPTIONAL) will set the provided paths as readonly inside the container.',
    async run(ctx) {
      fs.mkdirSync(path.join(ctx.rootfs, 'ro-dir'));
      ctx.config.linux.readonlyPaths = ['/ro-dir'];
      const p = await ctx.runProbe(['write=/ro-dir/f', 'write=/rw-file']);
      expectEq(p['write:/ro-dir/f']?.errno, 30, 'errno writing into the readonly path (EROFS)');
      expectEq(p['write:/rw-file']?.errno, 0, 'errno writing outside it');
    },
  },
  {
    id: 'mount-label',
    spec: S,
    section: 'mount-label',
    level: 'MUST',
    requirement: 'mountLabel (string, OPTIONAL) will set the Selinux context for the mounts in the container.',
    async run(ctx) {
      ctx.need(ctx.host.selinux, 'host has SELinux disabled (no /sys/fs/selinux), so mount labels cannot be observed');
      ctx.config.linux.mountLabel = 'system_u:object_r:container_file_t:s0:c1,c2';
      const p = await ctx.runProbe(['mounts']);
      const m = mountOf(p, '/dev');
      expectTrue(!!m && m.superOpts.some((o) => o.includes('c1,c2')), `context not on /dev: ${m?.superOpts.join(',')}`);
    },
  },
  {
    id: 'personality',
    spec: S,
    section: 'personality',
    level: 'MUST',
    requirement: 'domain (string, REQUIRED) the execution domain. ... LINUX32 will set the uname system call to show a 32 bit CPU type, such as i686.',
    async run(ctx) {
      ctx.need(
        ctx.host.machine === 'x86_64' || ctx.host.machine === 'aarch64',
        `LINUX32 has a visible effect on x86_64/aarch64 only (host ${ctx.host.machine})`,
      );
      ctx.config.linux.personality = { domain: 'LINUX32' };
      const p = await ctx.runProbe(['pers', 'uts']);
      expectEq((p.personality as number) & 0xff, 8, 'personality & PER_MASK (PER_LINUX32 = 8)');
      expectTrue(p.uts?.machine !== ctx.host.machine, `uname machine ${p.uts?.machine} is the 64-bit one`);
    },
  },
];
