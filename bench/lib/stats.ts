// Order statistics for the benchmark: median and p90 with linear
// interpolation between closest ranks (the "type 7" quantile, as numpy and
// R use by default).

export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const s = [...samples].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = s[lo] ?? Number.NaN;
  const b = s[hi] ?? Number.NaN;
  return a + (b - a) * (pos - lo);
}

export interface Summary {
  median_ms: number;
  p90_ms: number;
  min_ms: number;
  n: number;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    median_ms: round(quantile(samples, 0.5)),
    p90_ms: round(quantile(samples, 0.9)),
    min_ms: round(samples.length ? Math.min(...samples) : Number.NaN),
    n: samples.length,
  };
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
