import { deleteContainer } from '../../container/delete.ts';
import { flagBool, parseArgs, requirePositional } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';
import type { Reporter } from '../report.ts';

export default async function del(argv: string[], g: GlobalFlags, r: Reporter): Promise<number> {
  const p = parseArgs(argv, [{ name: 'force', alias: 'f', value: false }]);
  const [id] = requirePositional(p, 'delete', ['container-id']);
  await deleteContainer(g.root, id!, flagBool(p, 'force'), r.warn);
  return 0;
}
