// What an engine leaves on the host: mounts under a directory, processes
// whose command line names our private instance, cgroup directories.
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** The runtime under test: ENGINE_RUNTIME, or this tree's bin/tsrun. */
export function runtimeBinary(): string {
  return resolve(process.env.ENGINE_RUNTIME ?? join(REPO, 'bin/tsrun'));
}

/** Installs the engine's Debian packages when one is missing. */
export function ensureEngines(): void {
  execFileSync('bash', [join(REPO, 'scripts/engines-setup.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
}

/** Pids of processes whose command line contains `needle`. */
export function processesWith(needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(needle)) out.push(Number(name));
    } catch {
      // the process exited while we looked
    }
  }
  return out;
}

/** Cgroup directories named `name` at the top of any hierarchy (v1 and v2). */
export function cgroupDirs(name: string): string[] {
  const out: string[] = [];
  for (const h of readdirSync('/sys/fs/cgroup')) {
    const dir = join('/sys/fs/cgroup', h, name);
    if (existsSync(dir)) out.push(dir);
  }
  const unified = join('/sys/fs/cgroup', name);
  if (existsSync(unified)) out.push(unified);
  return out;
}

/** Removes cgroup directories (deepest first) that the engine created for
 * our private namespace; only empty ones can go, which is what we want. */
export function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroupTree(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {
    // still populated: reported by the leftover check
  }
}

/** The cgroup path of `pid` in the hierarchy holding `controller` (v1), or
 * the unified path when controller is ''. */
export function cgroupOf(pid: number, controller: string): string | undefined {
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const [, controllers, path] = line.split(':');
    if (controllers === undefined || path === undefined) continue;
    if (controller === '' ? controllers === '' : controllers.split(',').includes(controller)) return path;
  }
  return undefined;
}

export function procStatus(pid: number, field: string): string | undefined {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s*(.*)$`, 'm'));
  return m?.[1];
}
