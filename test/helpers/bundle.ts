// makeBundle(t, patch): a busybox-static rootfs and a config.json in a
// temp dir, removed at teardown. The base config is `tsrun spec`'s default
// without a terminal.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/spec/default-config.ts';

export interface TestLike {
  teardown(fn: () => void | Promise<void>): void;
}

/**
 * The config `tsrun spec` writes (defaultConfig), with one override: tests
 * run containers without a console socket, so process.terminal is false
 * (the default's true would make every create fail for want of
 * --console-socket). The default also masks /sys/devices/virtual/tpm, which
 * an older hand-kept copy here lacked; a masked path missing from the host
 * is skipped, so no test depends on it.
 */
export function baseConfig(): any {
  const config: any = defaultConfig({ rootless: false });
  config.process.terminal = false;
  return config;
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
