// Help texts, laid out as runc's (urfave/cli) are: NAME, USAGE, DESCRIPTION,
// OPTIONS with one line per flag. The words come from the flag tables the
// parser uses, so a flag cannot be accepted without being documented.
import type { FlagSpec } from './args.ts';

/** What a command module exports beside its run function. */
export interface CommandHelp {
  /** The positional arguments, e.g. "<container-id> [<signal>]". */
  args: string;
  /** Longer text, when the synopsis does not say enough. */
  description?: string;
  flags: readonly FlagSpec[];
}

const HELP_FLAG: FlagSpec = { name: 'help', alias: 'h', value: false, help: 'show this help' };

function flagColumn(f: FlagSpec): string {
  const v = f.value ? ` ${f.arg ?? f.values?.join('|') ?? 'value'}` : '';
  return [`--${f.name}${v}`, ...(f.alias ? [`${f.alias.length === 1 ? '-' : '--'}${f.alias}${v}`] : [])].join(', ');
}

/** One line per flag, descriptions aligned; --help last. */
export function flagLines(flags: readonly FlagSpec[]): string {
  const all = [...flags, HELP_FLAG];
  const width = Math.max(...all.map((f) => flagColumn(f).length));
  return all.map((f) => `   ${flagColumn(f).padEnd(width)}  ${f.help}`).join('\n');
}

export function commandHelpText(name: string, summary: string, h: CommandHelp): string {
  const parts = [`NAME:\n   tsrun ${name} - ${summary}`, `USAGE:\n   tsrun ${name} [command options] ${h.args}`.trimEnd()];
  if (h.description) parts.push(`DESCRIPTION:\n${h.description.replace(/^/gm, '   ')}`);
  parts.push(`OPTIONS:\n${flagLines(h.flags)}`);
  return `${parts.join('\n\n')}\n`;
}

export function overviewHelpText(version: string, commands: ReadonlyArray<[string, string]>, globals: readonly FlagSpec[]): string {
  const width = Math.max(...commands.map(([n]) => n.length));
  return `NAME:
   tsrun - an OCI runtime-spec container runtime (runc's command line)

USAGE:
   tsrun [global options] command [command options] [arguments...]

VERSION:
   ${version}

COMMANDS:
${commands.map(([n, s]) => `   ${n.padEnd(width)}  ${s}`).join('\n')}

GLOBAL OPTIONS:
${flagLines(globals)}

Run "tsrun help COMMAND" or "tsrun COMMAND --help" for a command's options.
`;
}
