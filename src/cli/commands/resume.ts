import { resumeContainer } from '../../container/pause.ts';
import { parseArgs, requirePositional } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';

export default async function resume(argv: string[], g: GlobalFlags): Promise<number> {
  const [id] = requirePositional(parseArgs(argv, []), 'resume', ['container-id']);
  await resumeContainer(g.root, id!);
  return 0;
}
