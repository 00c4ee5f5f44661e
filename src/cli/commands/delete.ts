import { deleteContainer } from '../../container/delete.ts';
import { flagBool, parseArgs, requirePositional } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';
import type { CommandHelp } from '../help.ts';
import type { Reporter } from '../report.ts';

export const HELP: CommandHelp = {
  args: '<container-id>',
  description: 'Removes a stopped or created container: its processes, cgroup and state.',
  flags: [{ name: 'force', alias: 'f', value: false, help: 'kill the container with SIGKILL first if it is running or paused' }],
};

export default async function del(argv: string[], g: GlobalFlags, r: Reporter): Promise<number> {
  const p = parseArgs(argv, HELP.flags);
  const [id] = requirePositional(p, ['container-id']);
  await deleteContainer(g.root, id!, flagBool(p, 'force'), r.warn);
  return 0;
}
