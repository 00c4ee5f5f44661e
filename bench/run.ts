// tsrun benchmark (issues 4 and 11).
//
//   npm run bench -- [--runtimes tsrun,runc,crun] [--iterations N] [--density K]
//                    [--density-jobs J] [--density-big K] [--rss-rounds N] [--settle MS]
//                    [--warmup W] [--out DIR]
//
// See bench/README.md for what each figure means.

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makeBundle } from './lib/bundle.ts';
import { cgroupFloor, type CgroupFloor } from './lib/cgroup-floor.ts';
import { density, type DensityCtx, type DensityResult } from './lib/density.ts';
import { childEnv, MARKER_VAR, settle, sleep, timedSync, yieldLoop, type Spawner } from './lib/exec.ts';
import { markedHostProcs } from './lib/procs.ts';
import { computeTargets, renderMarkdown } from './lib/report.ts';
import { call, CRUN_NOTE, forceDeleteAll, parseStatus, resolveRuntime, rtArgv, which, type Runtime, type Skipped } from './lib/runtimes.ts';
import { summarize } from './lib/stats.ts';
import { renderSvg } from './lib/svg.ts';
import {
  isFailed,
  LIFECYCLE_PHASES,
  OPTIONAL_PHASES,
  type BenchJson,
  type Density,
  type Failed,
  type OptionalPhase,
  type RuntimeResults,
} from './lib/types.ts';
import { summarizeRss, waitingRunSample, type RssSample } from './lib/waiting-run.ts';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repo = resolve(benchDir, '..');

const USAGE = `usage: npm run bench -- [options]
  --runtimes LIST     comma-separated runtimes (default tsrun,runc,crun);
                      tsrun = <repo>/bin/tsrun, runc from PATH, crun via bench/crun-hybrid.sh,
                      anything else: a command or path taking runc's command line
  --iterations N      measured iterations of run/lifecycle/exec/floors (default 20)
  --warmup N          unrecorded warm-up iterations (default 2)
  --density K         containers per density measurement (default 200; 0 skips density)
  --density-jobs J    parallelism of the second density mode (default 8)
  --density-big K     once more with K containers, serial only (default 0: skipped), e.g. 1000
  --rss-rounds N      rounds of the waiting foreground run's memory (default 3; 0 skips)
  --settle MS         idle time before each timed latency call and floor (default 50; 0: back to back)
  --out DIR           output directory (default bench/results)
`;

function intOpt(v: string | undefined, def: number, name: string, min: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`bench: --${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

function hostInfo(): BenchJson['host'] {
  let mem = 0;
  try {
    mem = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  } catch {
    /* ignore */
  }
  return {
    kernel: release(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    mem_total_kib: mem,
    node: process.version,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runtimes: { type: 'string' },
      iterations: { type: 'string' },
      warmup: { type: 'string' },
      density: { type: 'string' },
      'density-jobs': { type: 'string' },
      'density-big': { type: 'string' },
      'rss-rounds': { type: 'string' },
      settle: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench: must run as root (it creates containers)\n');
    return 2;
  }
  const wanted = (values.runtimes ?? 'tsrun,runc,crun')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const iterations = intOpt(values.iterations, 20, 'iterations', 1);
  const warmup = intOpt(values.warmup, 2, 'warmup', 0);
  const K = intOpt(values.density, 200, 'density', 0);
  const jobs = intOpt(values['density-jobs'], 8, 'density-jobs', 1);
  const bigK = intOpt(values['density-big'], 0, 'density-big', 0);
  const rssRounds = intOpt(values['rss-rounds'], 3, 'rss-rounds', 0);
  const settleMs = intOpt(values.settle, 50, 'settle', 0);
  const outDir = resolve(values.out ?? join(benchDir, 'results'));

  const started = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), 'tsrun-bench-'));
  const marker = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const markerAssignment = `${MARKER_VAR}=${marker}`;
  const env = childEnv(marker);
  const sp: Spawner = { env, logFile: join(tmp, 'log-main'), settleMs };
  const idp = `tb${randomBytes(3).toString('hex')}`; // container id prefix, unique per run
  const runtimes: Runtime[] = [];
  const skipped: Skipped[] = [];

  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) {
      log(`${sig} again: cleaning up synchronously and exiting`);
      cleanup();
      process.exit(130);
    }
    interrupted = true;
    log(`${sig}: stopping after the current call, then cleaning up (again to force)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  const checkInterrupted = (): void => {
    if (interrupted) throw new Error('interrupted');
  };

  let cleaned = false;
  function cleanup(): void {
    if (cleaned) return;
    cleaned = true;
    for (const rt of runtimes) {
      if (rt.live.size) log(`cleanup: delete -f ${rt.live.size} ${rt.name} container(s)`);
      const failed = forceDeleteAll(sp, rt);
      if (failed.length) log(`cleanup: ${rt.name}: could not delete ${failed.length} container id(s) (perhaps never created), e.g. ${failed[0]}`);
    }
    // Anything still carrying this run's marker in the host pid namespace
    // was started by this benchmark (e.g. a resident runtime helper).
    for (const p of markedHostProcs(markerAssignment)) {
      try {
        process.kill(p.pid, 'SIGKILL');
        log(`cleanup: killed leftover pid ${p.pid} (${p.comm})`);
      } catch {
        /* gone */
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  }

  try {
    log(`temp dir ${tmp}`);
    const bundleTrue = makeBundle(join(tmp, 'bundle-true'), ['/bin/true']);
    const bundleSleep = makeBundle(join(tmp, 'bundle-sleep'), ['sleep', '1000000']);

    for (const name of wanted) {
      const r = resolveRuntime(name, repo, benchDir, tmp, sp);
      if ('reason' in r) {
        skipped.push(r);
        log(`skip ${name}: ${r.reason}`);
      } else {
        runtimes.push(r);
        log(`runtime ${name}: ${r.argv.join(' ')} (${r.version})`);
      }
    }

    type Sc = 'run' | 'create' | 'start' | 'state' | 'exec' | OptionalPhase | 'kill' | 'delete' | 'lifecycle';
    const samples = new Map<string, Record<Sc, number[]>>();
    // A failing optional phase (pause/resume/ps) fails only itself.
    const errors = new Map<string, { run?: string; lifecycle?: string } & Partial<Record<OptionalPhase, string>>>();
    for (const rt of runtimes) {
      samples.set(rt.name, {
        run: [],
        create: [],
        start: [],
        state: [],
        exec: [],
        pause: [],
        resume: [],
        ps: [],
        kill: [],
        delete: [],
        lifecycle: [],
      });
      errors.set(rt.name, {});
    }
    const floorErr: string[] = [];
    const runcPath = which('runc');
    const nodeArgv = [process.execPath, '-e', '0'];

    const runScenario = (rt: Runtime, i: number, keep: boolean): void => {
      const id = `${idp}-${rt.label}-run-${i}`;
      rt.live.add(id);
      const r = call(sp, rt, 'run', ['run', '--bundle', bundleTrue, id]);
      // `run` in the foreground removes the container when its process exits;
      // make sure (untimed) in case a runtime keeps it.
      const st = timedSync(sp, rtArgv(rt, ['state', id]));
      if (st.ok) call(sp, rt, 'delete after run', ['delete', '-f', id]);
      rt.live.delete(id);
      if (keep) samples.get(rt.name)?.run.push(r.ms);
    };

    const lifecycleScenario = async (rt: Runtime, i: number, keep: boolean): Promise<void> => {
      const id = `${idp}-${rt.label}-lc-${i}`;
      rt.live.add(id);
      const c = call(sp, rt, 'create', ['create', '--bundle', bundleSleep, id]);
      const s = call(sp, rt, 'start', ['start', id]);
      const st = call(sp, rt, 'state', ['state', id]);
      const status = parseStatus(st);
      if (status !== 'running') throw new Error(`state after start: status ${status ?? '?'} (want running): ${st.output}`);
      const ex = call(sp, rt, 'exec', ['exec', id, '/bin/true']);
      const optional = optionalPhases(rt, id);
      const k = call(sp, rt, 'kill', ['kill', id, 'KILL']);
      // Untimed: wait until the runtime reports the container stopped.
      const until = Date.now() + 5000;
      for (;;) {
        const q = timedSync(sp, rtArgv(rt, ['state', id]));
        if (q.ok && parseStatus(q) === 'stopped') break;
        if (Date.now() > until) throw new Error(`container not stopped 5 s after kill KILL: ${q.output}`);
        await sleep(5);
      }
      const d = call(sp, rt, 'delete', ['delete', id]);
      rt.live.delete(id);
      if (!keep) return;
      const sm = samples.get(rt.name);
      if (!sm) return;
      sm.create.push(c.ms);
      sm.start.push(s.ms);
      sm.state.push(st.ms);
      sm.exec.push(ex.ms);
      for (const [phase, ms] of optional) sm[phase].push(ms);
      sm.kill.push(k.ms);
      sm.delete.push(d.ms);
      sm.lifecycle.push(c.ms + s.ms + st.ms + k.ms + d.ms);
    };

    // pause, resume (checked: state says paused, then running) and ps, on
    // the running container. One failing (crun without cgroups cannot
    // freeze) is recorded for that phase and not tried again.
    const optionalPhases = (rt: Runtime, id: string): [OptionalPhase, number][] => {
      const err = errors.get(rt.name) ?? {};
      const out: [OptionalPhase, number][] = [];
      const fail = (phase: OptionalPhase, msg: string): void => {
        if (!err[phase]) log(`${rt.name} ${phase} FAILED: ${msg}`);
        err[phase] = msg;
      };
      const expect = (want: string): string | null => {
        const st = timedSync(sp, rtArgv(rt, ['state', id]));
        const status = parseStatus(st);
        return status === want ? null : `state after it: status ${status ?? '?'} (want ${want}): ${st.output}`;
      };
      let paused = false;
      if (!err.pause) {
        const r = timedSync(sp, rtArgv(rt, ['pause', id]));
        const bad = r.ok ? expect('paused') : `\`${r.cmd}\` exited ${r.status}: ${r.output.split('\n').slice(0, 3).join(' | ')}`;
        if (bad) fail('pause', bad);
        else out.push(['pause', r.ms]);
        paused = r.ok;
      }
      if (paused) {
        const r = timedSync(sp, rtArgv(rt, ['resume', id]));
        const bad = r.ok ? expect('running') : `\`${r.cmd}\` exited ${r.status}: ${r.output.split('\n').slice(0, 3).join(' | ')}`;
        if (bad) {
          fail('resume', bad);
          throw new Error(`resume failed, the container stays paused: ${bad}`);
        }
        if (!err.resume) out.push(['resume', r.ms]);
      } else if (!err.resume) {
        fail('resume', `not measured: pause failed (${err.pause ?? '?'})`);
      }
      if (!err.ps) {
        const r = timedSync(sp, rtArgv(rt, ['ps', id]));
        if (!r.ok) fail('ps', `\`${r.cmd}\` exited ${r.status}: ${r.output.split('\n').slice(0, 3).join(' | ')}`);
        else if (!/sleep/.test(r.output)) fail('ps', `the container's sleep is not listed: ${r.output.slice(0, 300)}`);
        else out.push(['ps', r.ms]);
      }
      return out;
    };

    const failGroup = (rt: Runtime, group: 'run' | 'lifecycle', e: unknown): void => {
      const msg = e instanceof Error ? e.message : String(e);
      const err = errors.get(rt.name);
      if (err) err[group] = msg;
      log(`${rt.name} ${group} FAILED: ${msg}`);
      forceDeleteAll(sp, rt);
    };

    // Latency: interleaved, start rotated per iteration.
    // Floors: `node -e 0`, `runc --version`, and when crun is measured,
    // `crun --version` direct and through the wrapper (the wrapper's cost).
    interface Floor {
      key: 'node' | 'runc_version' | 'crun_version' | 'crun_wrapper_version';
      argv: string[];
      samples: number[];
    }
    const floors: Floor[] = [{ key: 'node', argv: nodeArgv, samples: [] }];
    if (runcPath) floors.push({ key: 'runc_version', argv: [runcPath, '--version'], samples: [] });
    const crunRt = runtimes.find((r) => r.name === 'crun');
    const crunPath = which('crun');
    if (crunRt && crunPath) {
      floors.push({ key: 'crun_version', argv: [crunPath, '--version'], samples: [] });
      floors.push({ key: 'crun_wrapper_version', argv: [...crunRt.argv, '--version'], samples: [] });
    }
    type Entry = { kind: 'floor'; floor: Floor } | { kind: 'rt'; rt: Runtime };
    const entries: Entry[] = [...floors.map((floor): Entry => ({ kind: 'floor', floor })), ...runtimes.map((rt): Entry => ({ kind: 'rt', rt }))];
    const total = warmup + iterations;
    for (let it = 0; it < total; it++) {
      const keep = it >= warmup;
      const n = entries.length;
      for (let j = 0; j < n; j++) {
        const e = entries[(it + j) % n];
        if (!e) continue;
        if (e.kind === 'floor') {
          settle(settleMs);
          const r = timedSync(sp, e.floor.argv);
          if (!r.ok) floorErr.push(`${r.cmd}: ${r.output}`);
          else if (keep) e.floor.samples.push(r.ms);
        } else {
          const rt = e.rt;
          const err = errors.get(rt.name) ?? {};
          if (!err.run) {
            try {
              runScenario(rt, it, keep);
            } catch (x) {
              await yieldLoop();
              checkInterrupted();
              failGroup(rt, 'run', x);
            }
          }
          await yieldLoop();
          checkInterrupted();
          if (!err.lifecycle) {
            try {
              await lifecycleScenario(rt, it, keep);
            } catch (x) {
              await yieldLoop();
              checkInterrupted();
              failGroup(rt, 'lifecycle', x);
            }
          }
        }
        await yieldLoop();
        checkInterrupted();
      }
      if ((it + 1) % 5 === 0 || it + 1 === total) log(`latency iteration ${it + 1}/${total}`);
    }

    // Density: serial then parallel, runtimes interleaved per mode.
    const dens = new Map<string, { serial?: Density | { error: string }; parallel?: Density | { error: string } }>();
    let cgroupFloorResult: CgroupFloor | null = null;
    if (K > 0) {
      log(`cgroup floor: K=${K} empty cgroups in each v1 controller hierarchy`);
      try {
        cgroupFloorResult = await cgroupFloor(K, `${idp}-cgroup-floor`);
        if (cgroupFloorResult) log(`  ${cgroupFloorResult.kernel_kib_per_container} KiB kernel per set (${cgroupFloorResult.hierarchies.length} hierarchies)`);
      } catch (x) {
        floorErr.push(`cgroup floor: ${x instanceof Error ? x.message : String(x)}`);
      }
      checkInterrupted();
      const ctx: DensityCtx = { tmp, env, markerAssignment, needles: [tmp], interrupted: () => interrupted };
      for (const [mi, mode] of [
        [0, 1],
        [1, jobs],
      ] as const) {
        const order = mi === 0 ? runtimes : [...runtimes].reverse();
        for (const rt of order) {
          const slot = dens.get(rt.name) ?? {};
          dens.set(rt.name, slot);
          const key = mi === 0 ? 'serial' : 'parallel';
          log(`density ${rt.name}: K=${K}, ${mode === 1 ? 'one at a time' : `${mode} in parallel`}`);
          try {
            const r = await density(rt, bundleSleep, K, mode, `${idp}-${rt.label}-d${mode}`, ctx);
            slot[key] = r;
            log(
              `  ${r.containers_per_s} containers/s, ${r.cpu_ms_per_container} CPU ms/container, ${r.mem_per_container_kib} KiB/container, ` +
                `${r.leftover_processes} leftover, teardown ${r.teardown_s} s`,
            );
          } catch (x) {
            checkInterrupted();
            const msg = x instanceof Error ? x.message : String(x);
            slot[key] = { error: msg };
            log(`density ${rt.name} FAILED: ${msg}`);
            forceDeleteAll(sp, rt);
          }
          checkInterrupted();
        }
      }
    }

    // Density once more at a big K, serial only.
    const densBig = new Map<string, DensityResult | Failed>();
    if (bigK > 0) {
      const ctx: DensityCtx = { tmp, env, markerAssignment, needles: [tmp], interrupted: () => interrupted };
      for (const rt of runtimes) {
        log(`density ${rt.name}: K=${bigK}, one at a time`);
        try {
          const r = await density(rt, bundleSleep, bigK, 1, `${idp}-${rt.label}-big`, ctx);
          densBig.set(rt.name, r);
          log(
            `  ${r.containers_per_s} containers/s, ${r.cpu_ms_per_container} CPU ms/container, ${r.kernel_mem_per_container_kib} KiB kernel/container, ` +
              `${r.leftover_processes} leftover, teardown ${r.teardown_s} s`,
          );
        } catch (x) {
          checkInterrupted();
          const msg = x instanceof Error ? x.message : String(x);
          densBig.set(rt.name, { error: msg });
          log(`density ${rt.name} K=${bigK} FAILED: ${msg}`);
          forceDeleteAll(sp, rt);
        }
        checkInterrupted();
      }
    }

    // Memory of a waiting foreground run: rounds, runtimes interleaved.
    const rss = new Map<string, RssSample[] | Failed>();
    for (let round = 0; round < rssRounds; round++) {
      for (let j = 0; j < runtimes.length; j++) {
        const rt = runtimes[(round + j) % runtimes.length]!;
        const got = rss.get(rt.name) ?? [];
        if (isFailed(got)) continue;
        try {
          got.push(await waitingRunSample(sp, rt, bundleSleep, `${idp}-${rt.label}-rss-${round}`));
          rss.set(rt.name, got);
        } catch (x) {
          checkInterrupted();
          const msg = x instanceof Error ? x.message : String(x);
          rss.set(rt.name, { error: msg });
          log(`${rt.name} waiting run FAILED: ${msg}`);
          forceDeleteAll(sp, rt);
        }
        checkInterrupted();
      }
    }
    for (const [name, got] of rss) if (!isFailed(got)) log(`waiting run ${name}: ${summarizeRss(got).rss_kib} KiB`);

    // Results.
    const results: Record<string, RuntimeResults> = {};
    for (const rt of runtimes) {
      const sm = samples.get(rt.name);
      const err = errors.get(rt.name) ?? {};
      const r: RuntimeResults = { argv: rt.argv };
      if (rt.version) r.version = rt.version;
      if (rt.note) r.note = rt.note;
      if (sm) {
        r.run = err.run ? { error: err.run } : summarize(sm.run);
        for (const p of [...LIFECYCLE_PHASES, 'exec', 'lifecycle'] as const) r[p] = err.lifecycle ? { error: err.lifecycle } : summarize(sm[p]);
        for (const p of OPTIONAL_PHASES) {
          const e = err.lifecycle ?? err[p];
          r[p] = e ? { error: e } : summarize(sm[p]);
        }
      }
      const d = dens.get(rt.name);
      if (d?.serial) {
        if (isFailed(d.serial)) r.density = d.parallel ? { ...d.serial, parallel: d.parallel } : d.serial;
        else r.density = d.parallel ? { ...d.serial, parallel: d.parallel } : d.serial;
      }
      const big = densBig.get(rt.name);
      if (big) r.density_big = big;
      const w = rss.get(rt.name);
      if (w) r.waiting_run = isFailed(w) ? w : summarizeRss(w);
      results[rt.name] = r;
    }
    const floorSummary = (key: Floor['key']): { median_ms: number; p90_ms: number } | null => {
      const f = floors.find((x) => x.key === key);
      return f?.samples.length ? summarize(f.samples) : null;
    };
    const nodeS = floorSummary('node');
    const runcS = floorSummary('runc_version');
    const crunS = floorSummary('crun_version');
    const crunWS = floorSummary('crun_wrapper_version');
    const notes: string[] = [];
    if (runtimes.some((r) => r.name === 'crun')) notes.push(CRUN_NOTE);
    if (!runcPath) notes.push('runc is not installed: the `runc --version` floor is missing.');
    notes.push(
      'Memory per container is the machine-wide drop of MemAvailable divided by K: other activity on the machine adds noise. ' +
        'runc creates a cgroup per container in every v1 hierarchy (kernel memory counted here); crun, with cgroups disabled by the wrapper, creates none.',
      'Leftover processes: new processes in the host pid namespace started on behalf of the benchmark ' +
        `(environment marked with ${MARKER_VAR}, or naming this run's temp dir or container ids), measured with all K containers running.`,
      'Each measured call is one spawn from Node (fork+exec included); the floors are measured the same way in the same run.',
    );
    for (const e of [...new Set(floorErr)]) notes.push(`floor failure: ${e}`);

    const json: BenchJson = {
      date: new Date().toISOString(),
      host: hostInfo(),
      config: { runtimes: wanted, iterations, warmup, density: K, density_jobs: jobs, density_big: bigK, rss_rounds: rssRounds, settle_ms: settleMs },
      floors: {
        node_ms: nodeS?.median_ms ?? null,
        node_p90_ms: nodeS?.p90_ms ?? null,
        runc_version_ms: runcS?.median_ms ?? null,
        runc_version_p90_ms: runcS?.p90_ms ?? null,
        crun_version_ms: crunS?.median_ms ?? null,
        crun_wrapper_version_ms: crunWS?.median_ms ?? null,
        v1_cgroups: cgroupFloorResult,
      },
      results,
      skipped,
      notes,
      targets: [],
      duration_s: Math.round((Date.now() - started) / 1000),
    };
    json.targets = computeTargets(json);

    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'bench.json'), JSON.stringify(json, null, 2) + '\n');
    const md = renderMarkdown(json);
    writeFileSync(join(outDir, 'bench.md'), md);
    writeFileSync(join(outDir, 'bench.svg'), renderSvg(json));
    process.stdout.write(md);
    log(`wrote ${join(outDir, 'bench.json')}, bench.md, bench.svg`);
    return 0;
  } catch (e) {
    if (interrupted) {
      log('interrupted');
      return 130;
    }
    log(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  } finally {
    cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${String(e)}\n`);
    process.exit(1);
  },
);
