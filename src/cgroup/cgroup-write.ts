// One write a cgroup manager makes: which controller's file, what value, and
// the config field it comes from, so that a refusal names both.
import { CgroupError } from '../errors.ts';
import type { LinuxResources } from '../spec/types.ts';

export interface CgroupWrite {
  /** v1: the hierarchy the file lives in; v2: the controller to enable ('' for core cgroup.* files). */
  controller: string;
  /** File name inside the container's cgroup directory. */
  file: string;
  value: string;
  /** JSON pointer of the config field, e.g. /linux/resources/memory/limit. */
  pointer: string;
  /**
   * EINVAL is retried once after the other writes: the kernel refuses a
   * cfs period that makes the old quota exceed the parent's, until the new
   * quota is written (runc's fs/cpu.go does the same).
   */
  retryAfterRest?: boolean;
}

/** What the pure converters may ask about the cgroup they write into. */
export interface CgroupProbe {
  /** Whether `file` exists in the container's directory of `controller`. */
  exists(controller: string, file: string): boolean;
  /** Current value of a file (trimmed), or undefined when unreadable. */
  read(controller: string, file: string): string | undefined;
}

export const RESOURCES = '/linux/resources';

/** A resources field the host or tsrun cannot apply: one error naming the field. */
export function resourceError(pointer: string, reason: string): CgroupError {
  return new CgroupError(pointer, `${pointer}: ${reason}`);
}

export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** "major:minor" as the blkio/io files and devices lists write it. */
export function devNumber(d: { major: number; minor: number }): string {
  return `${d.major}:${d.minor}`;
}

/**
 * The writes whose files are named the same in cgroup v1 and v2:
 * cpuset.cpus/mems and pids.max (runc: a negative pids limit is unlimited).
 */
export function cpusetAndPidsWrites(r: LinuxResources): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const c = `${RESOURCES}/cpu`;
  if (r.cpu?.cpus) out.push({ controller: 'cpuset', file: 'cpuset.cpus', value: r.cpu.cpus, pointer: `${c}/cpus` });
  if (r.cpu?.mems) out.push({ controller: 'cpuset', file: 'cpuset.mems', value: r.cpu.mems, pointer: `${c}/mems` });
  if (r.pids && isSet(r.pids.limit) && r.pids.limit !== 0) {
    out.push({ controller: 'pids', file: 'pids.max', value: r.pids.limit > 0 ? String(r.pids.limit) : 'max', pointer: `${RESOURCES}/pids/limit` });
  }
  return out;
}
