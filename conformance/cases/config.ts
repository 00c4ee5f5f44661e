// config.md: root, mounts, process, hostname/domainname, annotations,
// extensibility and valid values. (Hooks are in hooks.ts.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectEq, expectTrue, fail, type Case } from '../lib/case.ts';
import { parseProbe, type Ctx } from '../lib/context.ts';
import { consoleReceiver } from '../lib/tty.ts';
import { mountOf, capBits } from './util.ts';

const S = 'config.md' as const;

function isError(r: { code: number | null; timedOut: boolean }): boolean {
  return r.code !== 0 && !r.timedOut;
}

/** create must fail for this config; then nothing may be left. */
async function expectCreateError(ctx: Ctx, what: string): Promise<void> {
  const c = await ctx.create();
  expectTrue(isError(c), `create with ${what} did not fail: ${c.summary}`);
  const { state } = await ctx.state();
  expectTrue(state === undefined, `a container exists after the failed create: status ${state?.status}`);
}

async function runTerminal(ctx: Ctx, args: string[]): Promise<Record<string, any>> {
  const rx = await consoleReceiver(ctx);
  ctx.config.process.terminal = true;
  ctx.config.process.args = ['/bin/probe', ...args];
  const c = await ctx.create({ args: ['--console-socket', rx.socket] });
  ctx.must(c, 'create with terminal and --console-socket');
  ctx.must(await ctx.start(), 'start');
  const st = await ctx.waitStatus('stopped');
  if (st?.status !== 'stopped') fail(`container did not stop: ${JSON.stringify(st)}`);
  await rx.done(3000);
  ctx.must(await ctx.delete(), 'delete');
  return parseProbe(fs.readFileSync(rx.output, 'utf8'), fs.readFileSync(c.err, 'utf8'));
}

export const configCases: Case[] = [
  {
    id: 'root-path-relative',
    spec: S,
    section: 'root',
    level: 'MUST',
    requirement:
      'path (string, REQUIRED) Specifies the path to the root filesystem for the container. ... Either an absolute path or a relative path to the bundle.',
    async run(ctx) {
      fs.writeFileSync(path.join(ctx.rootfs, 'marker'), 'relative');
      const p = await ctx.runProbe(['read=/marker']);
      expectEq(p['read:/marker']?.content, 'relative', 'content of /marker from the relative root.path');
      const other = ctx.file('elsewhere');
      const otherRootfs = ctx.makeBundle(other);
      fs.writeFileSync(path.join(otherRootfs, 'marker'), 'absolute');
      ctx.config.root.path = otherRootfs;
      const q = await ctx.runProbe(['read=/marker'], { id: ctx.newId() });
      expectEq(q['read:/marker']?.content, 'absolute', 'content of /marker from the absolute root.path');
    },
  },
  {
    id: 'root-path-missing',
    spec: S,
    section: 'root',
    level: 'MUST',
    requirement: 'A directory MUST exist at the path declared by the field.',
    async run(ctx) {
      ctx.config.root.path = 'no-such-rootfs';
      await expectCreateError(ctx, 'a root.path that does not exist');
    },
  },
  {
    id: 'root-readonly',
    spec: S,
    section: 'root',
    level: 'MUST',
    requirement: 'readonly (bool, OPTIONAL) If true then the root filesystem MUST be read-only inside the container, defaults to false.',
    async run(ctx) {
      ctx.config.root.readonly = true;
      const p = await ctx.runProbe(['write=/probe-ro']);
      expectEq(p['write:/probe-ro']?.errno, 30, 'errno writing to / with readonly root (EROFS)');
      ctx.config.root.readonly = false;
      const q = await ctx.runProbe(['write=/probe-rw'], { id: ctx.newId() });
      expectEq(q['write:/probe-rw']?.errno, 0, 'errno writing to / with readonly false');
    },
  },
  {
    id: 'mounts-order',
    spec: S,
    section: 'mounts',
    level: 'MUST',
    requirement: 'The runtime MUST mount entries in the listed order.',
    async run(ctx) {
      ctx.config.mounts.push(
        { destination: '/mnt/a', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
        { destination: '/mnt/a/b', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
        { destination: '/mnt/a/b/c', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
      );
      const p = await ctx.runProbe(['mounts']);
      const a = mountOf(p, '/mnt/a');
      const b = mountOf(p, '/mnt/a/b');
      const c = mountOf(p, '/mnt/a/b/c');
      if (!a || !b || !c) fail(`mounts missing: /mnt/a ${!!a}, /mnt/a/b ${!!b}, /mnt/a/b/c ${!!c}`);
      expectTrue(b.parent === a.id && c.parent === b.id, 'the nested tmpfs mounts are not stacked in the listed order');
    },
  },
  {
    id: 'mounts-bind-ro',
    spec: S,
    section: 'mounts',
    level: 'MUST',
    requirement: 'options (array of strings, OPTIONAL) Mount options of the filesystem to be used (a bind mount with ro is visible and read-only).',
    async run(ctx) {
      const src = ctx.file('src');
      fs.mkdirSync(src);
      fs.writeFileSync(path.join(src, 'f'), 'hello');
      ctx.config.mounts.push({ destination: '/data', type: 'bind', source: src, options: ['rbind', 'ro'] });
      const p = await ctx.runProbe(['read=/data/f', 'write=/data/g']);
      expectEq(p['read:/data/f']?.content, 'hello', 'content read through the bind mount');
      expectEq(p['write:/data/g']?.errno, 30, 'errno writing into the ro bind mount (EROFS)');
    },
  },
  {
    id: 'mounts-options',
    spec: S,
    section: 'mounts',
    level: 'MUST',
    requirement:
      'type (string, OPTIONAL) The type of the filesystem to be mounted; options: mount options of the filesystem to be used (tmpfs with nosuid, nodev, noexec, mode).',
    async run(ctx) {
      ctx.config.mounts.push({
        destination: '/conformance-tmpfs',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'nodev', 'noexec', 'mode=710', 'size=1m'],
      });
      const p = await ctx.runProbe(['mounts', 'stat=/conformance-tmpfs']);
      const m = mountOf(p, '/conformance-tmpfs');
      if (!m) fail('no mount at /conformance-tmpfs');
      expectEq(m.fstype, 'tmpfs', 'filesystem type');
      for (const o of ['nosuid', 'nodev', 'noexec']) expectTrue(m.opts.includes(o), `mount option ${o} missing: ${m.opts.join(',')}`);
      expectEq(p['stat:/conformance-tmpfs']?.mode, 0o710, 'mode of the tmpfs root (mode=710)');
    },
  },
  {
    id: 'process-args-execvp',
    spec: S,
    section: 'process',
    level: 'REQUIRED',
    requirement: "args (array of strings, OPTIONAL) ... at least one entry is REQUIRED, and that entry is used with the same semantics as execvp's file.",
    async run(ctx) {
      ctx.config.process.args = ['probe', 'cwd', 'env'];
      const p = await ctx.runConfigured();
      expectTrue(typeof p.cwd === 'string', 'the probe, found through PATH, did not run');
    },
  },
  {
    id: 'process-cwd',
    spec: S,
    section: 'process',
    level: 'MUST',
    requirement: 'cwd (string, REQUIRED) is the working directory that will be set for the executable. This value MUST be an absolute path.',
    async run(ctx) {
      ctx.config.process.cwd = '/var';
      const p = await ctx.runProbe(['cwd']);
      expectEq(p.cwd, '/var', 'cwd');
    },
  },
  {
    id: 'process-cwd-relative',
    spec: S,
    section: 'process',
    level: 'MUST',
    requirement:
      'This value MUST be an absolute path. (A relative cwd is an invalid value: "Runtimes ... MUST generate an error when invalid or unsupported values are encountered.")',
    async run(ctx) {
      ctx.config.process.cwd = 'var';
      const c = await ctx.create();
      const s = c.code === 0 ? await ctx.start() : c;
      expectTrue(isError(s), `a relative cwd was accepted: create ${c.summary}`);
    },
  },
  {
    id: 'process-env',
    spec: S,
    section: 'process',
    level: 'MUST',
    requirement: "env (array of strings, OPTIONAL) with the same semantics as IEEE Std 1003.1-2008's environ.",
    async run(ctx) {
      ctx.config.process.env = ['PATH=/bin', 'CONF_A=1', 'CONF_B=two words', 'CONF_C='];
      const p = await ctx.runProbe(['env']);
      for (const e of ctx.config.process.env as string[])
        expectTrue((p.env as string[]).includes(e), `${JSON.stringify(e)} missing from ${JSON.stringify(p.env)}`);
    },
  },
  {
    id: 'process-terminal',
    spec: S,
    section: 'process',
    level: 'MUST',
    area: 'terminal',
    requirement:
      "terminal (bool, OPTIONAL) specifies whether a terminal is attached to the process ... a pseudoterminal pair is allocated for the process and the pseudoterminal pty is duplicated on the process's standard streams.",
    async run(ctx) {
      const p = await runTerminal(ctx, ['tty']);
      expectEq(p.tty?.isatty, [true, true, true], 'isatty of fds 0, 1, 2');
    },
  },
  {
    id: 'process-console-size',
    spec: S,
    section: 'process',
    level: 'MUST',
    area: 'terminal',
    requirement: 'consoleSize (object, OPTIONAL) specifies the console size in characters of the terminal.',
    async run(ctx) {
      ctx.config.process.consoleSize = { height: 33, width: 101 };
      const p = await runTerminal(ctx, ['tty']);
      expectEq([p.tty?.rows, p.tty?.cols], [33, 101], 'rows, cols of the terminal');
    },
  },
  {
    id: 'process-console-size-ignored',
    spec: S,
    section: 'process',
    level: 'MUST',
    requirement: 'Runtimes MUST ignore consoleSize if terminal is false or unset.',
    async run(ctx) {
      ctx.config.process.consoleSize = { height: 33, width: 101 };
      const p = await ctx.runProbe(['tty']);
      expectEq(p.tty?.isatty, [false, false, false], 'isatty of fds 0, 1, 2');
    },
  },
  {
    id: 'rlimits-applied',
    spec: S,
    section: 'posix-process',
    level: 'MUST',
    requirement:
      'For each entry in rlimits, a getrlimit(3) on type MUST succeed. ... rlim.rlim_cur MUST match the configured value. ... rlim.rlim_max MUST match the configured value.',
    async run(ctx) {
      ctx.config.process.rlimits = [
        { type: 'RLIMIT_NOFILE', soft: 300, hard: 400 },
        { type: 'RLIMIT_CORE', soft: 1024, hard: 2048 },
        { type: 'RLIMIT_NPROC', soft: 500, hard: 600 },
      ];
      const p = await ctx.runProbe(['rlimits']);
      for (const r of ctx.config.process.rlimits as { type: string; soft: number; hard: number }[]) {
        expectEq(p.rlimits?.[r.type], [r.soft, r.hard], `${r.type} [soft, hard]`);
      }
    },
  },
  {
    id: 'rlimits-invalid-type',
    spec: S,
    section: 'posix-process',
    level: 'MUST',
    requirement: 'The runtime MUST generate an error for any values which cannot be mapped to a relevant kernel interface.',
    async run(ctx) {
      ctx.config.process.rlimits = [{ type: 'RLIMIT_CONFORMANCE', soft: 1, hard: 1 }];
      const c = await ctx.create();
      const s = c.code === 0 ? await ctx.start() : c;
      expectTrue(isError(s), `an unknown rlimit type was accepted (create: ${c.summary})`);
    },
  },
  {
    id: 'rlimits-duplicate',
    spec: S,
    section: 'posix-process',
    level: 'MUST',
    requirement: 'If rlimits contains duplicated entries with same type, the runtime MUST generate an error.',
    async run(ctx) {
      ctx.config.process.rlimits = [
        { type: 'RLIMIT_NOFILE', soft: 300, hard: 400 },
        { type: 'RLIMIT_NOFILE', soft: 500, hard: 600 },
      ];
      const c = await ctx.create();
      const s = c.code === 0 ? await ctx.start() : c;
      expectTrue(isError(s), `duplicate RLIMIT_NOFILE entries were accepted (create: ${c.summary})`);
    },
  },
  {
    id: 'user-uid-gid',
    spec: S,
    section: 'user',
    level: 'MUST',
    requirement: 'uid (int, REQUIRED) specifies the user ID in the container namespace. gid (int, REQUIRED) specifies the group ID in the container namespace.',
    async run(ctx) {
      ctx.config.process.user = { uid: 1000, gid: 1001 };
      const p = await ctx.runProbe(['ids']);
      expectEq([p.ids?.uid, p.ids?.euid, p.ids?.gid, p.ids?.egid], [1000, 1000, 1001, 1001], 'uid, euid, gid, egid');
    },
  },
  {
    id: 'user-additional-gids',
    spec: S,
    section: 'user',
    level: 'MUST',
    requirement: 'additionalGids (array of ints, OPTIONAL) specifies additional group IDs in the container namespace to be added to the process.',
    async run(ctx) {
      ctx.config.process.user = { uid: 1000, gid: 1001, additionalGids: [1002, 1003] };
      const p = await ctx.runProbe(['ids']);
      const groups = (p.ids?.groups ?? []) as number[];
      expectTrue(groups.includes(1002) && groups.includes(1003), `supplementary groups ${JSON.stringify(groups)} lack 1002, 1003`);
    },
  },
  {
    id: 'user-umask',
    spec: S,
    section: 'user',
    level: 'MUST',
    requirement: 'umask (int, OPTIONAL) specifies the umask of the user.',
    async run(ctx) {
      ctx.config.process.user = { uid: 0, gid: 0, umask: 0o027 };
      const p = await ctx.runProbe(['status']);
      expectEq(p.status?.Umask, '0027', 'Umask in /proc/self/status');
    },
  },
  {
    id: 'capabilities-sets',
    spec: S,
    section: 'linux-process',
    level: 'MUST',
    requirement:
      'capabilities (object, OPTIONAL) is an object containing arrays that specifies the sets of capabilities for the process (effective, bounding, inheritable, permitted, ambient).',
    async run(ctx) {
      const B = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_KILL', 'CAP_NET_RAW', 'CAP_SETUID', 'CAP_SETGID'];
      const I = ['CAP_KILL', 'CAP_NET_RAW'];
      const A = ['CAP_NET_RAW'];
      ctx.config.process.capabilities = { bounding: B, effective: B, permitted: B, inheritable: I, ambient: A };
      const p = await ctx.runProbe(['status']);
      const st = p.status as Record<string, string>;
      const want = { CapBnd: capBits(B), CapEff: capBits(B), CapPrm: capBits(B), CapInh: capBits(I), CapAmb: capBits(A) };
      const got = Object.fromEntries(Object.keys(want).map((k) => [k, st[k]]));
      expectEq(got, want, 'capability sets (hex, /proc/self/status)');
    },
  },
  {
    id: 'capabilities-unknown-warning',
    spec: S,
    section: 'linux-process',
    level: 'SHOULD NOT',
    requirement:
      'Any value which cannot be mapped to a relevant kernel interface, or cannot be granted otherwise MUST be logged as a warning by the runtime. Runtimes SHOULD NOT fail if the container configuration requests capabilities that cannot be granted.',
    async run(ctx) {
      for (const set of ['bounding', 'effective', 'permitted']) ctx.config.process.capabilities[set].push('CAP_CONFORMANCE_UNKNOWN');
      const c = await ctx.create();
      expectTrue(c.code === 0, `create failed on an unknown capability: ${c.summary}`);
      const warned = c.stderr.includes('CAP_CONFORMANCE_UNKNOWN');
      return warned ? 'warning logged' : 'no warning naming the capability on stderr';
    },
  },
  {
    id: 'no-new-privileges',
    spec: S,
    section: 'linux-process',
    level: 'MUST',
    requirement: 'noNewPrivileges (bool, OPTIONAL) setting noNewPrivileges to true prevents the container process from gaining additional privileges.',
    async run(ctx) {
      ctx.config.process.noNewPrivileges = true;
      const p = await ctx.runProbe(['status']);
      expectEq(p.status?.NoNewPrivs, '1', 'NoNewPrivs with noNewPrivileges true');
      ctx.config.process.noNewPrivileges = false;
      const q = await ctx.runProbe(['status'], { id: ctx.newId() });
      expectEq(q.status?.NoNewPrivs, '0', 'NoNewPrivs with noNewPrivileges false');
    },
  },
  {
    id: 'oom-score-adj-set',
    spec: S,
    section: 'linux-process',
    level: 'MUST',
    requirement: 'If oomScoreAdj is set, the runtime MUST set oom_score_adj to the given value.',
    async run(ctx) {
      ctx.config.process.oomScoreAdj = 321;
      const p = await ctx.runProbe(['oom']);
      expectEq(p.oomScoreAdj, 321, 'oom_score_adj');
    },
  },
  {
    id: 'oom-score-adj-unset',
    spec: S,
    section: 'linux-process',
    level: 'MUST NOT',
    requirement: 'If oomScoreAdj is not set, the runtime MUST NOT change the value of oom_score_adj.',
    async run(ctx) {
      const mine = Number(fs.readFileSync('/proc/self/oom_score_adj', 'utf8'));
      const p = await ctx.runProbe(['oom']);
      expectEq(p.oomScoreAdj, mine, "oom_score_adj (the runner's value, inherited by the runtime)");
    },
  },
  {
    id: 'hostname',
    spec: S,
    section: 'hostname',
    level: 'MUST',
    requirement: "hostname (string, OPTIONAL) specifies the container's hostname as seen by processes running inside the container.",
    async run(ctx) {
      ctx.config.hostname = 'conformance-host';
      const p = await ctx.runProbe(['uts']);
      expectEq(p.uts?.nodename, 'conformance-host', 'nodename');
    },
  },
  {
    id: 'domainname',
    spec: S,
    section: 'domainname',
    level: 'MUST',
    requirement: "domainname (string, OPTIONAL) specifies the container's domainname as seen by processes running inside the container.",
    async run(ctx) {
      ctx.config.domainname = 'conformance.example';
      const p = await ctx.runProbe(['uts']);
      expectEq(p.uts?.domainname, 'conformance.example', 'domainname');
    },
  },
  {
    id: 'annotations-unknown-keys',
    spec: S,
    section: 'annotations',
    level: 'MUST NOT',
    requirement: 'Implementations that are reading/processing this configuration file MUST NOT generate an error if they encounter an unknown annotation key.',
    async run(ctx) {
      ctx.config.annotations = { 'org.example.conformance.unknown': 'v', 'com.example.x': '' };
      await ctx.runProbe(['ids']);
    },
  },
  {
    id: 'extensibility-unknown-properties',
    spec: S,
    section: 'extensibility',
    level: 'MUST NOT',
    requirement:
      'Runtimes that are reading or processing this configuration file MUST NOT generate an error if they encounter an unknown property. Instead they MUST ignore unknown properties.',
    async run(ctx) {
      ctx.config.conformanceUnknown = { a: 1 };
      ctx.config.process.conformanceUnknown = 'x';
      ctx.config.linux.conformanceUnknown = [1, 2];
      ctx.config.root.conformanceUnknown = true;
      await ctx.runProbe(['ids']);
    },
  },
  {
    id: 'valid-values-namespace-type',
    spec: S,
    section: 'valid-values',
    level: 'MUST',
    requirement: 'Runtimes that are reading or processing this configuration file MUST generate an error when invalid or unsupported values are encountered.',
    async run(ctx) {
      ctx.config.linux.namespaces.push({ type: 'conformance-bogus' });
      await expectCreateError(ctx, 'namespace type "conformance-bogus"');
    },
  },
];
