// Child processes with a deadline. Every runtime call goes through here, so a
// runtime that hangs costs one timeout and its whole process group is killed.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** A one-line summary for failure details. */
  summary: string;
}

export interface ExecOptions {
  timeoutMs?: number;
  /** stdio[1] and stdio[2] given as open fds (the child and its descendants keep them). */
  stdoutFd?: number;
  stderrFd?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function exec(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      detached: true, // own process group, so a timeout can kill all of it
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', opts.stdoutFd ?? 'pipe', opts.stderrFd ?? 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined); // the child may not read its stdin
      child.stdin.end(opts.input);
    }
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null, err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const what = `${cmd} ${args.join(' ')}`;
      const how = err ? `spawn error ${err.message}` : timedOut ? `timed out after ${timeoutMs} ms` : signal ? `killed by ${signal}` : `exit ${code}`;
      const msg = (stderr.trim() || stdout.trim()).split('\n').slice(-2).join(' | ').slice(0, 300);
      resolve({ code, signal, stdout, stderr, timedOut, summary: `\`${what}\`: ${how}${msg ? ` (${msg})` : ''}` });
    };
    child.on('error', (err) => finish(null, null, err));
    // 'exit' rather than 'close': a container may inherit our pipes and keep
    // them open long after the runtime returned. Give the pipes a moment to drain.
    child.on('exit', (code, signal) => {
      let drained = false;
      const done = (): void => {
        if (drained) return;
        drained = true;
        finish(code, signal);
      };
      child.on('close', done);
      setTimeout(done, 150);
    });
  });
}

export function killGroup(pid: number | undefined): void {
  if (!pid) return;
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0; look at its state.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
