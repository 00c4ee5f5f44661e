// The runtimes under test. Each is an argv prefix that takes runc's command
// line (`--root R create --bundle B ID`, `start ID`, ...), with its own
// --root under the benchmark's temp dir.

import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { settle, timedSync, type CallResult, type Spawner } from './exec.ts';

export interface Runtime {
  name: string;
  /** safe for container ids and file names */
  label: string;
  argv: string[];
  root: string;
  /** shown in the report (e.g. how crun is run) */
  note?: string;
  version?: string;
  /** ids created and not yet deleted: deleted with `delete -f` on cleanup */
  live: Set<string>;
}

export interface Skipped {
  name: string;
  reason: string;
}

export function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

export const CRUN_NOTE =
  'crun refuses hybrid cgroup hosts; it runs through bench/crun-hybrid.sh: a private mount namespace ' +
  '(`unshare -m`) with /sys/fs/cgroup/unified unmounted and `crun --cgroup-manager=disabled` ' +
  '(so crun creates no cgroups; its figures include the unshare+sh+umount overhead).';

export function resolveRuntime(name: string, repo: string, benchDir: string, tmp: string, sp: Spawner): Runtime | Skipped {
  let argv: string[];
  let note: string | undefined;
  switch (name) {
    case 'tsrun': {
      const p = join(repo, 'bin', 'tsrun');
      if (!existsSync(p)) return { name, reason: `${p} does not exist yet` };
      argv = [p];
      break;
    }
    case 'runc': {
      const p = which('runc');
      if (!p) return { name, reason: 'runc not found in PATH' };
      argv = [p];
      break;
    }
    case 'crun': {
      if (!which('crun')) return { name, reason: 'crun not found in PATH' };
      if (!which('unshare')) return { name, reason: 'unshare (util-linux) not found in PATH' };
      argv = [join(benchDir, 'crun-hybrid.sh')];
      note = CRUN_NOTE;
      break;
    }
    default: {
      // any other name: an executable path or command taking runc's CLI
      const p = name.includes('/') ? name : which(name);
      if (!p || !existsSync(p)) return { name, reason: `${name}: not found` };
      argv = [p];
    }
  }
  const v = timedSync(sp, [...argv, '--version'], 20_000);
  if (!v.ok) {
    const lines = v.output
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const why = lines.find((l) => /error|cannot|not found|denied/i.test(l)) ?? lines[lines.length - 1] ?? '';
    return { name, reason: `\`${v.cmd}\` failed (exit ${v.status ?? v.signal}): ${why.slice(0, 300)}` };
  }
  const label = (basename(name).replace(/[^A-Za-z0-9_-]/g, '_') || 'rt').slice(0, 24);
  const root = join(tmp, `root-${label}-${Math.random().toString(36).slice(2, 6)}`);
  mkdirSync(root, { recursive: true });
  const rt: Runtime = { name, label, argv, root, live: new Set(), version: v.output.split('\n')[0] ?? '' };
  if (note !== undefined) rt.note = note;
  return rt;
}

export function rtArgv(rt: Runtime, args: readonly string[]): string[] {
  return [...rt.argv, '--root', rt.root, ...args];
}

export class CallError extends Error {
  constructor(
    readonly phase: string,
    readonly result: CallResult,
  ) {
    super(
      `${phase}: \`${result.cmd}\` ${
        result.signal ? `killed by ${result.signal}` : `exited ${result.status}`
      }${result.output ? `: ${result.output.split('\n').slice(0, 3).join(' | ')}` : ''}`,
    );
  }
}

/** Run a runtime subcommand, timed; throws CallError on failure. */
export function call(sp: Spawner, rt: Runtime, phase: string, args: readonly string[]): CallResult {
  settle(sp.settleMs);
  const r = timedSync(sp, rtArgv(rt, args));
  if (!r.ok) throw new CallError(phase, r);
  return r;
}

/** Parse `state` output; returns the status or null. */
export function parseStatus(r: CallResult): string | null {
  // stdout and stderr share the log file: look for the field, don't parse.
  const m = /"status"\s*:\s*"([^"]+)"/.exec(r.output);
  return m?.[1] ?? null;
}

/** Best effort: `delete -f` every container this run created and still holds. */
export function forceDeleteAll(sp: Spawner, rt: Runtime): string[] {
  const failed: string[] = [];
  for (const id of [...rt.live]) {
    const r = timedSync(sp, rtArgv(rt, ['delete', '-f', id]), 30_000);
    if (r.ok || /does not exist|not exist|No such/i.test(r.output)) rt.live.delete(id);
    else failed.push(`${id}: ${r.output.split('\n')[0] ?? ''}`);
  }
  return failed;
}
