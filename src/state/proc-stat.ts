// /proc/<pid>/stat: the process state letter and its start time (clock
// ticks since boot), which together tell a live process from a reused pid.
import { readFileSync } from 'node:fs';

export interface ProcStat {
  state: string;
  startTime: number;
}

/** Parses the text of /proc/<pid>/stat; the comm field may hold spaces and parens. */
export function parseProcStat(text: string): ProcStat {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); start time is field 22.
  return { state: fields[0] ?? '?', startTime: Number(fields[19]) };
}

export function readProcStat(pid: number): ProcStat | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}
