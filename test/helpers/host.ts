// Looking at a container from the host: /proc/<pid>/status fields,
// namespace inodes, mountinfo, cgroup directories.
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { findCgroupLayout } from '../../src/host/cgroup-layout.ts';

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
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes('tsrun-')).length;
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

/**
 * Every cgroup hierarchy root of this host, from /proc/self/mountinfo: the
 * cgroup2 mount and each v1 controller's mount (deduplicated), so "no
 * cgroup left" checks look wherever the host keeps cgroups.
 */
export function cgroupRoots(): { v2?: string; v1: Record<string, string>; all: string[] } {
  const layout = findCgroupLayout();
  const all = [...new Set([...(layout.v2 ? [layout.v2] : []), ...Object.values(layout.v1)])];
  return { ...layout, all };
}

/** The directories named `relative` (e.g. /tsrun/c1) that exist in any hierarchy. */
export function cgroupDirsNamed(relative: string): string[] {
  return cgroupRoots()
    .all.map((root) => `${root}${relative}`)
    .filter((dir) => existsSync(dir));
}

/** The container's directory for v1 `controller`, or for cgroup2 when the host does not mount it as v1. */
export function controllerDir(controller: string, relative: string): string {
  const roots = cgroupRoots();
  const root = roots.v1[controller] ?? roots.v2;
  if (root === undefined) throw new Error(`no cgroup hierarchy holds ${controller}`);
  return `${root}${relative}`;
}

/** Polls `check` until it holds or `ms` pass; the last check decides. */
export async function waitFor(check: () => boolean, ms = 5000, everyMs = 20): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return check();
}
