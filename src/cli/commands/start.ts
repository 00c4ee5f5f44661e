import { startContainer } from '../../container/start.ts';
import { parseArgs, requirePositional } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';
import type { CommandHelp } from '../help.ts';
import type { Reporter } from '../report.ts';

export const HELP: CommandHelp = {
  args: '<container-id>',
  description: 'Runs the user process of a created container (process.args of its config).',
  flags: [],
};

export default async function start(argv: string[], g: GlobalFlags, r: Reporter): Promise<number> {
  const [id] = requirePositional(parseArgs(argv, HELP.flags), ['container-id']);
  startContainer(g.root, id!, r.warn);
  return 0;
}
