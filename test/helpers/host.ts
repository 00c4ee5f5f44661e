// Looking at a container from the host: /proc/<pid>/status fields,
// namespace inodes, mountinfo, cgroup directories.
import { existsSync, readFileSync, readlinkSync } from 'node:fs';

export function procStatus(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

export function nsInode(pid: number | 'self', ns: string): string {
  return readlinkSync(`/proc/${pid}/ns/${ns}`);
}

export function cgroupDirOf(pid: number): string | undefined {
  const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('0::'));
  return line?.slice(3);
}

export function tsrunMountCount(): number {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes('tsrun-')).length;
}

export function pidAlive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** The process has exited: no /proc entry, or a zombie nobody reaped yet. */
export function pidGone(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}
