// bench.md (tables, floors, targets) from bench.json's data.

import type { DensityResult } from './density.ts';
import type { Summary } from './stats.ts';
import { round } from './stats.ts';
import type { WaitingRunRss } from './waiting-run.ts';
import { isFailed, LATENCY_SCENARIOS, type BenchJson, type Density, type Failed, type LatencyScenario, type RuntimeResults, type Target } from './types.ts';

function med(r: RuntimeResults | undefined, s: LatencyScenario): number | null {
  const v = r?.[s];
  if (!v || isFailed(v) || !Number.isFinite(v.median_ms)) return null;
  return v.median_ms;
}

function dens(r: RuntimeResults | undefined): DensityResult | null {
  const d = r?.density;
  return d && !isFailed(d) ? d : null;
}

function fmt(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

function ratio(a: number | null, b: number | null): string {
  return a === null || b === null || b === 0 ? '–' : `${(a / b).toFixed(2)}×`;
}

interface TargetOpts {
  /** containers/s: bigger is better, so the limit is a floor */
  floor?: boolean;
  /** what a ratio in parentheses is relative to (runc's figure) */
  base?: number | null;
  /** shown when measured or limit is missing */
  why?: string;
  digits?: number;
}

function target(name: string, rule: string, measured: number | null, limit: number | null, unit: string, o: TargetOpts = {}): Target {
  const d = o.digits ?? 1;
  if (measured === null || limit === null) {
    const withUnit = (x: number | null): string => (x === null ? '–' : `${fmt(x, d)} ${unit}`);
    return { name, rule, measured: withUnit(measured), limit: withUnit(limit), met: null, distance: o.why ?? 'not measured' };
  }
  const met = o.floor ? measured >= limit : measured <= limit;
  const diff = Math.abs(measured - limit);
  const distance = met
    ? `${fmt(diff, d)} ${unit} headroom`
    : o.floor
      ? `missed by ${fmt(diff, d)} ${unit} (needs +${fmt((100 * (limit - measured)) / Math.max(measured, 1e-9), 0)}%)`
      : `missed by ${fmt(diff, d)} ${unit} (needs −${fmt((100 * (measured - limit)) / measured, 0)}%)`;
  const rel = (x: number): string => (o.base ? ` (${(x / o.base).toFixed(2)}×)` : '');
  return {
    name,
    rule,
    measured: `${fmt(measured, d)} ${unit}${rel(measured)}`,
    limit: `${fmt(limit, d)} ${unit}${rel(limit)}`,
    met,
    distance,
  };
}

/**
 * tsrun's memory per running container before issue 11 (bench/results of
 * 2026-11-29, K=200, serial): the "no worse than today" reference. That
 * tsrun (commit ff1fb59) made no cgroup in the v1 hierarchies, so it
 * enforced no limit on a hybrid host; built again and measured beside
 * today's on 2026-12-01 it gave 303 KiB of kernel memory per container.
 */
export const MEMORY_BEFORE_ISSUE_11 = { mem_per_container_kib: 270, kernel_mem_per_container_kib: 309 } as const;

/** Waiting foreground `run` (no terminal): the runtime's own memory. */
export const WAITING_RUN_RSS_LIMIT_KIB = 4096;

function parallelOf(r: RuntimeResults | undefined): DensityResult | null {
  const d = r?.density;
  return d && d.parallel && !isFailed(d.parallel) ? d.parallel : null;
}

function bigOf(r: RuntimeResults | undefined): DensityResult | null {
  const d = r?.density_big;
  return d && !isFailed(d) ? d : null;
}

function rssOf(r: RuntimeResults | undefined): WaitingRunRss | null {
  const w = r?.waiting_run;
  return w && !isFailed(w) ? w : null;
}

/** The targets of issue 11, for tsrun against runc (empty when tsrun was not measured). */
export function computeTargets(j: BenchJson, subject = 'tsrun'): Target[] {
  const t = j.results[subject];
  if (!t) return [];
  const runc = j.results.runc;
  const out: Target[] = [];
  const vsRunc = (p: LatencyScenario, factor: number): void => {
    const r = med(runc, p);
    out.push(
      target(
        `${subject} ${p === 'lifecycle' ? 'lifecycle (sum)' : p}`,
        `${p === 'run' ? 'run /bin/true' : p} ≤ ${factor.toFixed(1)} × runc ${p}`,
        med(t, p),
        r === null ? null : round(factor * r),
        'ms',
        { base: r, why: med(t, p) === null ? 'not measured' : 'runc not measured' },
      ),
    );
  };
  for (const p of ['start', 'state', 'kill', 'delete', 'pause', 'resume'] as const) vsRunc(p, 0.5);
  vsRunc('lifecycle', 1.0);
  for (const p of ['create', 'run', 'exec'] as const) vsRunc(p, 1.5);

  const modes: [string, DensityResult | null, DensityResult | null][] = [
    ['serial', dens(t), dens(runc)],
    [`${j.config.density_jobs} parallel`, parallelOf(t), parallelOf(runc)],
  ];
  if (j.config.density_big) modes.push([`serial, K=${j.config.density_big}`, bigOf(t), bigOf(runc)]);
  for (const [mode, d, rd] of modes) {
    const tg = target(
      `${subject} density (${mode})`,
      `containers/s ≥ 0.75 × runc's${mode.includes('K=') ? ' (teardown time shown)' : ''}`,
      d?.containers_per_s ?? null,
      rd ? round(0.75 * rd.containers_per_s, 1) : null,
      '/s',
      { floor: true, base: rd?.containers_per_s ?? null, why: d ? 'runc density not measured' : 'not measured' },
    );
    if (d) tg.measured += `; teardown ${fmt(d.teardown_s, 1)} s${rd ? ` (runc ${fmt(rd.teardown_s, 1)} s)` : ''}`;
    if (d?.cpu_ms_per_container !== undefined)
      tg.measured += `; CPU ${fmt(d.cpu_ms_per_container)} ms a container${rd?.cpu_ms_per_container !== undefined ? ` (runc ${fmt(rd.cpu_ms_per_container)})` : ''}`;
    out.push(tg);
  }
  const measuredModes = modes.filter(([, d]) => d !== null);
  const left = measuredModes.length ? measuredModes.reduce((n, [, d]) => n + (d?.leftover_processes ?? 0), 0) : null;
  out.push({
    name: `${subject} density: resident processes`,
    rule: 'no process left per container (leftover processes = 0, every mode)',
    measured: left === null ? '–' : `${left}`,
    limit: '0',
    met: left === null ? null : left === 0,
    distance: left === null ? 'not measured' : left === 0 ? 'met' : `${left} leftover process(es)`,
  });
  const d = dens(t);
  out.push(
    target(
      `${subject} density: memory`,
      `memory per container (MemAvailable, serial) ≤ before issue 11 (${MEMORY_BEFORE_ISSUE_11.mem_per_container_kib} KiB)`,
      d?.mem_per_container_kib ?? null,
      MEMORY_BEFORE_ISSUE_11.mem_per_container_kib,
      'KiB',
      { digits: 0 },
    ),
  );
  out.push(
    target(
      `${subject} density: kernel memory`,
      `unreclaimable kernel memory per container (serial; less noisy) ≤ before issue 11 (${MEMORY_BEFORE_ISSUE_11.kernel_mem_per_container_kib} KiB)`,
      d?.kernel_mem_per_container_kib ?? null,
      MEMORY_BEFORE_ISSUE_11.kernel_mem_per_container_kib,
      'KiB',
      { digits: 0 },
    ),
  );
  const floor = j.floors.v1_cgroups;
  if (floor) {
    out.push(
      target(
        `${subject} density: kernel memory apart from the v1 cgroups`,
        `unreclaimable kernel memory per container less this run's cgroup floor (${floor.k} empty cgroups in each of ` +
          `${floor.hierarchies.length} v1 hierarchies: ${floor.kernel_kib_per_container} KiB a set) ≤ before issue 11 ` +
          `(${MEMORY_BEFORE_ISSUE_11.kernel_mem_per_container_kib} KiB, made with no v1 cgroup)`,
        d ? d.kernel_mem_per_container_kib - floor.kernel_kib_per_container : null,
        MEMORY_BEFORE_ISSUE_11.kernel_mem_per_container_kib,
        'KiB',
        { digits: 0 },
      ),
    );
  }
  const w = rssOf(t);
  out.push(
    target(
      `${subject} waiting run`,
      `VmRSS of tsrun's own processes while a foreground run (no terminal) waits ≤ ${WAITING_RUN_RSS_LIMIT_KIB / 1024} MiB`,
      w?.rss_kib ?? null,
      WAITING_RUN_RSS_LIMIT_KIB,
      'KiB',
      { digits: 0, why: t.waiting_run && isFailed(t.waiting_run) ? 'failed' : 'not measured' },
    ),
  );
  return out;
}

function summaryCells(v: Summary | Failed | undefined): [string, string] {
  if (!v) return ['–', '–'];
  if (isFailed(v)) return ['FAILED', '–'];
  return [fmt(v.median_ms), fmt(v.p90_ms)];
}

export function renderMarkdown(j: BenchJson): string {
  const names = Object.keys(j.results);
  const L: string[] = [];
  L.push('# tsrun benchmark', '');
  L.push(
    `Date: ${j.date} · kernel ${j.host.kernel} · ${j.host.cpu} (${j.host.cores} cores, ${Math.round(
      j.host.mem_total_kib / 1048576,
    )} GiB) · node ${j.host.node}`,
    '',
    `Runtimes: ${names.join(', ') || 'none'} · iterations ${j.config.iterations} (+${j.config.warmup} warm-up) · ` +
      `density K=${j.config.density}, serial and ${j.config.density_jobs} in parallel` +
      `${j.config.density_big ? `, and K=${j.config.density_big} serial` : ''} · run took ${j.duration_s} s`,
    '',
    'All calls interleaved per iteration (A B C A B C …, start rotated each iteration); ' +
      'wall time of the spawned command measured from Node; NODE_EXTRA_CA_CERTS unset in every child. ' +
      (j.config.settle_ms
        ? `Each timed latency call and floor starts after ${j.config.settle_ms} ms idle (\`--settle\`), not inside the kernel state the call before it left ` +
          '(on a cgroup v1 host the first cgroup.procs write after a quiet spell waits for an RCU grace period, writes soon after another do not).'
        : 'Calls back to back (`--settle 0`).'),
    '',
  );
  for (const n of names) {
    const r = j.results[n];
    L.push(`- **${n}**: \`${r?.argv.join(' ')}\`${r?.version ? ` — ${r.version}` : ''}`);
  }
  for (const s of j.skipped) L.push(`- **${s.name}**: skipped — ${s.reason}`);
  L.push('');

  L.push('## Floors', '');
  L.push('| floor | median ms | p90 ms |', '|---|---:|---:|');
  L.push(`| \`node -e 0\` | ${fmt(j.floors.node_ms)} | ${fmt(j.floors.node_p90_ms)} |`);
  L.push(`| \`runc --version\` | ${fmt(j.floors.runc_version_ms)} | ${fmt(j.floors.runc_version_p90_ms)} |`);
  const cv = j.floors.crun_version_ms;
  const cw = j.floors.crun_wrapper_version_ms;
  if (cv != null) L.push(`| \`crun --version\` | ${fmt(cv)} | – |`);
  if (cw != null) L.push(`| \`crun-hybrid.sh --version\` | ${fmt(cw)} | – |`);
  L.push('');
  if (cv != null && cw != null) L.push(`The crun wrapper (unshare + sh + umount) adds about ${fmt(cw - cv)} ms to every crun call.`, '');

  L.push('## Latency (ms)', '');
  L.push(
    'Per iteration and runtime: `run` of /bin/true, then one container through create, start, state, exec, ' +
      'pause, resume, ps, kill and delete. `lifecycle` is the per-iteration sum create+start+state+kill+delete. ' +
      'Ratios compare medians (below 1 = faster than the reference).',
    '',
  );
  const refs = ['runc', 'crun'].filter((r) => names.includes(r));
  const ratioCols: [string, string][] = [];
  for (const ref of refs) for (const n of names) if (n !== ref) ratioCols.push([n, ref]);
  const head = ['scenario', ...names.flatMap((n) => [`${n} median`, `${n} p90`]), ...ratioCols.map(([a, b]) => `${a} ÷ ${b}`)];
  L.push(
    `| ${head.join(' | ')} |`,
    `|---|${head
      .slice(1)
      .map(() => '---:')
      .join('|')}|`,
  );
  for (const s of LATENCY_SCENARIOS) {
    const cells = [s === 'lifecycle' ? '**lifecycle (sum)**' : s];
    for (const n of names) cells.push(...summaryCells(j.results[n]?.[s]));
    for (const [a, b] of ratioCols) cells.push(ratio(med(j.results[a], s), med(j.results[b], s)));
    L.push(`| ${cells.join(' | ')} |`);
  }
  L.push('');

  if (j.config.density > 0) {
    L.push('## Density', '');
    L.push(
      `K = ${j.config.density} containers running \`sleep\`, each started by \`create\` + \`start\`; ` +
        'memory = drop of MemAvailable per running container ("freed at teardown", a cross-check against drift: ' +
        'the rise of MemAvailable per container after teardown; "kernel, unreclaimable", the growth of ' +
        'SUnreclaim+KernelStack+PageTables+Percpu per container, is much less sensitive to other activity); leftover = processes left on the host that are ' +
        'neither container processes nor existed before; teardown = `kill KILL` + `delete -f` of all K; ' +
        "CPU = busy time of all CPUs while the K started (/proc/stat), less the benchmark's own, per container: " +
        `what one create + start costs the machine. In parallel the CPUs are the limit: ${j.host.cores} cores start at most ` +
        `${j.host.cores} × 1000 / CPU ms containers a second.`,
      '',
    );
    L.push(
      '| runtime | mode | containers/s | CPU ms per container | KiB per container | (freed at teardown) | (kernel, unreclaimable) | leftover processes | teardown s | containers/s ÷ runc | KiB ÷ runc |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    const rows = (n: string): [string, DensityResult | Failed | undefined][] => {
      const d = j.results[n]?.density;
      if (!d) return [];
      const p = d.parallel;
      return [
        ['serial', isFailed(d) ? { error: d.error } : d],
        [`${p && !isFailed(p) ? p.jobs : j.config.density_jobs} parallel`, p],
      ];
    };
    const runcRows = rows('runc');
    for (const n of names) {
      rows(n).forEach(([mode, d], i) => {
        if (!d) return;
        if (isFailed(d)) {
          L.push(`| ${n} | ${mode} | FAILED | – | – | – | – | – | – | – | – |`);
          return;
        }
        const ref = runcRows[i]?.[1];
        const rd = ref && !isFailed(ref) ? ref : null;
        L.push(
          `| ${n} | ${mode} | ${fmt(d.containers_per_s)} | ${fmt(d.cpu_ms_per_container)} | ${fmt(d.mem_per_container_kib, 0)} | ${fmt(
            d.mem_freed_per_container_kib,
            0,
          )} | ${fmt(d.kernel_mem_per_container_kib, 0)} | ${d.leftover_processes} | ${fmt(
            d.teardown_s,
            2,
          )} | ${ratio(d.containers_per_s, rd?.containers_per_s ?? null)} | ${ratio(d.mem_per_container_kib, rd?.mem_per_container_kib ?? null)} |`,
        );
      });
    }
    L.push('');
    const floor = j.floors.v1_cgroups;
    if (floor) {
      L.push(
        `Cgroup floor: ${floor.k} empty cgroups made by mkdir in each of the ${floor.hierarchies.length} cgroup v1 controller ` +
          `hierarchies (${floor.hierarchies.map((h) => h.split('/').pop()).join(', ')}), no runtime, no process: ` +
          `${fmt(floor.kernel_kib_per_container, 0)} KiB of unreclaimable kernel memory a set. runc and tsrun make one such set per container.`,
        '',
      );
    }
  } else {
    L.push('## Density', '', 'Skipped (`--density 0`).', '');
  }

  if (j.config.density_big) {
    const K = j.config.density_big;
    L.push(`## Density at K = ${K} (serial)`, '');
    L.push(
      `K = ${K} containers started one at a time (create + start), then \`kill KILL\` + \`delete -f\` of all ${K} one at a time (teardown).`,
      '',
      '| runtime | containers/s | CPU ms per container | start s | teardown s | KiB per container | (kernel, unreclaimable) | leftover processes | containers/s ÷ runc |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    const rb = bigOf(j.results.runc);
    for (const n of names) {
      const b = j.results[n]?.density_big;
      if (!b) continue;
      if (isFailed(b)) {
        L.push(`| ${n} | FAILED | – | – | – | – | – | – | – |`);
        continue;
      }
      L.push(
        `| ${n} | ${fmt(b.containers_per_s)} | ${fmt(b.cpu_ms_per_container)} | ${fmt(b.start_s, 1)} | ${fmt(b.teardown_s, 1)} | ${fmt(b.mem_per_container_kib, 0)} | ${fmt(
          b.kernel_mem_per_container_kib,
          0,
        )} | ${b.leftover_processes} | ${ratio(b.containers_per_s, rb?.containers_per_s ?? null)} |`,
      );
    }
    L.push('');
  }

  if (j.config.rss_rounds) {
    L.push('## Waiting foreground run', '');
    L.push(
      '`run --bundle B ID` of `sleep` in the foreground, no terminal: once the container runs, VmRSS summed over the ' +
        "runtime's own processes (the one the benchmark started and its descendants in the host pid namespace; " +
        `the container's processes are not counted), median of ${j.config.rss_rounds} rounds.`,
      '',
      '| runtime | VmRSS KiB | of which the started process | runtime processes | ÷ runc |',
      '|---|---:|---:|---:|---:|',
    );
    const rr = rssOf(j.results.runc);
    for (const n of names) {
      const w = j.results[n]?.waiting_run;
      if (!w) continue;
      if (isFailed(w)) {
        L.push(`| ${n} | FAILED | – | – | – |`);
        continue;
      }
      L.push(`| ${n} | ${w.rss_kib} | ${w.rss_main_kib} | ${w.processes} | ${ratio(w.rss_kib, rr?.rss_kib ?? null)} |`);
    }
    L.push('');
  }

  if (j.targets.length) {
    L.push('## Targets (issue 11) for tsrun', '');
    L.push("Medians of this run; ratios in parentheses are to runc's figure.", '');
    L.push('| target | rule | measured | limit | status |', '|---|---|---:|---:|---|');
    for (const t of j.targets) {
      const st = t.met === null ? '⚪ n/a' : t.met ? '✅ met' : '❌ not met';
      L.push(`| ${t.name} | ${t.rule} | ${t.measured} | ${t.limit} | ${st} — ${t.distance} |`);
    }
    L.push('');
  } else {
    L.push('## Targets (issue 11)', '', 'tsrun was not measured in this run, so its targets are not checked.', '');
  }

  const failures: string[] = [];
  for (const n of names) {
    const r = j.results[n];
    if (!r) continue;
    const seen = new Set<string>();
    for (const [k, v] of Object.entries(r)) {
      if (isFailed(v) && !seen.has(v.error)) {
        seen.add(v.error);
        const group = ['create', 'start', 'state', 'exec', 'kill', 'delete', 'lifecycle'].includes(k) ? 'lifecycle' : k.replace('_', ' ');
        failures.push(`- **${n}** ${group}: ${v.error.replace(/\n/g, ' ')}`);
      }
      if (k === 'density' && v && isFailed(v)) {
        const p = (v as { parallel?: unknown }).parallel;
        if (isFailed(p) && !seen.has(p.error)) failures.push(`- **${n}** density (parallel): ${p.error.replace(/\n/g, ' ')}`);
      }
      if (k === 'density' && v && !isFailed(v)) {
        const p = (v as Density).parallel;
        if (p && isFailed(p)) failures.push(`- **${n}** density (parallel): ${p.error.replace(/\n/g, ' ')}`);
        const d = v as Density;
        for (const s of [...d.leftover_sample, ...(p && !isFailed(p) ? p.leftover_sample : [])]) failures.push(`- **${n}** leftover process: \`${s}\``);
      }
      if (k === 'density_big' && v && !isFailed(v))
        for (const s of (v as DensityResult).leftover_sample) failures.push(`- **${n}** leftover process (K=${j.config.density_big}): \`${s}\``);
    }
  }
  if (failures.length) L.push('## Failures and leftovers', '', ...failures, '');

  L.push('## Notes', '', ...j.notes.map((n) => `- ${n}`), '');
  L.push('Chart: [bench.svg](bench.svg) · raw data: [bench.json](bench.json)', '');
  return L.join('\n');
}
