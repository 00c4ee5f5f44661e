import type { DensityResult } from './density.ts';
import type { Summary } from './stats.ts';

export const LATENCY_SCENARIOS = ['run', 'create', 'start', 'state', 'exec', 'kill', 'delete', 'lifecycle'] as const;
export type LatencyScenario = (typeof LATENCY_SCENARIOS)[number];
export const LIFECYCLE_PHASES = ['create', 'start', 'state', 'kill', 'delete'] as const;

export interface Failed {
  error: string;
}

export type Density = DensityResult & { parallel?: DensityResult | Failed };

export interface RuntimeResults {
  version?: string;
  note?: string;
  argv: string[];
  run?: Summary | Failed;
  create?: Summary | Failed;
  start?: Summary | Failed;
  state?: Summary | Failed;
  exec?: Summary | Failed;
  kill?: Summary | Failed;
  delete?: Summary | Failed;
  /** per-iteration sum create+start+state+kill+delete */
  lifecycle?: Summary | Failed;
  /** serial mode; `.parallel` holds the parallel mode (also when serial failed) */
  density?: Density | (Failed & { parallel?: DensityResult | Failed });
}

export interface Target {
  name: string;
  rule: string;
  measured: string;
  limit: string;
  met: boolean | null;
  distance: string;
}

export interface BenchJson {
  date: string;
  host: { kernel: string; cpu: string; cores: number; mem_total_kib: number; node: string };
  config: { runtimes: string[]; iterations: number; warmup: number; density: number; density_jobs: number };
  floors: {
    node_ms: number | null;
    node_p90_ms: number | null;
    runc_version_ms: number | null;
    runc_version_p90_ms: number | null;
    /** `crun --version`, direct and through bench/crun-hybrid.sh (when crun is measured) */
    crun_version_ms?: number | null;
    crun_wrapper_version_ms?: number | null;
  };
  results: Record<string, RuntimeResults>;
  skipped: { name: string; reason: string }[];
  notes: string[];
  targets: Target[];
  duration_s: number;
}

export function isFailed(x: unknown): x is Failed {
  return typeof x === 'object' && x !== null && 'error' in x;
}
