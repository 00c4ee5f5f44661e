// A small table-driven parser for runc's command line: long flags with one
// or two dashes, `--flag=value` or `--flag value`, short aliases, and
// positional arguments. The same table gives `--help` its text. yargs would
// cost more than tsrun's own work per call (docs/ARCHITECTURE.md, "The CLI parser").
import { markErrorClass, MarkedError, UsageError } from '../errors.ts';
import { didYouMean } from './suggest.ts';

export interface FlagSpec {
  name: string;
  alias?: string;
  value: boolean;
  /** One line for --help. */
  help: string;
  /** What --help shows for the value (default "value"). */
  arg?: string;
  /** The only values accepted; anything else is a usage error. */
  values?: readonly string[];
  /** May be given many times (exec --env); read with flagList. */
  multi?: boolean;
}

export interface Parsed {
  flags: Map<string, string | true>;
  lists: Map<string, string[]>;
  positional: string[];
}

/**
 * `--help` or `-h` among a command's flags: the caller prints the
 * command's help instead of running it. A MarkedError: main (the entry
 * bundle) recognises it when a command bundle throws it.
 */
export class HelpRequested extends MarkedError {
  override name = 'HelpRequested';
}
markErrorClass(HelpRequested, 'HelpRequested');

function isHelp(key: string): boolean {
  return key === 'help' || key === 'h';
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
    if (!spec) {
      if (isHelp(key)) throw new HelpRequested();
      const names = table.map((f) => f.name);
      throw new UsageError(`unknown flag ${eq >= 0 ? arg.slice(0, arg.indexOf('=')) : arg}${didYouMean(key, names, '--')}`);
    }
    if (!spec.value) {
      const given = eq >= 0 ? body.slice(eq + 1) : 'true';
      if (given !== 'true' && given !== 'false') throw new UsageError(`invalid value for --${spec.name}: ${JSON.stringify(given)} (true or false)`);
      flags.set(spec.name, given === 'true' ? true : 'false');
      continue;
    }
    const value = eq >= 0 ? body.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`flag --${spec.name} needs a value`);
    if (spec.values && !spec.values.includes(value)) {
      throw new UsageError(`invalid value for --${spec.name}: ${JSON.stringify(value)} (one of ${spec.values.join(', ')})`);
    }
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

/**
 * The positional arguments, `names.length` of them, the last `optional`
 * ones may be left out. The error does not name the command: the reporter
 * puts it in front of every line.
 */
export function requirePositional(p: Parsed, names: readonly string[], optional = 0): string[] {
  const min = names.length - optional;
  const wanted = names.map((n, i) => (i < min ? `<${n}>` : `[<${n}>]`)).join(' ');
  if (p.positional.length < min) throw new UsageError(`needs ${wanted}, got ${p.positional.length} argument${p.positional.length === 1 ? '' : 's'}`);
  if (p.positional.length > names.length) {
    const extra = p.positional
      .slice(names.length)
      .map((a) => JSON.stringify(a))
      .join(' ');
    throw new UsageError(`unexpected argument${p.positional.length - names.length === 1 ? '' : 's'} ${extra}: takes ${wanted}`);
  }
  return p.positional;
}
