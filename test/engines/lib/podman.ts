// A private podman: containers.conf, storage.conf and registries.conf in a
// temp dir, storage and runroot there too, so the system's podman state is
// never read or written. podman passes --root/--runroot/--tmpdir on to the
// cleanup command that conmon runs at exit, so everything that command
// needs must follow from those flags (static_dir is left at <root>/libpod).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runOk, type Result, type RunOptions } from './exec.ts';
import { mountsUnder, processesWith, removeCgroupTree } from './host.ts';

export interface Podman {
  dir: string;
  env: NodeJS.ProcessEnv;
  podman(args: readonly string[], options?: RunOptions): Promise<Result>;
  podmanOk(args: readonly string[], options?: RunOptions): Promise<string>;
  /** The podman command line for a shell (script(1) cases). */
  commandLine(): string;
  stop(): Promise<string[]>;
}

export function startPodman(runtime: string): Podman {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-podman-'));
  mkdirSync(join(dir, 'tmp'));
  // podman's defaults, except: cgroupfs (no systemd here), no network, file
  // logs and events (no journald), and rlimits this machine's root can
  // grant (it lacks CAP_SYS_RESOURCE, so podman's default of raising
  // nofile/nproc to the maximum fails under any runtime).
  writeFileSync(
    join(dir, 'containers.conf'),
    `[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
log_driver = "k8s-file"
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "${dir}/events.log"
tmp_dir = "${dir}/tmp"
volume_path = "${dir}/volumes"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "tsrun"]
[network]
network_config_dir = "${dir}/cni"
`,
  );
  writeFileSync(join(dir, 'storage.conf'), `[storage]\ndriver = "overlay"\ngraphroot = "${dir}/graph"\nrunroot = "${dir}/run"\n`);
  writeFileSync(join(dir, 'registries.conf'), 'unqualified-search-registries = []\n');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONTAINERS_CONF: join(dir, 'containers.conf'),
    CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
    CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
  };
  delete env.NODE_EXTRA_CA_CERTS;
  const flags = ['--runtime', runtime];
  // From the temp dir: conmon writes an "oom" marker file into its working directory.
  const podman = (args: readonly string[], o: RunOptions = {}) => run('podman', [...flags, ...args], { env, timeoutMs: 90_000, cwd: dir, ...o });
  const podmanOk = (args: readonly string[], o: RunOptions = {}) => runOk('podman', [...flags, ...args], { env, timeoutMs: 90_000, ...o });
  const commandLine = () =>
    `env CONTAINERS_CONF=${env.CONTAINERS_CONF} CONTAINERS_STORAGE_CONF=${env.CONTAINERS_STORAGE_CONF} CONTAINERS_REGISTRIES_CONF=${env.CONTAINERS_REGISTRIES_CONF} podman ${flags.join(' ')}`;
  const parentExisted = readdirSync('/sys/fs/cgroup').filter((h) => existsSync(join('/sys/fs/cgroup', h, 'libpod_parent')));

  const stop = async (): Promise<string[]> => {
    const left: string[] = [];
    const ids = (await podman(['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean);
    if (ids.length) await podman(['rm', '-f', '-t', '0', ...ids]);
    await podman(['rmi', '-af']);
    for (const pid of processesWith(dir)) {
      left.push(`process ${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    // containers/storage keeps its overlay home bind-mounted on itself: expected
    for (const m of mountsUnder(dir).reverse()) {
      if (!m.endsWith('/graph/overlay')) left.push(`mount ${m}`);
      await run('umount', ['-l', m]);
    }
    for (const id of ids)
      for (const h of readdirSync('/sys/fs/cgroup')) {
        const cg = join('/sys/fs/cgroup', h, 'libpod_parent', `libpod-${id}`);
        if (existsSync(cg)) {
          removeCgroupTree(cg);
          if (existsSync(cg)) left.push(`cgroup ${cg}`);
        }
      }
    for (const h of readdirSync('/sys/fs/cgroup')) if (!parentExisted.includes(h)) removeCgroupTree(join('/sys/fs/cgroup', h, 'libpod_parent'));
    rmSync(dir, { recursive: true, force: true });
    return left;
  };
  return { dir, env, podman, podmanOk, commandLine, stop };
}
