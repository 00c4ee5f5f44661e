import { writeOut } from '../output.ts';
import { loadContainer } from '../../container/container.ts';
import { ociState } from '../../container/oci-state.ts';
import { parseArgs, requirePositional } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';
import type { CommandHelp } from '../help.ts';

export const HELP: CommandHelp = {
  args: '<container-id>',
  description: 'Prints the state of the container as JSON: the OCI state document, as runc prints it.',
  flags: [],
};

export default async function state(argv: string[], g: GlobalFlags): Promise<number> {
  const [id] = requirePositional(parseArgs(argv, HELP.flags), ['container-id']);
  const c = loadContainer(g.root, id!);
  writeOut(`${JSON.stringify(ociState(c.state, c.status), null, 2)}\n`);
  return 0;
}
