import { containerPids, containerPsTable } from '../../container/ps.ts';
import { UsageError } from '../../errors.ts';
import { flagString, parseArgs } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';
import { writeOut } from '../output.ts';

export default async function ps(argv: string[], g: GlobalFlags): Promise<number> {
  // Options after the container id belong to ps(1) (runc: `ps ID -o pid,comm`).
  const p = parseArgs(argv, [{ name: 'format', alias: 'f', value: true }], 1);
  const [id, ...psArgs] = p.positional;
  if (id === undefined) throw new UsageError('ps needs <container-id> [ps options]');
  const format = flagString(p, 'format') ?? 'table';
  if (format === 'json') {
    writeOut(`${JSON.stringify(containerPids(g.root, id))}\n`);
  } else if (format === 'table') {
    writeOut(containerPsTable(g.root, id, psArgs));
  } else {
    throw new UsageError(`--format: must be table or json, got ${JSON.stringify(format)}`);
  }
  return 0;
}
