import { startContainer } from '../../container/start.ts';
import { parseArgs, requirePositional } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';
import type { Reporter } from '../report.ts';

export default async function start(argv: string[], g: GlobalFlags, r: Reporter): Promise<number> {
  const [id] = requirePositional(parseArgs(argv, []), 'start', ['container-id']);
  startContainer(g.root, id!, r.warn);
  return 0;
}
