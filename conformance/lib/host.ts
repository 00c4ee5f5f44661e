// What the runner learns once: the probe binary, a template rootfs, the host's
// own namespaces and cgroup layout, and what the runtime says it supports.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exec } from './exec.ts';

export interface Host {
  probe: string; // static probe binary on the host
  busybox: string;
  /** readlink of /proc/self/ns/<type> for the runner. */
  ns: Record<string, string>;
  /** controller name -> mount point of its v1 hierarchy. */
  cgroupV1: Map<string, string>;
  /** mount point of the cgroup2 hierarchy, if any, and its controllers. */
  cgroupV2: { mount: string; controllers: string[] } | undefined;
  selinux: boolean;
  apparmor: boolean;
  timens: boolean;
  machine: string;
}

export async function buildProbe(repo: string): Promise<string> {
  const src = path.join(repo, 'conformance/probe/probe.c');
  const outDir = path.join(repo, 'build/conformance');
  const out = path.join(outDir, 'probe');
  fs.mkdirSync(outDir, { recursive: true });
  const stale = !fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(src).mtimeMs;
  if (stale) {
    const r = await exec('gcc', ['-static', '-O2', '-Wall', '-o', `${out}.tmp`, src], { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`building the probe failed: ${r.summary}`);
    fs.renameSync(`${out}.tmp`, out);
  }
  return out;
}

export function findBusybox(): string {
  for (const p of ['/bin/busybox', '/usr/bin/busybox', '/usr/sbin/busybox']) {
    if (fs.existsSync(p)) return p;
  }
  throw new Error('busybox not found (install busybox-static)');
}

function readNs(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of fs.readdirSync('/proc/self/ns')) {
    try {
      out[t] = fs.readlinkSync(`/proc/self/ns/${t}`);
    } catch {
      // not readable: leave it out
    }
  }
  return out;
}

function readCgroups(): Pick<Host, 'cgroupV1' | 'cgroupV2'> {
  const v1 = new Map<string, string>();
  let v2: Host['cgroupV2'];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const mnt = pre.split(' ')[4] ?? '';
    const [fstype, , opts] = post.split(' ');
    if (fstype === 'cgroup') {
      for (const o of (opts ?? '').split(',')) {
        if (o !== 'rw' && o !== 'ro' && !o.startsWith('name=') && !o.includes('=')) v1.set(o, mnt);
      }
    } else if (fstype === 'cgroup2') {
      let controllers: string[] = [];
      try {
        controllers = fs.readFileSync(path.join(mnt, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
      } catch {
        // unreadable: treat as none
      }
      v2 = { mount: mnt, controllers };
    }
  }
  return { cgroupV1: v1, cgroupV2: v2 };
}

export async function detectHost(repo: string): Promise<Host> {
  const probe = await buildProbe(repo);
  const uname = await exec('uname', ['-m']);
  return {
    probe,
    busybox: findBusybox(),
    ns: readNs(),
    ...readCgroups(),
    selinux: fs.existsSync('/sys/fs/selinux/enforce'),
    apparmor: (() => {
      try {
        return fs.readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
      } catch {
        return false;
      }
    })(),
    timens: fs.existsSync('/proc/self/ns/time'),
    machine: uname.stdout.trim(),
  };
}

/** The runtime's `features` output (features.md), when it has one. */
export type Features = Record<string, any> | undefined;

export async function readFeatures(runtime: string, runtimeArgs: string[]): Promise<Features> {
  const r = await exec(runtime, [...runtimeArgs, 'features'], { timeoutMs: 10_000 });
  if (r.code !== 0) return undefined;
  try {
    return JSON.parse(r.stdout) as Record<string, any>;
  } catch {
    return undefined;
  }
}

/** Applets the rootfs needs: busybox symlinks in /bin. */
const APPLETS = [
  'sh',
  'cat',
  'echo',
  'sleep',
  'touch',
  'ls',
  'mkdir',
  'id',
  'hostname',
  'true',
  'false',
  'kill',
  'test',
  'env',
  'readlink',
  'stat',
  'date',
  'pwd',
  'rm',
  'grep',
  'head',
  'printf',
  'uname',
  'mount',
];

/** A template rootfs, built once per run; bundles copy it. */
export function makeTemplate(dir: string, host: Host): string {
  const root = path.join(dir, 'template-rootfs');
  for (const d of ['bin', 'dev', 'proc', 'sys', 'etc', 'tmp', 'var', 'root', 'mnt', 'usr/bin']) {
    fs.mkdirSync(path.join(root, d), { recursive: true });
  }
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  fs.copyFileSync(host.busybox, path.join(root, 'bin/busybox'));
  fs.chmodSync(path.join(root, 'bin/busybox'), 0o755);
  for (const a of APPLETS) fs.symlinkSync('busybox', path.join(root, 'bin', a));
  fs.copyFileSync(host.probe, path.join(root, 'bin/probe'));
  fs.chmodSync(path.join(root, 'bin/probe'), 0o755);
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  return root;
}
