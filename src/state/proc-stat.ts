// /proc/<pid>/stat: the process state letter and its start time (clock
// ticks since boot), which together tell a live process from a reused pid;
// its name and parent, which tell the front door's primer (launch/primer.ts).
import { readFileSync } from 'node:fs';

export interface ProcStat {
  comm: string;
  state: string;
  ppid: number;
  /** The kernel's PF_* flags (include/linux/sched.h). */
  flags: number;
  startTime: number;
}

/** Parses the text of /proc/<pid>/stat; the comm field may hold spaces and parens. */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state), fields[1] field 4 (ppid), fields[6] field 9 (flags); start time is field 22.
  return {
    comm: text.slice(text.indexOf('(') + 1, close),
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    flags: Number(fields[6]),
    startTime: Number(fields[19]),
  };
}

export function readProcStat(pid: number): ProcStat | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}
