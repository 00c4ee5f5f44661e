// A small table-driven parser for runc's command line: long flags with one
// or two dashes, `--flag=value` or `--flag value`, short aliases, and
// positional arguments. yargs alone would double the start-up time of the
// hot commands (state, start, kill, delete), see docs/design.md.
import { UsageError } from '../errors.ts';

export interface FlagSpec {
  name: string;
  alias?: string;
  value: boolean;
  /** May be given many times (exec --env); read with flagList. */
  multi?: boolean;
}

export interface Parsed {
  flags: Map<string, string | true>;
  lists: Map<string, string[]>;
  positional: string[];
}

/**
 * Parses argv against the flag table. With stopAtPositional, everything
 * after the first positional is positional too (exec's command line).
 */
export function parseArgs(argv: readonly string[], table: readonly FlagSpec[], stopAtPositional = 0): Parsed {
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (stopAtPositional && positional.length >= stopAtPositional) {
      positional.push(arg);
      continue;
    }
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const key = eq >= 0 ? body.slice(0, eq) : body;
    const spec = table.find((f) => f.name === key || f.alias === key);
    if (!spec) throw new UsageError(`unknown flag ${arg}`);
    if (!spec.value) {
      flags.set(spec.name, true);
      continue;
    }
    const value = eq >= 0 ? body.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`flag --${spec.name} needs a value`);
    flags.set(spec.name, value);
    if (spec.multi) lists.set(spec.name, [...(lists.get(spec.name) ?? []), value]);
  }
  return { flags, lists, positional };
}

export function flagList(p: Parsed, name: string): string[] {
  return p.lists.get(name) ?? [];
}

export function flagString(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flagBool(p: Parsed, name: string): boolean {
  const v = p.flags.get(name);
  return v === true || v === 'true';
}

export function flagInt(p: Parsed, name: string, fallback: number): number {
  const v = flagString(p, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new UsageError(`flag --${name} needs a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** Exactly `names.length` positional arguments, named in the error. */
export function requirePositional(p: Parsed, command: string, names: readonly string[], optional = 0): string[] {
  const min = names.length - optional;
  if (p.positional.length < min || p.positional.length > names.length) {
    throw new UsageError(`${command} needs ${names.map((n) => `<${n}>`).join(' ')}, got ${p.positional.length} argument(s)`);
  }
  return p.positional;
}
