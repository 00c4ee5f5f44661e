// Spawning measured commands. Every measured command is spawned from Node
// (spawnSync, or spawn for the parallel density mode) and timed by wall
// clock with process.hrtime.bigint() around the spawn. Children:
//  - get an environment without NODE_EXTRA_CA_CERTS (it costs ~40 ms per
//    node start) and with a marker variable so that any process a runtime
//    leaves behind can be recognised on the host (see procs.ts);
//  - run in their own session (setsid) so that Ctrl-C on the terminal reaches
//    the benchmark, which then cleans up, instead of killing a runtime halfway
//    through creating a container;
//  - get /dev/null as stdin and a log file as stdout/stderr. A file, not a
//    pipe: a detached container inherits the runtime's stdio, and a pipe held
//    open by the container would keep spawnSync waiting forever.

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export const MARKER_VAR = 'TSRUN_BENCH_RUN';

export function childEnv(marker: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, [MARKER_VAR]: marker };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

export interface CallResult {
  ok: boolean;
  ms: number;
  status: number | null;
  signal: string | null;
  output: string;
  cmd: string;
}

export interface Spawner {
  env: NodeJS.ProcessEnv;
  /** log file receiving the child's stdout+stderr (truncated per call) */
  logFile: string;
  /** idle time before each timed latency call and floor (see settle) */
  settleMs?: number;
}

/**
 * Blocks for `ms` before a timed call, so that it starts from a quiet
 * kernel and not inside the state the call before left. On a cgroup v1
 * host the first cgroup.procs write after a quiet spell waits for an RCU
 * grace period (the cgroup threadgroup lock) and writes within about one
 * grace period of another do not: back to back, a runtime's create was
 * timed with or without that wait depending on which call ran before it.
 */
export function settle(ms: number | undefined): void {
  if (ms && ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function describe(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().slice(0, 2000);
  } catch {
    return '';
  }
}

/** Run argv to completion, timing it. Never throws for a failing command. */
export function timedSync(sp: Spawner, argv: readonly string[], timeoutMs = 60_000): CallResult {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('empty argv');
  const fd = openSync(sp.logFile, 'w');
  let r: ReturnType<typeof spawnSync>;
  let t0: bigint;
  let t1: bigint;
  try {
    t0 = process.hrtime.bigint();
    r = spawnSync(file, args, {
      stdio: ['ignore', fd, fd],
      env: sp.env,
      detached: true,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    } as Parameters<typeof spawnSync>[2]);
    t1 = process.hrtime.bigint();
  } finally {
    closeSync(fd);
  }
  const ms = Number(t1 - t0) / 1e6;
  let output = readLog(sp.logFile);
  if (r.error) output = `${r.error.message}${output ? `\n${output}` : ''}`;
  return {
    ok: !r.error && r.status === 0,
    ms,
    status: r.status,
    signal: r.signal,
    output,
    cmd: describe(argv),
  };
}

/** Async variant (for the parallel density mode). */
export function timedAsync(sp: Spawner, argv: readonly string[], timeoutMs = 60_000): Promise<CallResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('empty argv');
  return new Promise((resolve) => {
    const fd = openSync(sp.logFile, 'w');
    const t0 = process.hrtime.bigint();
    let done = false;
    const finish = (status: number | null, signal: string | null, err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      let output = readLog(sp.logFile);
      if (err) output = `${err.message}${output ? `\n${output}` : ''}`;
      resolve({ ok: !err && status === 0, ms, status, signal, output, cmd: describe(argv) });
    };
    const child = spawn(file, args, { stdio: ['ignore', fd, fd], env: sp.env, detached: true });
    closeSync(fd);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => finish(null, null, e));
    child.on('exit', (code, sig) => finish(code, sig));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Let pending signal handlers (Ctrl-C) run between synchronous spawns. */
export function yieldLoop(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
