import { killContainer } from '../../container/kill.ts';
import { UsageError } from '../../errors.ts';
import { parseSignal } from '../../plan/signals.ts';
import { flagBool, parseArgs, requirePositional } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';

export default async function kill(argv: string[], g: GlobalFlags): Promise<number> {
  const p = parseArgs(argv, [{ name: 'all', alias: 'a', value: false }]);
  const [id, signal] = requirePositional(p, 'kill', ['container-id', 'signal'], 1);
  let number: number;
  try {
    number = parseSignal(signal ?? 'TERM');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  await killContainer(g.root, id!, number, flagBool(p, 'all'));
  return 0;
}
