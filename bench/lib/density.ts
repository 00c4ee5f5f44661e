// Density: start K containers running `sleep`, one at a time (jobs = 1) or
// with `jobs` in parallel, each by `create` + `start`; then measure
//   containers_per_s       K / wall time of starting all K
//   mem_per_container_kib  (MemAvailable before - after) / K
//   leftover_processes     processes left on the host that are neither
//                          container processes nor existed before (procs.ts)
//   teardown_s             wall time of `kill ID KILL` + `delete -f ID` for all
//   cpu_ms_per_container   busy time of all CPUs while the K started, less the
//                          benchmark's own, / K: the CPU one container's
//                          create + start costs the machine. With P cores,
//                          no parallelism starts more than P*1000/cpu_ms a second.
// with the same parallelism for start and teardown.

import { join } from 'node:path';
import { sleep, timedAsync, type Spawner } from './exec.ts';
import { cpuBusyMs, kernelMemKiB, leftovers, listProcs, memAvailableKiB, procKey, type ProcInfo } from './procs.ts';
import { CallError, rtArgv, type Runtime } from './runtimes.ts';
import { round } from './stats.ts';

export interface DensityResult {
  containers_per_s: number;
  mem_per_container_kib: number;
  leftover_processes: number;
  teardown_s: number;
  k: number;
  jobs: number;
  start_s: number;
  mem_before_kib: number;
  mem_after_kib: number;
  /** cross-check: (MemAvailable after teardown, settled - while running) / K */
  mem_freed_per_container_kib: number;
  mem_after_teardown_kib: number;
  /** growth of unreclaimable kernel memory per container (SUnreclaim+KernelStack+PageTables+Percpu) */
  kernel_mem_per_container_kib: number;
  /** busy CPU time of the whole machine per container while starting, less the benchmark's own (ms); absent in runs before 2026-12-01 */
  cpu_ms_per_container?: number;
  leftover_sample: string[];
}

export interface DensityCtx {
  tmp: string;
  env: NodeJS.ProcessEnv;
  markerAssignment: string;
  /** strings whose presence in a command line marks a process as ours */
  needles: string[];
  interrupted: () => boolean;
}

/** Median of `n` MemAvailable readings `gapMs` apart (smooths page-cache jitter). */
export async function memSample(n = 5, gapMs = 200): Promise<{ avail: number; kernel: number }> {
  const v: number[] = [];
  const k: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i) await sleep(gapMs);
    v.push(memAvailableKiB());
    k.push(kernelMemKiB());
  }
  const mid = (a: number[]): number => a.sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? Number.NaN;
  return { avail: mid(v), kernel: mid(k) };
}

/** Wait until MemAvailable moves less than 4 MiB in 500 ms (at most maxMs). */
export async function settleMemory(maxMs = 8000): Promise<void> {
  let prev = memAvailableKiB();
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    await sleep(500);
    const cur = memAvailableKiB();
    if (Math.abs(cur - prev) < 4096) return;
    prev = cur;
  }
}

async function pool<T>(items: readonly T[], jobs: number, fn: (item: T, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const worker = async (w: number): Promise<void> => {
    while (failure === null) {
      const i = next++;
      if (i >= items.length) return;
      try {
        await fn(items[i] as T, w);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, (_, w) => worker(w)));
  if (failure !== null) throw failure;
}

export async function density(rt: Runtime, bundle: string, k: number, jobs: number, idPrefix: string, ctx: DensityCtx): Promise<DensityResult> {
  const spawners: Spawner[] = Array.from({ length: jobs }, (_, w) => ({
    env: ctx.env,
    logFile: join(ctx.tmp, `log-${rt.label}-density-${w}`),
  }));
  const ids = Array.from({ length: k }, (_, i) => `${idPrefix}-${i}`);
  const check = (): void => {
    if (ctx.interrupted()) throw new Error('interrupted');
  };
  const must = async (w: number, phase: string, args: string[]): Promise<void> => {
    const sp = spawners[w];
    if (!sp) throw new Error(`no spawner ${w}`);
    const r = await timedAsync(sp, rtArgv(rt, args));
    if (!r.ok) throw new CallError(`density ${phase}`, r);
  };

  await settleMemory();
  const memBefore = await memSample();
  const before = new Set(listProcs(null).map(procKey));

  const cpu0 = cpuBusyMs();
  const own0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await pool(ids, jobs, async (id, w) => {
    check();
    rt.live.add(id);
    await must(w, 'create', ['create', '--bundle', bundle, id]);
    await must(w, 'start', ['start', id]);
  });
  const startS = Number(process.hrtime.bigint() - t0) / 1e9;
  const own = process.cpuUsage(own0);
  const cpuMs = cpuBusyMs() - cpu0 - (own.user + own.system) / 1000;

  await sleep(500);
  const memAfter = await memSample();
  const left: ProcInfo[] = leftovers(before, ctx.markerAssignment, [...ctx.needles, idPrefix]);

  check();
  const t1 = process.hrtime.bigint();
  await pool(ids, jobs, async (id, w) => {
    await must(w, 'kill', ['kill', id, 'KILL']);
    await must(w, 'delete', ['delete', '-f', id]);
    rt.live.delete(id);
  });
  const teardownS = Number(process.hrtime.bigint() - t1) / 1e9;
  await settleMemory();
  const memTeardown = await memSample();

  return {
    containers_per_s: round(k / startS, 1),
    mem_per_container_kib: round((memBefore.avail - memAfter.avail) / k, 0),
    leftover_processes: left.length,
    teardown_s: round(teardownS, 2),
    k,
    jobs,
    start_s: round(startS, 2),
    mem_before_kib: memBefore.avail,
    mem_after_kib: memAfter.avail,
    mem_freed_per_container_kib: round((memTeardown.avail - memAfter.avail) / k, 0),
    mem_after_teardown_kib: memTeardown.avail,
    kernel_mem_per_container_kib: round((memAfter.kernel - memBefore.kernel) / k, 0),
    cpu_ms_per_container: round(cpuMs / k, 1),
    leftover_sample: left.slice(0, 5).map((p) => `${p.pid} ${p.comm}: ${p.cmdline.slice(0, 120)}`),
  };
}
