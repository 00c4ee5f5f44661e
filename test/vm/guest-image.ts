// The guest's kernel and initramfs, built once and kept in a cache dir:
// a stock Debian kernel (`apt-get download`, unpacked with dpkg-deb, never
// installed on the host), its vmlinux extracted for PVH boot, and a busybox
// initramfs holding init.sh, agent.sh and the modules they need.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractVmlinux } from './bzimage.ts';
import { cpioArchive, type CpioEntry } from './cpio.ts';

export const CACHE_DIR = process.env.TSRUN_VM_CACHE ?? '/var/cache/tsrun-vm';

/** What init.sh loads; their dependencies are added in front. */
export const GUEST_MODULES = ['virtio_mmio', 'virtio_console', '9pnet_virtio', '9p', 'overlay', 'virtio_blk', 'loop'];
/**
 * Kept in the cache but not loaded at boot: a test insmods them from the
 * cache (the guest sees the host's / read-only) when it needs them, e.g.
 * bfq, which once loaded adds io.bfq.weight to every cgroup for the rest of the boot.
 */
export const EXTRA_MODULES = ['bfq'];

export interface GuestImage {
  kernelPackage: string;
  vmlinux: string;
  initramfs: string;
  /** The cached modules (GUEST_MODULES and EXTRA_MODULES), also at this path inside the guest. */
  modulesDir: string;
}

/** Thrown when this machine cannot run the guest at all (no qemu, no kernel to download): tests skip, loudly, instead of failing. */
export class GuestUnavailable extends Error {}

function aptCandidate(): string | undefined {
  try {
    const deps = execFileSync('apt-cache', ['depends', 'linux-image-amd64'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /Depends: (linux-image-[0-9][^\s]*-amd64)\b/.exec(deps)?.[1];
  } catch {
    return undefined;
  }
}

/** linux-image-6.1.0-N-amd64: the flavour with 9p (the cloud one has none), the version Debian's metapackage points at. */
function kernelPackage(): string {
  if (process.env.TSRUN_VM_KERNEL_PKG) return process.env.TSRUN_VM_KERNEL_PKG;
  const candidate = aptCandidate();
  if (candidate) return candidate;
  // No apt lists (CI images drop them): what the cache holds, else fetch the lists once.
  const cached = existsSync(CACHE_DIR)
    ? readdirSync(CACHE_DIR)
        .filter((d) => d.startsWith('linux-image-'))
        .sort()
    : [];
  if (cached.length > 0) return cached[cached.length - 1]!;
  aptGet(['update', '-q']);
  const fetched = aptCandidate();
  if (!fetched) throw new GuestUnavailable('apt knows no linux-image-amd64 to boot (set TSRUN_VM_KERNEL_PKG)');
  return fetched;
}

function aptGet(args: string[], cwd?: string): void {
  try {
    execFileSync('apt-get', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err: any) {
    throw new GuestUnavailable(`apt-get ${args.join(' ')} failed: ${String(err?.stderr ?? err).trim()}`);
  }
}

/** A module's depends= from its .modinfo section (what modinfo -F depends prints). */
export function moduleDepends(ko: Buffer): string[] {
  const at = ko.indexOf('\0depends=');
  if (at < 0) return [];
  const end = ko.indexOf(0, at + 1);
  const list = ko.toString('latin1', at + '\0depends='.length, end);
  return list ? list.split(',') : [];
}

/** Modules in load order (each after its dependencies), from name → path of every .ko under the tree. */
export function moduleLoadOrder(wanted: string[], depends: (name: string) => string[]): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (order.includes(name)) return;
    if (visiting.has(name)) throw new Error(`module dependency cycle at ${name}`);
    visiting.add(name);
    for (const dep of depends(name)) visit(dep);
    visiting.delete(name);
    order.push(name);
  };
  wanted.forEach(visit);
  return order;
}

function findModules(tree: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ko')) found.set(e.name.slice(0, -3).replaceAll('-', '_'), p);
    }
  };
  walk(tree);
  return found;
}

/**
 * Download and unpack the kernel package; keep what is missing of: the
 * vmlinux, and the modules of GUEST_MODULES (with their dependencies, in load
 * order) plus EXTRA_MODULES in `modulesDir`. Each lands by rename, so a
 * parallel test file sees all of it or nothing.
 */
function buildKernel(pkg: string, dir: string, modulesDir: string): void {
  const work = mkdtempSync(join(CACHE_DIR, '.unpack-'));
  try {
    try {
      aptGet(['download', pkg], work);
    } catch {
      // CI images often drop /var/lib/apt/lists after installing: fetch them once and retry.
      aptGet(['update', '-q']);
      aptGet(['download', pkg], work);
    }
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} left no .deb`);
    execFileSync('dpkg-deb', ['-x', deb, 'root'], { cwd: work });
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'vmlinux'))) {
      const vmlinuz = readdirSync(join(work, 'root/boot')).find((f) => f.startsWith('vmlinuz-'));
      if (!vmlinuz) throw new Error(`${pkg} has no /boot/vmlinuz-*`);
      const tmp = join(dir, `.vmlinux.${process.pid}`);
      writeFileSync(tmp, extractVmlinux(readFileSync(join(work, 'root/boot', vmlinuz))));
      renameSync(tmp, join(dir, 'vmlinux'));
    }
    if (existsSync(modulesDir)) return;
    const modules = findModules(join(work, 'root/lib/modules'));
    const depends = (name: string) => {
      const p = modules.get(name);
      if (!p) throw new Error(`${pkg} has no module ${name}`);
      return moduleDepends(readFileSync(p));
    };
    const order = moduleLoadOrder(GUEST_MODULES, depends);
    const stage = mkdtempSync(join(dir, '.modules-'));
    for (const m of [...order, ...moduleLoadOrder(EXTRA_MODULES, depends)]) writeFileSync(join(stage, `${m}.ko`), readFileSync(modules.get(m)!));
    writeFileSync(join(stage, 'modules.order'), order.join('\n') + '\n');
    renameSync(stage, modulesDir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function buildInitramfs(modulesDir: string, target: string, files: { init: Buffer; agent: Buffer; busybox: Buffer }): void {
  const order = readFileSync(join(modulesDir, 'modules.order'), 'utf8').trim().split('\n');
  const entries: CpioEntry[] = [
    { name: 'bin', mode: 0o040755 },
    { name: 'bin/busybox', mode: 0o100755, data: files.busybox },
    { name: 'bin/sh', mode: 0o120777, data: Buffer.from('busybox') },
    { name: 'init', mode: 0o100755, data: files.init },
    { name: 'agent.sh', mode: 0o100644, data: files.agent },
    { name: 'modules.order', mode: 0o100644, data: Buffer.from(order.join('\n') + '\n') },
    { name: 'modules', mode: 0o040755 },
    ...order.map((m) => ({ name: `modules/${m}.ko`, mode: 0o100644, data: readFileSync(join(modulesDir, `${m}.ko`)) })),
  ];
  const tmp = `${target}.${process.pid}.tmp`;
  // Uncompressed: the kernel unpacks it faster than it would gunzip it under TCG.
  writeFileSync(tmp, cpioArchive(entries));
  renameSync(tmp, target);
}

/** The cached image, built first if missing. The initramfs is named by a hash of its inputs, so editing init.sh rebuilds it. */
export function guestImage(): GuestImage {
  mkdirSync(CACHE_DIR, { recursive: true });
  const pkg = kernelPackage();
  const kernelDir = join(CACHE_DIR, pkg);
  // One directory per module list: adding a module fetches the package again instead of using a stale set.
  const modulesDir = join(
    kernelDir,
    `modules-${createHash('sha256')
      .update(JSON.stringify([GUEST_MODULES, EXTRA_MODULES]))
      .digest('hex')
      .slice(0, 12)}`,
  );
  if (!existsSync(join(kernelDir, 'vmlinux')) || !existsSync(modulesDir)) buildKernel(pkg, kernelDir, modulesDir);
  const files = {
    init: readFileSync(join(import.meta.dirname, 'init.sh')),
    agent: readFileSync(join(import.meta.dirname, 'agent.sh')),
    busybox: readFileSync('/bin/busybox'),
  };
  const hash = createHash('sha256');
  for (const b of [files.init, files.agent, files.busybox, readFileSync(join(modulesDir, 'modules.order'))]) hash.update(b);
  const initramfs = join(kernelDir, `initramfs-${hash.digest('hex').slice(0, 12)}.cpio`);
  if (!existsSync(initramfs)) buildInitramfs(modulesDir, initramfs, files);
  return { kernelPackage: pkg, vmlinux: join(kernelDir, 'vmlinux'), initramfs, modulesDir };
}
