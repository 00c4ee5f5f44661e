// Hooks that run in the runtime's namespaces (prestart, createRuntime,
// poststart, poststop): the state JSON on stdin, `timeout` honoured, the
// failing hook named. createContainer/startContainer run in tsrun-init.
import type * as ChildProcess from 'node:child_process';
import { HookError } from '../errors.ts';
import { reapPrimer } from '../launch/primer.ts';
import type { Hook } from '../spec/types.ts';

function envObject(env: readonly string[] | undefined): NodeJS.ProcessEnv | undefined {
  if (!env) return undefined;
  const out: NodeJS.ProcessEnv = {};
  for (const entry of env) {
    const eq = entry.indexOf('=');
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

// Loaded on the first hook only: node compiles child_process (and net,
// which it pulls in) at run time, a few milliseconds on every create that
// has no hook to run.
let childProcess: typeof ChildProcess | undefined;

export function runHook(kind: string, index: number, hook: Hook, stateJson: string): void {
  // A hook sees no zombie of the front door's primer among tsrun's children.
  reapPrimer();
  childProcess ??= process.getBuiltinModule('node:child_process');
  const { spawnSync } = childProcess;
  const name = `${kind}[${index}]`;
  const args = hook.args?.length ? hook.args : [hook.path];
  const env = envObject(hook.env);
  const result = spawnSync(hook.path, args.slice(1), {
    argv0: args[0] ?? hook.path,
    input: stateJson,
    ...(env ? { env } : {}),
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: hook.timeout ? hook.timeout * 1000 : undefined,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 20,
  });
  const output = `${result.stderr?.toString() ?? ''}`.trim();
  const tail = output ? `: ${output.split('\n').slice(-3).join(' ')}` : '';
  // A hook may exit without reading its stdin: writing the state then
  // fails with EPIPE, which says nothing about the hook. As runc does, the
  // hook is judged by how it ended (status or signal), never by that write.
  const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
  const brokenStdin = code === 'EPIPE' && (result.status !== null || result.signal !== null);
  if (result.error && !brokenStdin) {
    if (code === 'ETIMEDOUT') throw new HookError(name, hook.path, `${name} ${hook.path} timed out after ${hook.timeout}s`);
    throw new HookError(name, hook.path, `${name} ${hook.path}: ${result.error.message}`, { cause: result.error });
  }
  if (result.signal) throw new HookError(name, hook.path, `${name} ${hook.path} killed by ${result.signal}${tail}`);
  if (result.status !== 0) throw new HookError(name, hook.path, `${name} ${hook.path} exited with status ${result.status}${tail}`);
}

/** Runs every hook of a list in order; the first failure throws. */
export function runHooks(kind: string, hooks: readonly Hook[] | undefined, stateJson: string): void {
  (hooks ?? []).forEach((hook, i) => runHook(kind, i, hook, stateJson));
}

/** For hooks whose failure the spec only wants logged (poststart, poststop). */
export function runHooksWarning(kind: string, hooks: readonly Hook[] | undefined, stateJson: string, warn: (msg: string) => void): void {
  (hooks ?? []).forEach((hook, i) => {
    try {
      runHook(kind, i, hook, stateJson);
    } catch (err) {
      warn(err instanceof Error ? err.message : String(err));
    }
  });
}
