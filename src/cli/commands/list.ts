// list: like runc's, a table (ID PID STATUS BUNDLE CREATED OWNER), ids only
// with -q, or JSON. A container whose state cannot be read is skipped with
// a warning: one bad directory never breaks the listing of the others.
import { writeOut } from '../output.ts';
import { loadContainer } from '../../container/container.ts';
import { ociState } from '../../container/oci-state.ts';
import { listIds } from '../../state/store.ts';
import { flagBool, flagString, parseArgs, requirePositional } from '../args.ts';
import type { CommandHelp } from '../help.ts';
import type { GlobalFlags } from '../global-flags.ts';
import type { Reporter } from '../report.ts';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('')).join('\n');
}

export const HELP: CommandHelp = {
  args: '',
  description: 'Lists the containers under --root: ID PID STATUS BUNDLE CREATED OWNER.',
  flags: [
    { name: 'quiet', alias: 'q', value: false, help: 'print only the container ids' },
    { name: 'format', alias: 'f', value: true, values: ['table', 'json'], help: 'output format (default table)' },
  ],
};

export default async function list(argv: string[], g: GlobalFlags, r: Reporter): Promise<number> {
  const p = parseArgs(argv, HELP.flags);
  requirePositional(p, []);
  const format = flagString(p, 'format') ?? 'table';
  const states = [];
  for (const id of listIds(g.root)) {
    try {
      const c = loadContainer(g.root, id);
      states.push(ociState(c.state, c.status));
    } catch (err) {
      r.warn(`skipping ${id}: ${(err as Error).message}`);
    }
  }
  if (flagBool(p, 'quiet')) {
    writeOut(states.map((s) => `${s.id}\n`).join(''));
  } else if (format === 'json') {
    writeOut(`${JSON.stringify(states)}\n`);
  } else {
    const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER']];
    for (const s of states) rows.push([s.id, String(s.pid), s.status, s.bundle, s.created, s.owner]);
    writeOut(`${table(rows)}\n`);
  }
  return 0;
}
