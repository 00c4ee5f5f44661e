// containerd's CRI plugin (the Kubernetes path) with a runtime handler
// "tsrun": the runc v2 shim with BinaryName = the runtime under test
// (ENGINE_RUNTIME, default bin/tsrun). A small gRPC client drives it as the
// kubelet would, with the kubelet's usual defaults: seccomp RuntimeDefault,
// CPU shares/quota and a memory limit. The pause image is built here.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startContainerd } from './lib/containerd.ts';
import { criClient } from './lib/cri-client.ts';
import { run, waitFor } from './lib/exec.ts';
import { cgroupOf, ensureEngines, procStatus, runtimeBinary } from './lib/host.ts';
import { busyboxRootfs, pauseRootfs, writeOciArchive } from './lib/image.ts';

const RUNTIME = runtimeBinary();
const IMAGE = 'docker.io/tsrun/busybox:test';
// containerd 1.6's default sandbox_image, so the config needs no override
const PAUSE_IMAGE = 'registry.k8s.io/pause:3.6';
const HANDLER = 'tsrun';
const POD_CGROUP = `tsrun-engines-cri-${process.pid}`;

if (process.getuid?.() !== 0) {
  t.plan(0, 'needs root: starts containerd and real containers');
  process.exit(0);
}
ensureEngines();
t.comment(`runtime: ${RUNTIME}`);

let runtimeRoot = '';
const cd = await startContainerd({
  cri: true,
  extraConfig: `[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  # this machine's root lacks CAP_SYS_RESOURCE: clamp the sandbox's -998
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "${HANDLER}"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.${HANDLER}]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.${HANDLER}.options]
        BinaryName = "${RUNTIME}"
        Root = "RUNTIME_ROOT"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "CNI_DIR"
`,
  rewriteConfig: (dir) => {
    runtimeRoot = join(dir, 'runtime-root');
    return { RUNTIME_ROOT: runtimeRoot, CNI_DIR: join(dir, 'cni') };
  },
  namespace: 'k8s.io',
  cgroupParents: [POD_CGROUP],
});
const cri = criClient(cd.socket);
t.teardown(async () => {
  cri.close();
  const left = await cd.stop();
  if (left.length) throw new Error(`left behind: ${left.join('; ')}`);
});

writeOciArchive(busyboxRootfs(cd.dir), IMAGE, {}, join(cd.dir, 'busybox.tar'));
writeOciArchive(pauseRootfs(cd.dir), PAUSE_IMAGE, { Entrypoint: ['/pause'], Cmd: [], Env: [] }, join(cd.dir, 'pause.tar'));
await cd.ctrOk(['image', 'import', join(cd.dir, 'busybox.tar')], { timeoutMs: 120_000 });
await cd.ctrOk(['image', 'import', join(cd.dir, 'pause.tar')], { timeoutMs: 120_000 });

/** The runtime's own view of a container (its `state` command). */
async function runtimeState(id: string): Promise<any> {
  const r = await run(RUNTIME, ['--root', join(runtimeRoot, 'k8s.io'), 'state', id]);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
}

const logDir = join(cd.dir, 'pod-logs');
mkdirSync(logDir);
const sandboxConfig = {
  metadata: { name: 'engines-pod', uid: `uid-${process.pid}`, namespace: 'default', attempt: 0 },
  hostname: '',
  log_directory: logDir,
  labels: { suite: 'tsrun-engines' },
  linux: {
    cgroup_parent: `/${POD_CGROUP}`,
    security_context: { namespace_options: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' }, seccomp: { profile_type: 'RuntimeDefault' } },
  },
};

let sandboxId = '';
let containerId = '';

t.test('Version', async (t) => {
  const v = await cri.call('Version', { version: 'v1' });
  t.equal(v.runtime_name, 'containerd');
  t.equal(v.runtime_api_version, 'v1');
});

t.test('RunPodSandbox with the tsrun handler: the pause process runs under the runtime', async (t) => {
  const r = await cri.call('RunPodSandbox', { config: sandboxConfig, runtime_handler: HANDLER });
  sandboxId = r.pod_sandbox_id;
  t.match(sandboxId, /^[0-9a-f]{64}$/);
  const s = await cri.call('PodSandboxStatus', { pod_sandbox_id: sandboxId });
  t.equal(s.status.state, 'SANDBOX_READY');
  t.equal(s.status.runtime_handler, HANDLER);
  const state = await runtimeState(sandboxId);
  t.equal(state?.status, 'running', 'the runtime knows the sandbox (state under its --root)');
  t.ok(existsSync(join(runtimeRoot, 'k8s.io', sandboxId)), 'state dir under the handler Root');
  t.match(readFileSync(`/proc/${state.pid}/cmdline`, 'utf8'), /^\/pause/, 'the pause binary');
  t.match(procStatus(state.pid, 'Seccomp') ?? '', /^2$/, 'RuntimeDefault seccomp on the sandbox');
});

t.test('CreateContainer, StartContainer, ContainerStatus with default resources and seccomp', async (t) => {
  const c = await cri.call('CreateContainer', {
    pod_sandbox_id: sandboxId,
    sandbox_config: sandboxConfig,
    config: {
      metadata: { name: 'app', attempt: 0 },
      image: { image: IMAGE },
      command: ['sh', '-c'],
      args: ["echo started; trap 'exit 42' TERM; while true; do sleep 0.1; done"],
      working_dir: '/tmp',
      envs: [{ key: 'POD_ENV', value: 'from-cri' }],
      log_path: 'app/0.log',
      linux: {
        resources: { cpu_period: 100000, cpu_quota: 50000, cpu_shares: 512, memory_limit_in_bytes: 64 << 20, oom_score_adj: 1000 },
        security_context: { namespace_options: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' }, seccomp: { profile_type: 'RuntimeDefault' } },
      },
    },
  });
  containerId = c.container_id;
  t.match(containerId, /^[0-9a-f]{64}$/);
  let s = await cri.call('ContainerStatus', { container_id: containerId });
  t.equal(s.status.state, 'CONTAINER_CREATED');
  await cri.call('StartContainer', { container_id: containerId });
  s = await cri.call('ContainerStatus', { container_id: containerId });
  t.equal(s.status.state, 'CONTAINER_RUNNING');

  const state = await runtimeState(containerId);
  t.equal(state?.status, 'running', 'the runtime runs the container (state under its --root)');
  const pid = state.pid as number;
  t.equal(procStatus(pid, 'Seccomp'), '2', 'RuntimeDefault seccomp');
  const mem = `/sys/fs/cgroup/memory${cgroupOf(pid, 'memory')}/memory.limit_in_bytes`;
  const limit = existsSync(mem) ? readFileSync(mem, 'utf8') : readFileSync(`/sys/fs/cgroup/unified${cgroupOf(pid, '')}/memory.max`, 'utf8');
  t.equal(limit.trim(), String(64 << 20), 'memory limit in the cgroup');
  t.match(cgroupOf(pid, 'memory') ?? '', `/${POD_CGROUP}/`, 'under the pod cgroup parent');
  t.equal(readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim(), '1000');
  const log = await waitFor(() => existsSync(join(logDir, 'app/0.log')) && readFileSync(join(logDir, 'app/0.log'), 'utf8').includes('started'));
  t.ok(log, 'the container output reaches the CRI log');
});

t.test('ExecSync with output and exit status', async (t) => {
  const r = await cri.call('ExecSync', { container_id: containerId, cmd: ['sh', '-c', 'echo $POD_ENV; pwd; echo to-err >&2; exit 3'], timeout: 20 });
  t.equal(Buffer.from(r.stdout).toString(), 'from-cri\n/tmp\n');
  t.equal(Buffer.from(r.stderr).toString(), 'to-err\n');
  t.equal(r.exit_code, 3);
});

t.test("inside, the pod's cgroup mount shows the container its own memory limit", async (t) => {
  const cmd = ['sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'];
  const r = await cri.call('ExecSync', { container_id: containerId, cmd, timeout: 20 });
  t.equal(r.exit_code, 0, Buffer.from(r.stderr).toString());
  t.equal(Buffer.from(r.stdout).toString().trim(), String(64 << 20));
});

t.test('StopContainer delivers TERM; RemoveContainer removes the runtime state', async (t) => {
  await cri.call('StopContainer', { container_id: containerId, timeout: 10 });
  const s = await cri.call('ContainerStatus', { container_id: containerId });
  t.equal(s.status.state, 'CONTAINER_EXITED');
  t.equal(s.status.exit_code, 42, 'the trap ran');
  await cri.call('RemoveContainer', { container_id: containerId });
  t.equal(await runtimeState(containerId), undefined, 'the runtime forgot it');
  t.notOk(existsSync(join(runtimeRoot, 'k8s.io', containerId)));
  await t.rejects(cri.call('ContainerStatus', { container_id: containerId }), /not found|NotFound/i);
});

t.test('StopPodSandbox, RemovePodSandbox: nothing left', async (t) => {
  await cri.call('StopPodSandbox', { pod_sandbox_id: sandboxId });
  const s = await cri.call('PodSandboxStatus', { pod_sandbox_id: sandboxId });
  t.equal(s.status.state, 'SANDBOX_NOTREADY');
  await cri.call('RemovePodSandbox', { pod_sandbox_id: sandboxId });
  await t.rejects(cri.call('PodSandboxStatus', { pod_sandbox_id: sandboxId }), /not found|NotFound/i);
  t.notOk(existsSync(join(runtimeRoot, 'k8s.io', sandboxId)), 'sandbox state removed');
  const tasks = await cd.ctr(['task', 'ls', '-q']);
  t.equal(tasks.stdout.trim(), '', 'no task in k8s.io');
});
