import { pauseContainer } from '../../container/pause.ts';
import { parseArgs, requirePositional } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';

export default async function pause(argv: string[], g: GlobalFlags): Promise<number> {
  const [id] = requirePositional(parseArgs(argv, []), 'pause', ['container-id']);
  await pauseContainer(g.root, id!);
  return 0;
}
