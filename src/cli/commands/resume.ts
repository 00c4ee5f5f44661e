import { resumeContainer } from '../../container/pause.ts';
import { parseArgs, requirePositional } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';
import type { CommandHelp } from '../help.ts';

export const HELP: CommandHelp = { args: '<container-id>', description: 'Thaws a paused container.', flags: [] };

export default async function resume(argv: string[], g: GlobalFlags): Promise<number> {
  const [id] = requirePositional(parseArgs(argv, HELP.flags), ['container-id']);
  await resumeContainer(g.root, id!);
  return 0;
}
