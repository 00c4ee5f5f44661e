import { containerEvents } from '../../container/events.ts';
import { UsageError } from '../../errors.ts';
import { flagBool, flagString, parseArgs, requirePositional } from '../args.ts';
import { parseDuration } from '../duration.ts';
import type { GlobalFlags } from '../global-flags.ts';
import { writeOut } from '../output.ts';
import type { CommandHelp } from '../help.ts';
import type { Reporter } from '../report.ts';

export const HELP: CommandHelp = {
  args: '<container-id>',
  description: `Prints the container's events as JSON lines (oom, and stats every --interval)
until it stops.`,
  flags: [
    { name: 'stats', value: false, help: 'print the resource usage statistics once and exit' },
    { name: 'interval', value: true, arg: 'DURATION', help: 'time between stats events, e.g. 5s or 500ms (default 5s)' },
  ],
};

export default async function events(argv: string[], g: GlobalFlags, r: Reporter): Promise<number> {
  const p = parseArgs(argv, HELP.flags);
  const [id] = requirePositional(p, ['container-id']);
  // runc's default: a stats event every 5 seconds.
  const intervalMs = parseDuration('interval', flagString(p, 'interval') ?? '5s');
  if (intervalMs <= 0) throw new UsageError('--interval must be greater than 0');
  try {
    await containerEvents(g.root, id!, { stats: flagBool(p, 'stats'), intervalMs, write: (line) => writeOut(`${line}\n`), warn: r.warn });
  } catch (err) {
    // The reader of the stream went away: nothing left to report to.
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    throw err;
  }
  return 0;
}
