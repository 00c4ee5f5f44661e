// The memory a foreground `run` holds while its container runs: an engine
// that runs containers in the foreground (no terminal) keeps one such
// process per container. Per round and runtime: start `run --bundle B ID`
// (container process: sleep) without waiting for it, wait until `state`
// says running and a little more (so that the runtime reaches its waiting
// state), then sum VmRSS over the runtime's own processes: the process the
// benchmark started and its descendants in the host pid namespace (the
// container's processes live in the container's pid namespace and are not
// counted). Then `kill ID KILL`; the foreground run ends, and its
// container is removed (`delete -f` if the runtime left it).

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { sleep, timedSync, type Spawner } from './exec.ts';
import { hostPidns, listProcs } from './procs.ts';
import { CallError, call, parseStatus, rtArgv, type Runtime } from './runtimes.ts';
import { quantile } from './stats.ts';

export interface WaitingRunRss {
  /** median over the rounds of VmRSS summed over the runtime's own processes (KiB) */
  rss_kib: number;
  /** median VmRSS of the process the benchmark started (KiB) */
  rss_main_kib: number;
  /** runtime processes while waiting (median) */
  processes: number;
  rounds: number;
  samples_kib: number[];
}

/** One sample: the runtime's processes while its foreground run waits. */
export interface RssSample {
  total_kib: number;
  main_kib: number;
  processes: number;
}

export function vmRssKiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** `root` and its descendants that live in the host pid namespace. */
export function runtimeProcesses(root: number): number[] {
  const ns = hostPidns();
  const procs = listProcs(null);
  const children = new Map<number, number[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const inHostNs = new Set(procs.filter((p) => p.pidns === ns).map((p) => p.pid));
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    if (!inHostNs.has(pid)) continue;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** One round for one runtime. Throws CallError/Error on failure, after cleaning up. */
export async function waitingRunSample(sp: Spawner, rt: Runtime, bundle: string, id: string, settleMs = 300): Promise<RssSample> {
  const [file, ...args] = rtArgv(rt, ['run', '--bundle', bundle, id]);
  const logFile = `${sp.logFile}-run`;
  const out = openSync(logFile, 'w');
  rt.live.add(id);
  const child = spawn(file!, args, { stdio: ['ignore', out, out], env: sp.env, detached: true });
  closeSync(out);
  let sample: RssSample;
  try {
    const until = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        const log = readFileSync(logFile, 'utf8').trim().slice(0, 500);
        throw new Error(`run exited (${child.exitCode ?? child.signalCode}) before its container was running: ${log}`);
      }
      const q = timedSync(sp, rtArgv(rt, ['state', id]));
      if (q.ok && parseStatus(q) === 'running') break;
      if (Date.now() > until) throw new Error(`container of \`run\` not running after 10 s: ${q.output}`);
      await sleep(20);
    }
    await sleep(settleMs);
    const pids = runtimeProcesses(child.pid!);
    const rss = pids.map(vmRssKiB);
    sample = { total_kib: rss.reduce((a: number, b) => a + (b ?? 0), 0), main_kib: vmRssKiB(child.pid!) ?? 0, processes: pids.length };
  } catch (err) {
    await stopWaitingRun(sp, rt, child, id, false);
    throw err;
  }
  await stopWaitingRun(sp, rt, child, id, true);
  return sample;
}

/** Kills and deletes the container of a waiting run; `report`: a failure of it is the round's error. */
async function stopWaitingRun(sp: Spawner, rt: Runtime, child: ChildProcess, id: string, report: boolean): Promise<void> {
  const k = timedSync(sp, rtArgv(rt, ['kill', id, 'KILL']));
  if (!(await exited(child, 10_000))) child.kill('SIGKILL');
  await exited(child, 2000);
  const st = timedSync(sp, rtArgv(rt, ['state', id]));
  try {
    if (st.ok) call(sp, rt, 'delete after run', ['delete', '-f', id]);
  } catch (e) {
    if (report) throw k.ok ? e : new CallError('kill of the waiting run', k);
  } finally {
    rt.live.delete(id);
  }
}

export function summarizeRss(samples: RssSample[]): WaitingRunRss {
  const med = (xs: number[]): number => Math.round(quantile(xs, 0.5));
  return {
    rss_kib: med(samples.map((s) => s.total_kib)),
    rss_main_kib: med(samples.map((s) => s.main_kib)),
    processes: med(samples.map((s) => s.processes)),
    rounds: samples.length,
    samples_kib: samples.map((s) => s.total_kib),
  };
}
