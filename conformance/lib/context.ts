// One Ctx per case: its own temp dir, bundle, --root and container ids, and a
// cleanup that runs whatever the runtime did (kill -9, delete -f, stray pids,
// cgroup dirs, mounts under the temp dir) and reports what it had to remove.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exec, killGroup, pidAlive, sleep, type ExecResult } from './exec.ts';
import { baseConfig, type Config } from './config.ts';
import { fail, skip } from './case.ts';
import type { Features, Host } from './host.ts';

export interface RunnerOptions {
  runtime: string;
  runtimeArgs: string[];
  host: Host;
  features: Features;
  template: string;
  workDir: string;
  skipAreas: Set<string>;
  allowRootCgroups: boolean;
  timeoutMs: number;
  /** ociVersion written into every config.json. */
  ociVersion: string;
  /** Owner and mode of the host's default device nodes when the run began. */
  hostDevices?: Map<string, DevStat>;
}

export interface DevStat {
  uid: number;
  gid: number;
  mode: number;
}

/** The host device nodes a runtime bind-mounts into containers (user namespaces). */
export const HOST_DEVICES = ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty'];

export function snapshotDevices(): Map<string, DevStat> {
  const m = new Map<string, DevStat>();
  for (const d of HOST_DEVICES) {
    try {
      const st = fs.statSync(d);
      m.set(d, { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 });
    } catch {
      // absent on this host
    }
  }
  return m;
}

/**
 * A runtime that chowns or chmods a bind-mounted device node changes the
 * host's node. Report it and put the node back, so later cases (and the
 * host) are not affected.
 */
export function restoreDevices(before: Map<string, DevStat>): string[] {
  const leaks: string[] = [];
  for (const [d, want] of before) {
    try {
      const st = fs.statSync(d);
      const now = { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 };
      if (now.uid === want.uid && now.gid === want.gid && now.mode === want.mode) continue;
      fs.chownSync(d, want.uid, want.gid);
      fs.chmodSync(d, want.mode);
      const f = (x: DevStat): string => `${x.uid}:${x.gid} ${x.mode.toString(8).padStart(4, '0')}`;
      leaks.push(`host ${d} changed from ${f(want)} to ${f(now)} (restored)`);
    } catch (e) {
      leaks.push(`could not check or restore host ${d}: ${(e as Error).message}`);
    }
  }
  return leaks;
}

export type State = Record<string, any>;

export class Ctx {
  readonly dir: string;
  readonly bundle: string;
  readonly rootfs: string;
  readonly root: string;
  readonly id: string;
  config: Config;
  private readonly ids = new Set<string>();
  private readonly pids = new Set<number>();
  private readonly groups = new Set<number>();
  private readonly cleanups: (() => Promise<void> | void)[] = [];
  private seq = 0;

  constructor(
    readonly opts: RunnerOptions,
    caseId: string,
  ) {
    const safe = caseId.replace(/[^a-zA-Z0-9]+/g, '-').slice(0, 40);
    this.dir = fs.mkdtempSync(path.join(opts.workDir, `${safe}-`));
    fs.chmodSync(this.dir, 0o755); // user-namespaced containers must reach the rootfs
    this.root = path.join(this.dir, 'state');
    fs.mkdirSync(this.root);
    this.id = `ct-${path.basename(this.dir)}`.toLowerCase();
    this.bundle = path.join(this.dir, 'bundle');
    this.rootfs = this.makeBundle(this.bundle);
    this.config = baseConfig(this.id);
    this.config.ociVersion = opts.ociVersion;
  }

  get host(): Host {
    return this.opts.host;
  }

  get features(): Features {
    return this.opts.features;
  }

  /** A bundle dir with a fresh copy of the template rootfs. */
  makeBundle(bundle: string): string {
    fs.mkdirSync(bundle, { recursive: true });
    const rootfs = path.join(bundle, 'rootfs');
    fs.cpSync(this.opts.template, rootfs, { recursive: true, verbatimSymlinks: true });
    return rootfs;
  }

  /** Another unique container id for cases that need more than one. */
  newId(): string {
    return `${this.id}-${++this.seq}`;
  }

  /** Where create sent the container's stdout. */
  outFile(id = this.id): string {
    return this.file(`${safeName(id)}.out`);
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  writeConfig(cfg: Config = this.config, bundle = this.bundle): void {
    fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(cfg, null, 2));
  }

  /** The runtime command line with the global flags. */
  rt(args: string[], extra: { stdoutFd?: number; stderrFd?: number; timeoutMs?: number; input?: string; cwd?: string } = {}): Promise<ExecResult> {
    return exec(this.opts.runtime, [...this.opts.runtimeArgs, '--root', this.root, ...args], {
      timeoutMs: extra.timeoutMs ?? this.opts.timeoutMs,
      ...extra,
    });
  }

  /**
   * `create --bundle B ID` with the container's stdout/stderr going to files
   * (create passes its stdio to the container process).
   */
  async create(
    o: { id?: string; bundle?: string; args?: string[]; write?: boolean; bundleArg?: string; cwd?: string } = {},
  ): Promise<ExecResult & { out: string; err: string }> {
    const id = o.id ?? this.id;
    const bundle = o.bundle ?? this.bundle;
    // Each container its own cgroup: two live containers sharing one
    // cgroupsPath is a case of its own, not a side effect of the harness.
    if (o.write !== false && bundle === this.bundle) {
      const shared = `tsrun-conformance/${this.id}`;
      const cfg = this.config;
      const own = id !== this.id && cfg.linux?.cgroupsPath === shared;
      this.writeConfig(own ? { ...cfg, linux: { ...cfg.linux, cgroupsPath: `tsrun-conformance/${id}` } } : cfg);
    }
    this.ids.add(id);
    const out = this.outFile(id);
    const err = this.file(`${safeName(id)}.err`);
    const outFd = fs.openSync(out, 'a');
    const errFd = fs.openSync(err, 'a');
    try {
      // bundleArg/cwd: the bundle as given on the command line (e.g. relative to cwd).
      const r = await this.rt(['create', '--bundle', o.bundleArg ?? bundle, ...(o.args ?? []), id], { stdoutFd: outFd, stderrFd: errFd, cwd: o.cwd });
      const stderr = fs.readFileSync(err, 'utf8');
      const summary = r.timedOut || r.code !== 0 ? `${r.summary}${stderr.trim() ? ` (${lastLines(stderr)})` : ''}` : r.summary;
      await this.notePid(id);
      return { ...r, stderr, summary, out, err };
    } finally {
      fs.closeSync(outFd);
      fs.closeSync(errFd);
    }
  }

  async start(id = this.id): Promise<ExecResult> {
    return this.rt(['start', id]);
  }

  async kill(signal: string, id = this.id): Promise<ExecResult> {
    return this.rt(['kill', id, signal]);
  }

  async delete(id = this.id, force = false): Promise<ExecResult> {
    return this.rt(['delete', ...(force ? ['--force'] : []), id]);
  }

  /** `state ID`, parsed; `state` is undefined when the call failed. */
  async state(id = this.id): Promise<{ res: ExecResult; state: State | undefined }> {
    const res = await this.rt(['state', id]);
    if (res.code !== 0) return { res, state: undefined };
    try {
      return { res, state: JSON.parse(res.stdout) as State };
    } catch {
      return { res, state: undefined };
    }
  }

  private async notePid(id: string): Promise<void> {
    const { state } = await this.state(id);
    if (state && typeof state.pid === 'number' && state.pid > 0) this.pids.add(state.pid);
  }

  /** Polls `state` until the status is `want`; returns the last state seen. */
  async waitStatus(want: string, id = this.id, timeoutMs = 5000): Promise<State | undefined> {
    const end = Date.now() + timeoutMs;
    let last: State | undefined;
    while (Date.now() < end) {
      last = (await this.state(id)).state;
      if (last?.status === want) return last;
      await sleep(50);
    }
    return last;
  }

  /** Fails the case when a runtime call that should succeed did not. */
  must(r: ExecResult, what: string): void {
    if (r.code !== 0 || r.timedOut) fail(`${what} failed: ${r.summary}`);
  }

  /**
   * The usual flow: the process is the probe with `args`; create, start,
   * wait for stopped, parse its JSON, delete.
   */
  async runProbe(args: string[], o: { id?: string; keep?: boolean } = {}): Promise<Record<string, any>> {
    this.config.process.args = ['/bin/probe', ...args];
    return this.runConfigured(o);
  }

  /** create/start/wait/delete with the config as it is; the JSON on stdout. */
  async runConfigured(o: { id?: string; keep?: boolean } = {}): Promise<Record<string, any>> {
    const id = o.id ?? this.id;
    const c = await this.create({ id });
    this.must(c, 'create');
    this.must(await this.start(id), 'start');
    const st = await this.waitStatus('stopped', id);
    if (st?.status !== 'stopped') fail(`container did not stop; last state ${JSON.stringify(st)}`);
    const out = fs.readFileSync(c.out, 'utf8');
    if (!o.keep) this.must(await this.delete(id), 'delete');
    return parseProbe(out, fs.readFileSync(c.err, 'utf8'));
  }

  /** Register a process of the case's own (namespace holders, receivers). */
  track(pid: number | undefined, group = false): void {
    if (!pid) return;
    (group ? this.groups : this.pids).add(pid);
  }

  onCleanup(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn);
  }

  /** Skips unless the host has what the case needs. */
  need(cond: boolean, reason: string): void {
    if (!cond) skip(reason);
  }

  /**
   * A runtime's `features` output may declare a value unsupported. Then the
   * spec's rule for unsupported values applies: create MUST fail. This turns
   * that into a skip (it did) or a fail (it accepted it silently).
   */
  async declaredUnsupported(supported: boolean | undefined, what: string): Promise<void> {
    if (supported !== false) return;
    const c = await this.create();
    if (c.code !== 0) skip(`runtime declares ${what} unsupported (features) and rejects it at create, as config.md "Valid values" requires`);
    fail(`runtime declares ${what} unsupported (features) but create accepted it without an error`);
  }

  /** Kills and deletes everything; returns what had to be removed by force. */
  async cleanup(): Promise<string[]> {
    const leaks: string[] = [];
    for (const fn of this.cleanups.reverse()) {
      try {
        await fn();
      } catch (e) {
        leaks.push(`cleanup hook failed: ${(e as Error).message}`);
      }
    }
    for (const id of this.ids) {
      const { state } = await this.state(id);
      if (state) {
        if (typeof state.pid === 'number' && state.pid > 0) this.pids.add(state.pid);
        await this.kill('KILL', id);
        const d = await this.delete(id, true);
        if (d.code !== 0) leaks.push(`delete --force ${id}: ${d.summary}`);
      }
    }
    for (const g of this.groups) killGroup(g);
    for (const pid of this.pids) {
      if (pidAlive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // raced with its exit
        }
        leaks.push(`process ${pid} still alive after delete`);
      }
    }
    await sleep(20);
    leaks.push(...removeCgroups(this.id, this.opts.host));
    try {
      // Hidden entries are a runtime's caches shared by its containers (tsrun
      // keeps compiled seccomp programs in .seccomp-cache), not container state.
      const left = fs.readdirSync(this.root).filter((name) => !name.startsWith('.'));
      if (left.length) leaks.push(`runtime root not empty after delete: ${left.join(', ')}`);
    } catch {
      // root removed by the runtime
    }
    if (this.opts.hostDevices) leaks.push(...restoreDevices(this.opts.hostDevices));
    for (const m of mountsUnder(this.dir)) {
      leaks.push(`mount left at ${m}`);
      await exec('umount', ['-l', m], { timeoutMs: 5000 });
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
    return leaks;
  }
}

function safeName(id: string): string {
  return `ct-${id.replace(/[^a-zA-Z0-9_.-]/g, '_')}`;
}

function lastLines(s: string): string {
  return s.trim().split('\n').slice(-2).join(' | ').slice(0, 300);
}

export function parseProbe(out: string, err: string): Record<string, any> {
  const line = out
    .replace(/\r/g, '')
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) fail(`probe printed no JSON; stdout ${JSON.stringify(out.slice(0, 200))}, stderr ${JSON.stringify(err.slice(-300))}`);
  try {
    return JSON.parse(line) as Record<string, any>;
  } catch {
    fail(`probe output is not JSON: ${line.slice(0, 200)}`);
  }
}

/** Mount points under dir in the runner's mount namespace, deepest first. */
export function mountsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (mp && (mp === dir || mp.startsWith(`${dir}/`))) out.push(mp.replace(/\\040/g, ' '));
  }
  return out.sort((a, b) => b.length - a.length);
}

/** The runner's own cgroup per hierarchy mount point. */
export function ownCgroups(host: Host): Map<string, string> {
  const own = new Map<string, string>();
  for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    const [, ctrls, p] = line.split(':');
    if (p === undefined || ctrls === undefined) continue;
    if (ctrls === '') {
      if (host.cgroupV2) own.set(host.cgroupV2.mount, p);
      continue;
    }
    for (const c of ctrls.split(',')) {
      const mnt = host.cgroupV1.get(c) ?? (c.startsWith('name=') ? `/sys/fs/cgroup/${c.slice(5)}` : undefined);
      if (mnt) own.set(mnt, p);
    }
  }
  return own;
}

/** rmdir the cgroups a runtime left for this container id (ours only). */
export function removeCgroups(id: string, host: Host): string[] {
  const leaks: string[] = [];
  for (const [mnt, own] of ownCgroups(host)) {
    for (const base of [path.join(mnt, own, 'tsrun-conformance', id), path.join(mnt, 'tsrun-conformance', id)]) {
      if (!fs.existsSync(base)) continue;
      leaks.push(`cgroup left: ${base}`);
      const dirs: string[] = [];
      const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
        dirs.push(d);
      };
      try {
        walk(base);
        for (const d of dirs) fs.rmdirSync(d);
      } catch (e) {
        leaks.push(`could not remove ${base}: ${(e as Error).message}`);
      }
    }
  }
  return leaks;
}
