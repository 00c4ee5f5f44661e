// Durations as runc's flags take them (Go's time.ParseDuration): a
// sequence of decimal numbers each with a unit, "5s", "500ms", "1m30s",
// "1.5h"; units ns, us (µs), ms, s, m, h. A bare "0" is allowed.
import { UsageError } from '../errors.ts';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Milliseconds (fractional for ns/us) from a Go duration; a UsageError naming `flag` otherwise. */
export function parseDuration(flag: string, text: string): number {
  const bad = (): UsageError => new UsageError(`invalid value for --${flag}: ${JSON.stringify(text)} is not a duration (e.g. 5s, 500ms, 1m30s)`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw bad();
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < rest.length) {
    const m = PART.exec(rest);
    if (!m) throw bad();
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  return sign * total;
}
