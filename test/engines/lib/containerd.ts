// A private containerd: its own config, root, state and sockets in a temp
// directory, started for one suite and removed with everything it made.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runOk, sleep, waitFor, type Result, type RunOptions } from './exec.ts';
import { cgroupDirs, mountsUnder, processesWith, removeCgroupTree } from './host.ts';

export interface Containerd {
  dir: string;
  socket: string;
  namespace: string;
  runtimeRoot: string;
  /** ctr with our socket and namespace. */
  ctr(args: readonly string[], options?: RunOptions): Promise<Result>;
  ctrOk(args: readonly string[], options?: RunOptions): Promise<string>;
  log(): string;
  stop(): Promise<string[]>;
}

export interface ContainerdOptions {
  /** Extra TOML appended to the config (the CRI plugin's section). */
  extraConfig?: string;
  /** Keep the CRI plugin (disabled by default: the ctr suite does not need it). */
  cri?: boolean;
  /** Placeholders in extraConfig replaced with paths inside the temp dir. */
  rewriteConfig?: (dir: string) => Record<string, string>;
  /** The containerd namespace ctr uses (the CRI plugin works in k8s.io). */
  namespace?: string;
  /** Cgroup parents the suite asks for (a pod's): the kubelet's to remove, so ours. */
  cgroupParents?: string[];
}

export async function startContainerd(options: ContainerdOptions = {}): Promise<Containerd> {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-containerd-'));
  const socket = join(dir, 'containerd.sock');
  // The namespace names the cgroup parent (/<namespace>/<id>): unique per run
  const namespace = options.namespace ?? `tsrun-engines-${process.pid}`;
  const runtimeRoot = join(dir, 'runtime-root');
  const config = join(dir, 'config.toml');
  let extra = options.extraConfig ?? '';
  for (const [k, v] of Object.entries(options.rewriteConfig?.(dir) ?? {})) extra = extra.replaceAll(k, v);
  writeFileSync(
    config,
    `version = 2
root = "${dir}/root"
state = "${dir}/state"
disabled_plugins = [${options.cri ? '' : '"io.containerd.grpc.v1.cri"'}]
[grpc]
  address = "${socket}"
[ttrpc]
  address = "${socket}.ttrpc"
[debug]
  level = "info"
[plugins."io.containerd.internal.v1.opt"]
  path = "${dir}/opt"
${extra}
`,
  );
  const logFile = join(dir, 'containerd.log');
  const logFd = openSync(logFile, 'a');
  const child: ChildProcess = spawn('containerd', ['--config', config], { stdio: ['ignore', logFd, logFd] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));

  const ctr = (args: readonly string[], o: RunOptions = {}) => run('ctr', ['-a', socket, '-n', namespace, ...args], o);
  const ctrOk = (args: readonly string[], o: RunOptions = {}) => runOk('ctr', ['-a', socket, '-n', namespace, ...args], o);

  const stop = async (): Promise<string[]> => {
    // Tasks first (the shims exit with them), then containers and images
    const tasks = (await ctr(['task', 'ls', '-q'])).stdout.split('\n').filter(Boolean);
    for (const id of tasks) {
      await ctr(['task', 'kill', '-s', 'KILL', id]);
      await ctr(['task', 'delete', '-f', id], { timeoutMs: 20_000 });
    }
    for (const id of (await ctr(['container', 'ls', '-q'])).stdout.split('\n').filter(Boolean)) await ctr(['container', 'rm', id]);
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    const left: string[] = [];
    // Shims outlive containerd; any still alive was started for our socket
    for (const pid of await waitFor(() => processesWith(socket).length === 0 || processesWith(socket), 5000).then(() => processesWith(socket))) {
      left.push(`process ${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const m of mountsUnder(dir).reverse()) {
      left.push(`mount ${m}`);
      await run('umount', ['-l', m]);
    }
    for (const cg of [namespace, ...(options.cgroupParents ?? [])].flatMap(cgroupDirs)) {
      removeCgroupTree(cg);
      if (existsSync(cg)) left.push(`cgroup ${cg}`);
    }
    rmSync(dir, { recursive: true, force: true });
    return left;
  };

  const up = await waitFor(async () => existsSync(socket) && (await ctr(['version'])).code === 0, 20_000, 100);
  if (!up) {
    const log = readFileSync(logFile, 'utf8');
    await stop();
    throw new Error(`containerd did not start:\n${log.slice(-2000)}`);
  }
  return { dir, socket, namespace, runtimeRoot, ctr, ctrOk, log: () => readFileSync(logFile, 'utf8'), stop };
}
