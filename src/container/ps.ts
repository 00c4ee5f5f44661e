// ps: the container's processes, from its cgroup (every process of the
// subtree, also without a pid namespace). As a table, the host's ps(1)
// output keeps its header and the lines of those pids (runc's ps.go).
import { spawnSync } from 'node:child_process';
import { SystemError } from '../errors.ts';
import { loadContainer } from './container.ts';

export function containerPids(root: string, id: string): number[] {
  return loadContainer(root, id)
    .cgroup.procs()
    .sort((a, b) => a - b);
}

/** Keep ps's header and the lines whose PID column is one of `pids`. */
export function filterPsTable(output: string, pids: readonly number[]): string {
  const lines = output.split('\n');
  const header = lines[0] ?? '';
  const column = header.trim().split(/\s+/).indexOf('PID');
  if (column < 0) throw new SystemError(`ps: no PID column in its output header ${JSON.stringify(header)} (pass ps options that show PID)`);
  const wanted = new Set(pids);
  const kept = lines.slice(1).filter((line) => {
    const field = line.trim().split(/\s+/)[column];
    return field !== undefined && /^\d+$/.test(field) && wanted.has(Number(field));
  });
  return [header, ...kept].map((l) => `${l}\n`).join('');
}

/** Run ps(1) with `args` (default -ef) and keep the container's lines. */
export function containerPsTable(root: string, id: string, args: readonly string[]): string {
  const pids = containerPids(root, id);
  const psArgs = args.length > 0 ? [...args] : ['-ef'];
  const r = spawnSync('ps', psArgs, { encoding: 'utf8' });
  if (r.error) throw new SystemError(`cannot run ps: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`, { cause: r.error });
  if (r.status !== 0) {
    const out = `${r.stderr}${r.stdout}`.trim().split('\n')[0] ?? '';
    throw new SystemError(`ps ${psArgs.join(' ')} exited with status ${r.status}: ${out}`);
  }
  return filterPsTable(r.stdout, pids);
}
