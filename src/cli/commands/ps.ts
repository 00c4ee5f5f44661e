import { containerPids, containerPsTable } from '../../container/ps.ts';
import { UsageError } from '../../errors.ts';
import { flagString, parseArgs } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';
import type { CommandHelp } from '../help.ts';
import { writeOut } from '../output.ts';

export const HELP: CommandHelp = {
  args: '<container-id> [ps options]',
  description: `Shows the container's processes: ps(1) run on the host (options after the
id go to it, default -ef), limited to the container's pids; or their pids as JSON.`,
  flags: [{ name: 'format', alias: 'f', value: true, values: ['table', 'json'], help: 'output format (default table)' }],
};

export default async function ps(argv: string[], g: GlobalFlags): Promise<number> {
  // Options after the container id belong to ps(1) (runc: `ps ID -o pid,comm`).
  const p = parseArgs(argv, HELP.flags, 1);
  const [id, ...psArgs] = p.positional;
  if (id === undefined) throw new UsageError('needs <container-id> [ps options]');
  if (flagString(p, 'format') === 'json') {
    if (psArgs.length) throw new UsageError(`unexpected arguments ${psArgs.map((a) => JSON.stringify(a)).join(' ')}: ps(1) options need --format table`);
    writeOut(`${JSON.stringify(containerPids(g.root, id))}\n`);
  } else {
    writeOut(containerPsTable(g.root, id, psArgs));
  }
  return 0;
}
