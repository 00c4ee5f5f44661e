import { pauseContainer } from '../../container/pause.ts';
import { parseArgs, requirePositional } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';
import type { CommandHelp } from '../help.ts';

export const HELP: CommandHelp = { args: '<container-id>', description: 'Freezes every process of the container (the cgroup freezer).', flags: [] };

export default async function pause(argv: string[], g: GlobalFlags): Promise<number> {
  const [id] = requirePositional(parseArgs(argv, HELP.flags), ['container-id']);
  await pauseContainer(g.root, id!);
  return 0;
}
