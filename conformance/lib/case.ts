// A case checks one spec sentence. It passes by returning (optionally with a
// note), fails by throwing Fail (observed vs expected), skips by throwing Skip.
import type { Ctx } from './context.ts';

export type SpecFile = 'runtime.md' | 'config.md' | 'config-linux.md' | 'features.md';
export type Level = 'MUST' | 'MUST NOT' | 'SHOULD' | 'SHOULD NOT' | 'REQUIRED';

/** Areas a runner flag (--skip AREA) can turn off while a runtime lacks them. */
export type Area = 'terminal' | 'seccomp' | 'userns' | 'cgroups' | 'hooks' | 'timens' | 'personality';

export interface Case {
  id: string;
  spec: SpecFile;
  /** The heading of the spec section the sentence is in, as its anchor. */
  section: string;
  level: Level;
  /** The sentence, quoted from runtime-spec v1.2. */
  requirement: string;
  area?: Area;
  run(ctx: Ctx): Promise<string | void>;
}

export class Fail extends Error {}
export class Skip extends Error {}

export function fail(detail: string): never {
  throw new Fail(detail);
}

export function skip(reason: string): never {
  throw new Skip(reason);
}

/** JSON with object keys sorted, so maps compare regardless of order. */
export function show(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : val,
  );
}

export function expectEq(observed: unknown, expected: unknown, what: string): void {
  if (show(observed) !== show(expected)) {
    fail(`${what}: observed ${show(observed)}, expected ${show(expected)}`);
  }
}

export function expectTrue(cond: boolean, detail: string): void {
  if (!cond) fail(detail);
}

export interface Result {
  id: string;
  spec: SpecFile;
  section: string;
  requirement: string;
  status: 'pass' | 'fail' | 'skip';
  detail: string;
}
