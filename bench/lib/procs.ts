// Host process accounting for the density scenario.
//
// "Leftover" processes are the processes a runtime leaves resident on the
// host besides the container processes themselves (a shim, a monitor, a
// `runc`/`tsrun`/`node` that never exited...). A process counts as leftover
// when it
//   - did not exist before the containers were started (pid + start time),
//   - lives in the host's pid namespace (container processes live in the
//     container's own pid namespace: the bundle has a pid namespace), and
//   - was started on behalf of this benchmark: its environment carries the
//     benchmark's marker variable, or its command line names the benchmark's
//     temp dir or a container id of this run. This keeps processes of other
//     people working on the same machine out of the count.
// Kernel threads are never counted.

import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  start: string;
  comm: string;
  cmdline: string;
  pidns: string;
  marked: boolean;
}

function readStat(pid: number): { ppid: number; start: string; comm: string } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, close);
    const rest = s.slice(close + 2).split(' ');
    // rest[0] = state (field 3), rest[1] = ppid (field 4), rest[19] = starttime (field 22)
    return { ppid: Number(rest[1]), start: rest[19] ?? '?', comm };
  } catch {
    return null;
  }
}

export function listProcs(marker: string | null): ProcInfo[] {
  const out: ProcInfo[] = [];
  const needle = marker === null ? null : Buffer.from(`\0${marker}`);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const st = readStat(pid);
    if (!st) continue;
    if (pid === 2 || st.ppid === 2) continue; // kernel threads
    let pidns = '';
    let cmdline = '';
    let marked = false;
    try {
      pidns = readlinkSync(`/proc/${pid}/ns/pid`);
    } catch {
      continue;
    }
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`).toString('utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
    } catch {
      /* raced with exit */
    }
    if (needle) {
      try {
        const env = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`)]);
        marked = env.includes(needle);
      } catch {
        /* raced with exit */
      }
    }
    out.push({ pid, ppid: st.ppid, start: st.start, comm: st.comm, cmdline, pidns, marked });
  }
  return out;
}

export function procKey(p: ProcInfo): string {
  return `${p.pid}:${p.start}`;
}

export function hostPidns(): string {
  return readlinkSync('/proc/self/ns/pid');
}

/**
 * Processes that are new since `before`, in the host pid namespace, and ours
 * (marker env var `${MARKER_VAR}=${marker}`, or a command line naming one of
 * `needles`). `markerAssignment` is "VAR=value".
 */
export function leftovers(before: ReadonlySet<string>, markerAssignment: string, needles: readonly string[]): ProcInfo[] {
  const ns = hostPidns();
  return listProcs(markerAssignment).filter(
    (p) => !before.has(procKey(p)) && p.pid !== process.pid && p.pidns === ns && (p.marked || needles.some((n) => p.cmdline.includes(n))),
  );
}

/** Processes in the host pid namespace carrying our marker (for cleanup). */
export function markedHostProcs(markerAssignment: string): ProcInfo[] {
  const ns = hostPidns();
  return listProcs(markerAssignment).filter((p) => p.marked && p.pid !== process.pid && p.pidns === ns);
}

export function memAvailableKiB(): number {
  const m = /^MemAvailable:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  if (!m?.[1]) throw new Error('MemAvailable missing from /proc/meminfo');
  return Number(m[1]);
}

/**
 * Busy time of all CPUs together (ms) from /proc/stat's first line: user,
 * nice, system, irq and softirq; idle, iowait and steal are not work done
 * here, and guest time is already inside user. The kernel writes these in
 * USER_HZ, which is 100 on every Linux architecture's ABI.
 */
export function parseCpuBusyMs(stat: string): number {
  const m = /^cpu\s+(\d+) (\d+) (\d+) \d+ \d+ (\d+) (\d+)/.exec(stat);
  if (!m) throw new Error('no aggregate cpu line in /proc/stat');
  const ticks = [m[1], m[2], m[3], m[4], m[5]].reduce((sum, v) => sum + Number(v), 0);
  return ticks * 10;
}

export function cpuBusyMs(): number {
  return parseCpuBusyMs(readFileSync('/proc/stat', 'utf8'));
}

/** Unreclaimable kernel memory (KiB): SUnreclaim + KernelStack + PageTables + Percpu. */
export function kernelMemKiB(): number {
  const txt = readFileSync('/proc/meminfo', 'utf8');
  let sum = 0;
  for (const k of ['SUnreclaim', 'KernelStack', 'PageTables', 'Percpu']) {
    const m = new RegExp(`^${k}:\\s+(\\d+)\\s+kB`, 'm').exec(txt);
    sum += Number(m?.[1] ?? 0);
  }
  return sum;
}
