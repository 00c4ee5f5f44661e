import type { CgroupFloor } from './cgroup-floor.ts';
import type { DensityResult } from './density.ts';
import type { Summary } from './stats.ts';
import type { WaitingRunRss } from './waiting-run.ts';

export const LATENCY_SCENARIOS = ['run', 'create', 'start', 'state', 'exec', 'pause', 'resume', 'ps', 'kill', 'delete', 'lifecycle'] as const;
export type LatencyScenario = (typeof LATENCY_SCENARIOS)[number];
/** The calls whose sum is `lifecycle`. */
export const LIFECYCLE_PHASES = ['create', 'start', 'state', 'kill', 'delete'] as const;
/** Calls on the running container that may fail on their own (e.g. no freezer) without failing the lifecycle. */
export const OPTIONAL_PHASES = ['pause', 'resume', 'ps'] as const;
export type OptionalPhase = (typeof OPTIONAL_PHASES)[number];

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
  pause?: Summary | Failed;
  resume?: Summary | Failed;
  ps?: Summary | Failed;
  kill?: Summary | Failed;
  delete?: Summary | Failed;
  /** per-iteration sum create+start+state+kill+delete */
  lifecycle?: Summary | Failed;
  /** serial mode; `.parallel` holds the parallel mode (also when serial failed) */
  density?: Density | (Failed & { parallel?: DensityResult | Failed });
  /** `--density-big K`: serial only, once */
  density_big?: DensityResult | Failed;
  /** memory of the runtime's own processes while a foreground `run` waits for its container */
  waiting_run?: WaitingRunRss | Failed;
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
  config: {
    runtimes: string[];
    iterations: number;
    warmup: number;
    density: number;
    density_jobs: number;
    /** 0 (or absent): not measured */
    density_big?: number;
    /** rounds of the waiting-run memory measurement (0: skipped) */
    rss_rounds?: number;
    /** idle ms before each timed latency call and floor (absent: 0, back to back) */
    settle_ms?: number;
  };
  floors: {
    node_ms: number | null;
    node_p90_ms: number | null;
    runc_version_ms: number | null;
    runc_version_p90_ms: number | null;
    /** `crun --version`, direct and through bench/crun-hybrid.sh (when crun is measured) */
    crun_version_ms?: number | null;
    crun_wrapper_version_ms?: number | null;
    /** kernel memory of K empty cgroups in each v1 controller hierarchy (lib/cgroup-floor.ts); null on a pure v2 host */
    v1_cgroups?: CgroupFloor | null;
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
