import { killContainer } from '../../container/kill.ts';
import { UsageError } from '../../errors.ts';
import { parseSignal } from '../../kernel/signals.ts';
import { flagBool, parseArgs, requirePositional } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';
import type { CommandHelp } from '../help.ts';

export const HELP: CommandHelp = {
  args: '<container-id> [<signal>]',
  description: `Sends a signal to the container's process: a name (KILL, SIGKILL) or a
number; the default is SIGTERM.`,
  flags: [{ name: 'all', alias: 'a', value: false, help: 'signal every process in the container, not only its init' }],
};

export default async function kill(argv: string[], g: GlobalFlags): Promise<number> {
  const p = parseArgs(argv, HELP.flags);
  const [id, signal] = requirePositional(p, ['container-id', 'signal'], 1);
  let number: number;
  try {
    number = parseSignal(signal ?? 'TERM');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  await killContainer(g.root, id!, number, flagBool(p, 'all'));
  return 0;
}
