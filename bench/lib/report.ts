// bench.md (tables, floors, targets) from bench.json's data.

import type { DensityResult } from './density.ts';
import type { Summary } from './stats.ts';
import { round } from './stats.ts';
import {
  isFailed,
  LATENCY_SCENARIOS,
  type BenchJson,
  type Density,
  type Failed,
  type LatencyScenario,
  type RuntimeResults,
  type Target,
} from './types.ts';

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

function target(
  name: string,
  rule: string,
  measured: number | null,
  limit: number | null,
  unit: string,
  why?: string,
  base?: number | null,
): Target {
  if (measured === null || limit === null) {
    return { name, rule, measured: fmt(measured), limit: fmt(limit), met: null, distance: why ?? 'not measured' };
  }
  const met = measured <= limit;
  const diff = Math.abs(measured - limit);
  const distance = met
    ? `${fmt(diff, 1)} ${unit} headroom`
    : `missed by ${fmt(diff, 1)} ${unit} (needs −${fmt((100 * (measured - limit)) / measured, 0)}%)`;
  const rel = (x: number): string => (base ? ` (${(x / base).toFixed(2)}×)` : '');
  return {
    name,
    rule,
    measured: `${fmt(measured, 1)} ${unit}${rel(measured)}`,
    limit: `${fmt(limit, 1)} ${unit}${rel(limit)}`,
    met,
    distance,
  };
}

/** The targets of issue 4, for tsrun (empty when tsrun was not measured). */
export function computeTargets(j: BenchJson, subject = 'tsrun'): Target[] {
  const t = j.results[subject];
  if (!t) return [];
  const node = j.floors.node_ms;
  const crun = j.results.crun;
  const runc = j.results.runc;
  const out: Target[] = [];
  out.push(
    target(
      `${subject} state`,
      'state ≤ 1.15 × `node -e 0`',
      med(t, 'state'),
      node === null ? null : round(1.15 * node),
      'ms',
      undefined,
      node,
    ),
  );
  for (const p of ['create', 'start', 'kill', 'delete'] as const) {
    const c = med(crun, p);
    out.push(
      target(
        `${subject} ${p}`,
        `${p} ≤ 1.3 × (\`node -e 0\` + crun ${p})`,
        med(t, p),
        node === null || c === null ? null : round(1.3 * (node + c)),
        'ms',
        c === null ? 'crun not measured' : undefined,
        node === null || c === null ? null : node + c,
      ),
    );
  }
  const rr = med(runc, 'run');
  out.push(
    target(
      `${subject} run`,
      'run /bin/true ≤ 1.3 × runc run',
      med(t, 'run'),
      rr === null ? null : round(1.3 * rr),
      'ms',
      rr === null ? 'runc not measured' : undefined,
      rr,
    ),
  );
  const d = dens(t);
  const dp = t.density && !isFailed(t.density) && t.density.parallel && !isFailed(t.density.parallel) ? t.density.parallel : null;
  const left = d === null ? null : d.leftover_processes + (dp?.leftover_processes ?? 0);
  out.push({
    name: `${subject} density: resident processes`,
    rule: 'no resident process per container (leftover processes = 0)',
    measured: left === null ? '–' : `${left}`,
    limit: '0',
    met: left === null ? null : left === 0,
    distance: left === null ? 'not measured' : left === 0 ? 'met' : `${left} leftover process(es)`,
  });
  const rd = dens(runc);
  out.push(
    target(
      `${subject} density: memory`,
      'memory per container (MemAvailable) ≤ runc’s (serial mode)',
      d?.mem_per_container_kib ?? null,
      rd?.mem_per_container_kib ?? null,
      'KiB',
      rd === null ? 'runc density not measured' : undefined,
    ),
  );
  out.push(
    target(
      `${subject} density: kernel memory`,
      'unreclaimable kernel memory per container ≤ runc’s (serial mode; less noisy cross-check)',
      d?.kernel_mem_per_container_kib ?? null,
      rd?.kernel_mem_per_container_kib ?? null,
      'KiB',
      rd === null ? 'runc density not measured' : undefined,
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
      `density K=${j.config.density}, serial and ${j.config.density_jobs} in parallel · run took ${j.duration_s} s`,
    '',
    'All calls interleaved per iteration (A B C A B C …, start rotated each iteration); ' +
      'wall time of the spawned command measured from Node; NODE_EXTRA_CA_CERTS unset in every child.',
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
  if (cv != null && cw != null)
    L.push(`The crun wrapper (unshare + sh + umount) adds about ${fmt(cw - cv)} ms to every crun call.`, '');

  L.push('## Latency (ms)', '');
  L.push(
    '`lifecycle` is the per-iteration sum create+start+state+kill+delete. ' +
      'Ratios compare medians (below 1 = faster than the reference).',
    '',
  );
  const refs = ['runc', 'crun'].filter((r) => names.includes(r));
  const ratioCols: [string, string][] = [];
  for (const ref of refs) for (const n of names) if (n !== ref) ratioCols.push([n, ref]);
  const head = ['scenario', ...names.flatMap((n) => [`${n} median`, `${n} p90`]), ...ratioCols.map(([a, b]) => `${a} ÷ ${b}`)];
  L.push(`| ${head.join(' | ')} |`, `|---|${head.slice(1).map(() => '---:').join('|')}|`);
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
        'neither container processes nor existed before; teardown = `kill KILL` + `delete -f` of all K.',
      '',
    );
    L.push(
      '| runtime | mode | containers/s | KiB per container | (freed at teardown) | (kernel, unreclaimable) | leftover processes | teardown s | containers/s ÷ runc | KiB ÷ runc |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
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
          L.push(`| ${n} | ${mode} | FAILED | – | – | – | – | – | – | – |`);
          return;
        }
        const ref = runcRows[i]?.[1];
        const rd = ref && !isFailed(ref) ? ref : null;
        L.push(
          `| ${n} | ${mode} | ${fmt(d.containers_per_s)} | ${fmt(d.mem_per_container_kib, 0)} | ${fmt(
            d.mem_freed_per_container_kib,
            0,
          )} | ${fmt(d.kernel_mem_per_container_kib, 0)} | ${d.leftover_processes} | ${fmt(
            d.teardown_s,
            2,
          )} | ${ratio(d.containers_per_s, rd?.containers_per_s ?? null)} | ${ratio(
            d.mem_per_container_kib,
            rd?.mem_per_container_kib ?? null,
          )} |`,
        );
      });
    }
    L.push('');
  } else {
    L.push('## Density', '', 'Skipped (`--density 0`).', '');
  }

  if (j.targets.length) {
    L.push('## Targets (issue 4) for tsrun', '');
    L.push('| target | rule | measured | limit | status |', '|---|---|---:|---:|---|');
    for (const t of j.targets) {
      const st = t.met === null ? '⚪ n/a' : t.met ? '✅ met' : '❌ not met';
      L.push(`| ${t.name} | ${t.rule} | ${t.measured} | ${t.limit} | ${st} — ${t.distance} |`);
    }
    L.push('');
  } else {
    L.push('## Targets (issue 4)', '', 'tsrun was not measured in this run, so its targets are not checked.', '');
  }

  const failures: string[] = [];
  for (const n of names) {
    const r = j.results[n];
    if (!r) continue;
    const seen = new Set<string>();
    for (const [k, v] of Object.entries(r)) {
      if (isFailed(v) && !seen.has(v.error)) {
        seen.add(v.error);
        const group = ['create', 'start', 'state', 'exec', 'kill', 'delete', 'lifecycle'].includes(k) ? 'lifecycle' : k;
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
        for (const s of [...d.leftover_sample, ...(p && !isFailed(p) ? p.leftover_sample : [])])
          failures.push(`- **${n}** leftover process: \`${s}\``);
      }
    }
  }
  if (failures.length) L.push('## Failures and leftovers', '', ...failures, '');

  L.push('## Notes', '', ...j.notes.map((n) => `- ${n}`), '');
  L.push('Chart: [bench.svg](bench.svg) · raw data: [bench.json](bench.json)', '');
  return L.join('\n');
}
