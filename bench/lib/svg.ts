// bench.svg: hand-written grouped bar charts. Top: median latency per
// scenario per runtime (p90 as a thin whisker), with the `node -e 0` floor
// as a dashed line, and the lifecycle sum. Bottom: density (containers/s
// serial, parallel and at the big K; KiB per container) and the memory of
// a waiting foreground run (the 4 MiB target as a dashed line).

import type { DensityResult } from './density.ts';
import { WAITING_RUN_RSS_LIMIT_KIB } from './report.ts';
import { isFailed, LATENCY_SCENARIOS, type BenchJson, type Density } from './types.ts';

const COLORS: Record<string, string> = { tsrun: '#3178c6', runc: '#e07b00', crun: '#3a9a3a' };
const EXTRA = ['#9c27b0', '#795548', '#607d8b', '#c2185b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceMax(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function ticks(max: number): number[] {
  const n = [5, 4, 6, 3].find((d) => Number.isInteger(max / d)) ?? 5;
  return Array.from({ length: n + 1 }, (_, i) => (i * max) / n);
}

function num(x: number): string {
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function tickLabel(x: number, max: number): string {
  return max >= 10 ? String(Math.round(x)) : x.toFixed(1);
}

interface Bar {
  value: number | null;
  whisker?: number | null;
  failed?: boolean;
}

/** One grouped bar panel; returns SVG elements translated to (x0, y0). */
function panel(
  x0: number,
  y0: number,
  w: number,
  h: number,
  title: string,
  unit: string,
  groups: string[],
  series: { name: string; color: string }[],
  bars: Bar[][], // [group][series]
  refLine?: { value: number; label: string },
): string[] {
  const out: string[] = [];
  const padL = 52;
  const padB = 34;
  const padT = 30;
  const pw = w - padL - 10;
  const ph = h - padT - padB;
  let max = 0;
  for (const g of bars) for (const b of g) max = Math.max(max, b.value ?? 0, b.whisker ?? 0);
  if (refLine) max = Math.max(max, refLine.value);
  max = niceMax(max * 1.08);
  const y = (v: number): number => y0 + padT + ph - (v / max) * ph;
  out.push(`<text x="${x0 + w / 2}" y="${y0 + 18}" class="title">${esc(title)}</text>`);
  for (const t of ticks(max)) {
    out.push(`<line x1="${x0 + padL}" x2="${x0 + padL + pw}" y1="${y(t)}" y2="${y(t)}" class="grid"/>`);
    out.push(`<text x="${x0 + padL - 6}" y="${y(t) + 4}" class="tick" text-anchor="end">${tickLabel(t, max)}</text>`);
  }
  out.push(`<text transform="translate(${x0 + 12},${y0 + padT + ph / 2}) rotate(-90)" class="axis">${esc(unit)}</text>`);
  const gw = pw / Math.max(1, groups.length);
  const bw = Math.min(26, (gw * 0.8) / Math.max(1, series.length));
  groups.forEach((g, gi) => {
    const gx = x0 + padL + gi * gw + (gw - bw * series.length) / 2;
    series.forEach((s, si) => {
      const b = bars[gi]?.[si];
      const bx = gx + si * bw;
      if (!b || b.value === null) {
        if (b?.failed) out.push(`<text x="${bx + bw / 2}" y="${y(0) - 4}" class="fail" text-anchor="middle">✗</text>`);
        return;
      }
      if (b.value < 0) {
        out.push(`<text x="${bx + bw / 2}" y="${y(0) - 4}" class="val" text-anchor="middle">${num(b.value)}</text>`);
        return;
      }
      const top = y(b.value);
      out.push(
        `<rect x="${bx + 1}" y="${top}" width="${bw - 2}" height="${y(0) - top}" fill="${s.color}"><title>${esc(
          `${s.name} ${g}: ${num(b.value)} ${unit}${b.whisker != null ? ` (p90 ${num(b.whisker)})` : ''}`,
        )}</title></rect>`,
      );
      if (b.whisker != null && b.whisker > b.value) {
        const cx = bx + bw / 2;
        out.push(`<line x1="${cx}" x2="${cx}" y1="${top}" y2="${y(b.whisker)}" class="whisker"/>`);
        out.push(`<line x1="${cx - 3}" x2="${cx + 3}" y1="${y(b.whisker)}" y2="${y(b.whisker)}" class="whisker"/>`);
      }
      out.push(
        `<text x="${bx + bw / 2}" y="${Math.min(top, b.whisker != null ? y(b.whisker) : top) - 3}" class="val" text-anchor="middle">${num(b.value)}</text>`,
      );
    });
    out.push(`<text x="${x0 + padL + gi * gw + gw / 2}" y="${y0 + padT + ph + 18}" class="label" text-anchor="middle">${esc(g)}</text>`);
  });
  out.push(`<line x1="${x0 + padL}" x2="${x0 + padL + pw}" y1="${y(0)}" y2="${y(0)}" class="axisline"/>`);
  if (refLine) {
    out.push(`<line x1="${x0 + padL}" x2="${x0 + padL + pw}" y1="${y(refLine.value)}" y2="${y(refLine.value)}" class="ref"/>`);
    out.push(`<text x="${x0 + padL + pw - 2}" y="${y(refLine.value) - 4}" class="reflabel" text-anchor="end">${esc(refLine.label)}</text>`);
  }
  return out;
}

export function renderSvg(j: BenchJson): string {
  const names = Object.keys(j.results);
  const series = names.map((n, i) => ({ name: n, color: COLORS[n] ?? EXTRA[i % EXTRA.length] ?? '#888' }));
  const W = 1180;
  const H = 760;
  const bigK = j.config.density_big ?? 0;
  const el: string[] = [];

  // Latency panel.
  const latGroups = LATENCY_SCENARIOS.filter((s) => s !== 'lifecycle');
  const latBars = latGroups.map((s) =>
    names.map((n): Bar => {
      const v = j.results[n]?.[s];
      if (!v) return { value: null };
      if (isFailed(v)) return { value: null, failed: true };
      return { value: v.median_ms, whisker: v.p90_ms };
    }),
  );
  el.push(
    ...panel(
      10,
      40,
      880,
      400,
      'Median latency per call (bar) and p90 (whisker)',
      'ms',
      latGroups.map(String),
      series,
      latBars,
      j.floors.node_ms !== null ? { value: j.floors.node_ms, label: `node -e 0 = ${num(j.floors.node_ms)} ms` } : undefined,
    ),
  );
  // Lifecycle sum panel.
  el.push(
    ...panel(900, 40, 270, 400, 'Lifecycle sum', 'ms', ['lifecycle'], series, [
      names.map((n): Bar => {
        const v = j.results[n]?.lifecycle;
        if (!v) return { value: null };
        if (isFailed(v)) return { value: null, failed: true };
        return { value: v.median_ms, whisker: v.p90_ms };
      }),
    ]),
  );
  // Density panels.
  const dmodes = ['serial', `${j.config.density_jobs} parallel`, ...(bigK ? [`serial K=${bigK}`] : [])];
  const dget = (n: string, mi: number): DensityResult | null => {
    const d = j.results[n]?.density;
    if (mi === 2) {
      const b = j.results[n]?.density_big;
      return b && !isFailed(b) ? b : null;
    }
    if (!d) return null;
    if (mi === 0) return isFailed(d) ? null : d;
    return d.parallel && !isFailed(d.parallel) ? (d.parallel as Density) : null;
  };
  const dran = (n: string, mi: number): boolean => (mi === 2 ? !!j.results[n]?.density_big : !!j.results[n]?.density);
  el.push(
    ...panel(
      10,
      450,
      400,
      290,
      `Density K=${j.config.density}${bigK ? ` (and ${bigK})` : ''}: containers/s`,
      'containers/s',
      dmodes,
      series,
      dmodes.map((_, mi) => names.map((n): Bar => ({ value: dget(n, mi)?.containers_per_s ?? null, failed: dran(n, mi) && !dget(n, mi) }))),
    ),
  );
  const memGroups = ['MemAvail serial', 'MemAvail ∥', 'kernel serial', 'kernel ∥'];
  el.push(
    ...panel(
      420,
      450,
      500,
      290,
      `Density K=${j.config.density}: memory per running container`,
      'KiB',
      memGroups,
      series,
      memGroups.map((_, gi) =>
        names.map((n): Bar => {
          const d = dget(n, gi % 2);
          const v = d === null ? null : gi < 2 ? d.mem_per_container_kib : (d.kernel_mem_per_container_kib ?? null);
          return { value: v, failed: !!j.results[n]?.density && !d };
        }),
      ),
    ),
  );
  // Waiting foreground run.
  if (j.config.rss_rounds) {
    el.push(
      ...panel(
        930,
        450,
        240,
        290,
        'Waiting foreground run',
        'MiB (VmRSS)',
        ['runtime processes'],
        series,
        [
          names.map((n): Bar => {
            const w = j.results[n]?.waiting_run;
            if (!w) return { value: null };
            if (isFailed(w)) return { value: null, failed: true };
            return { value: w.rss_kib / 1024 };
          }),
        ],
        { value: WAITING_RUN_RSS_LIMIT_KIB / 1024, label: `target ≤ ${WAITING_RUN_RSS_LIMIT_KIB / 1024} MiB` },
      ),
    );
  }

  // Legend.
  const legend: string[] = [];
  let lx = 20;
  for (const s of series) {
    legend.push(`<rect x="${lx}" y="14" width="14" height="14" fill="${s.color}"/>`);
    legend.push(`<text x="${lx + 20}" y="26" class="legend">${esc(s.name)}</text>`);
    lx += 30 + s.name.length * 9;
  }
  legend.push(`<text x="${lx}" y="26" class="sub">✗ = failed (see bench.md)</text>`);
  const sub = `${j.date.slice(0, 10)} · ${j.host.kernel} · ${j.host.cpu} · node ${j.host.node} · ${j.config.iterations} iterations${
    names.includes('crun') ? ' · crun via private-mount-ns wrapper, cgroups disabled' : ''
  }`;
  legend.push(`<text x="${W - 10}" y="26" class="sub" text-anchor="end">${esc(sub)}</text>`);

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">`,
    '<style>',
    '.title{font-size:14px;font-weight:bold;text-anchor:middle;fill:#222}',
    '.tick{font-size:11px;fill:#555}.label{font-size:12px;fill:#222}.axis{font-size:11px;fill:#555;text-anchor:middle}',
    '.val{font-size:9.5px;fill:#333}.legend{font-size:13px;fill:#222}.sub{font-size:11px;fill:#666}',
    '.grid{stroke:#e4e4e4;stroke-width:1}.axisline{stroke:#888;stroke-width:1}',
    '.whisker{stroke:#222;stroke-width:1}.ref{stroke:#c00;stroke-width:1.2;stroke-dasharray:5 4}',
    '.reflabel{font-size:11px;fill:#c00}.fail{font-size:14px;fill:#c00}',
    '</style>',
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    ...legend,
    ...el,
    '</svg>',
    '',
  ].join('\n');
}
