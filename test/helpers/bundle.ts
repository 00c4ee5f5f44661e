// makeBundle(t, patch): a busybox-static rootfs and a config.json in a
// temp dir, removed at teardown. The base config is runc spec's default
// without a terminal.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestLike {
  teardown(fn: () => void | Promise<void>): void;
}

export function baseConfig(): any {
  return {
    ociVersion: '1.2.0',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: {
        bounding: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
        effective: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
        permitted: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'tsrun',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }],
      maskedPaths: ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

export interface Bundle {
  dir: string;
  rootfs: string;
  config: any;
  write(): void;
}

let rootfsTemplate: string | undefined;

/** One busybox rootfs per test process, copied per bundle (cp -a is fast). */
function template(): string {
  if (rootfsTemplate) return rootfsTemplate;
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-rootfs-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'bin'));
  execFileSync('cp', ['/bin/busybox', join(dir, 'bin/busybox')]);
  // Relative links: `busybox --install -s` would point them at this host path.
  for (const applet of execFileSync('/bin/busybox', ['--list']).toString().trim().split('\n')) {
    if (applet !== 'busybox') symlinkSync('busybox', join(dir, 'bin', applet));
  }
  for (const d of ['proc', 'sys', 'dev', 'tmp', 'etc', 'root']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  rootfsTemplate = dir;
  return dir;
}

export function makeBundle(t: TestLike, patch?: (config: any, bundle: Bundle) => void): Bundle {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-bundle-'));
  const rootfs = join(dir, 'rootfs');
  execFileSync('cp', ['-a', template(), rootfs]);
  const bundle: Bundle = {
    dir,
    rootfs,
    config: baseConfig(),
    write() {
      writeFileSync(join(dir, 'config.json'), JSON.stringify(this.config, null, 2));
    },
  };
  patch?.(bundle.config, bundle);
  bundle.write();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return bundle;
}
