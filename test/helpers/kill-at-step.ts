// kill -9 of tsrun at a chosen step of a command, for the faults-kill-*
// tests. After each kill, judged from the host: no process of the container survives
// (the init of a half-made container exits when tsrun's end of the sync
// socket closes), `list` and `state` still work, `delete --force` succeeds
// and leaves no state directory, cgroup, mount or process, and a new
// create with the same id works.
//
// How the kill lands deterministically, with no test hook in tsrun: strace
// without -f traces only tsrun's own main thread, which runs every step
// synchronously, so the sequence of its system calls is the same from one
// run to the next. A first traced run records that sequence; a step is
// named by the first (or last) call matching a pattern (the mkdir of the
// state directory, the rename of state.json, the sendmsg of a message type
// to tsrun-init, ...), which is the Nth call of its syscall. The kill run
// then has strace deliver SIGKILL on entry to that Nth call
// (`-e inject=SYSCALL:signal=SIGKILL:when=N`), i.e. just before the step
// runs. Patterns name paths and messages, not the implementation, so they
// hold whichever side (TypeScript or the C front door) serves a command.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { Bundle } from './bundle.ts';
import { containerProcesses, hostSnapshot, type HostSnapshot } from './host-snapshot.ts';
import { waitFor } from './host.ts';
import { skipUnlessRoot } from './requires.ts';
import { type Tsrun, TSRUN } from './tsrun.ts';

const TRACED = [
  'mkdir',
  'mkdirat',
  'rmdir',
  'unlink',
  'unlinkat',
  'rename',
  'renameat',
  'renameat2',
  'flock',
  'mknod',
  'mknodat',
  'open',
  'openat',
  'clone',
  'clone3',
  'sendmsg',
  'recvmsg',
  'wait4',
  'kill',
  'pidfd_send_signal',
];

export interface Step {
  name: string;
  /** Matched against strace's line for the call, e.g. `mkdir("/run/x/c-1", 0711) = 0`. */
  pattern: RegExp;
  last?: boolean;
  /** The container exists by then (recorded, or made before the command): its process stays until delete. */
  exists?: boolean;
}

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  strace: string;
  stderr: string;
}

export function hasStrace(): boolean {
  return spawnSync('strace', ['-V']).status === 0;
}

/** The options of a test that needs root and strace. */
export function skipUnlessRootAndStrace(): { skip?: string } {
  return hasStrace() ? skipUnlessRoot() : { skip: 'needs strace (scripts/setup.sh installs it)' };
}

/** bin/tsrun under strace; output through files (a created container keeps tsrun's stdio). */
function traced(root: string, straceArgs: string[], args: string[]): Outcome {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-strace-'));
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const err = openSync(join(dir, 'err'), 'w+');
  try {
    const log = join(dir, 'strace');
    const r = spawnSync('strace', ['-qq', '-o', log, ...straceArgs, TSRUN, '--root', root, ...args], {
      env,
      timeout: 60_000,
      stdio: ['ignore', 'ignore', err],
    });
    return {
      status: r.status,
      signal: r.signal,
      strace: existsSync(log) ? readFileSync(log, 'utf8') : '',
      stderr: readFileSync(join(dir, 'err'), 'utf8'),
    };
  } finally {
    closeSync(err);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The syscall and its ordinal (among calls of that syscall) of the step's call in a recorded trace. */
export function locate(trace: string, step: Step): { syscall: string; nth: number } | undefined {
  const calls = trace
    .split('\n')
    .map((line) => ({ line, syscall: /^(\w+)\(/.exec(line)?.[1] }))
    .filter((c): c is { line: string; syscall: string } => c.syscall !== undefined);
  const matching = calls.map((c, i) => (step.pattern.test(c.line) ? i : -1)).filter((i) => i >= 0);
  const at = step.last ? matching.at(-1) : matching[0];
  if (at === undefined) return undefined;
  const syscall = calls[at]!.syscall;
  return { syscall, nth: calls.slice(0, at + 1).filter((c) => c.syscall === syscall).length };
}

function procName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface Scenario {
  tsrun: Tsrun;
  bundle: Bundle;
  id: string;
  /** Brings the container to where the command under test starts (nothing for create and run). */
  prepare: () => void;
  args: string[];
  /** More checks once delete --force is done. */
  after?: (t: Test) => void;
}

/**
 * Records the command's trace once, then for each step: prepare, kill the
 * command at that step, and check what it left.
 */
export async function killAtEachStep(t: Test, s: Scenario, steps: Step[]): Promise<void> {
  const { tsrun, bundle, id } = s;
  const before: HostSnapshot = hostSnapshot(bundle.dir);
  s.prepare();
  const recorded = traced(tsrun.root, ['-e', `trace=${TRACED.join(',')}`], s.args);
  t.equal(recorded.status, 0, `the traced ${s.args[0]} succeeds: ${recorded.stderr}`);
  t.equal(tsrun.run(['delete', '--force', id]).status, 0);

  for (const step of steps) {
    const where = locate(recorded.strace, step);
    if (!where) {
      t.fail(`${step.name}: no call matches ${step.pattern} in the trace of ${s.args[0]}`);
      continue;
    }
    await t.test(`${s.args[0]} killed ${step.name} (${where.syscall} #${where.nth})`, async (t) => {
      s.prepare();
      const killed = traced(tsrun.root, ['-e', `trace=${where.syscall}`, '-e', `inject=${where.syscall}:signal=SIGKILL:when=${where.nth}`], s.args);
      t.match(killed.strace, /\+\+\+ killed by SIGKILL/, `tsrun died at that step (${killed.stderr.trim()})`);
      if (!step.exists) t.ok(await waitFor(() => containerProcesses().length === 0, 5000), 'no process of the half-made container survives tsrun');

      const list = tsrun.run(['list']);
      t.equal(list.status, 0, `list works: ${list.stderr}`);
      const state = tsrun.run(['state', id]);
      if (state.status === 0) {
        const st = JSON.parse(state.stdout) as { id: string; status: string; pid: number };
        t.equal(st.id, id, 'state works');
        // "created" only while the init still waits under its own name; once it exec()ed, running.
        if (st.status === 'created') t.equal(procName(st.pid), 'tsrun:[init]', 'created: the init still waits');
        if (st.status === 'running') t.not(procName(st.pid), 'tsrun:[init]', 'running: the process exec()ed');
      } else t.match(state.stderr, /does not exist/, 'state says the container does not exist');

      const del = tsrun.run(['delete', '--force', id]);
      t.equal(del.status, 0, `delete --force: ${del.stderr}`);
      t.same(tsrun.leftovers(), [], 'no state directory left');
      // A killed pid-namespace init finishes dying only once the zombies of
      // its namespace are reaped, some by the host's pid 1 (an exec's
      // intermediate process, orphaned by the kill): give that a moment.
      await waitFor(() => containerProcesses().every((p) => before.processes.includes(p)), 5000);
      t.same(hostSnapshot(bundle.dir, before), before, 'no cgroup, mount or process left');
      s.after?.(t);

      const again = tsrun.run(['create', '--bundle', bundle.dir, id]);
      t.equal(again.status, 0, `a new create with the same id works: ${again.stderr}`);
      t.equal(tsrun.run(['delete', '--force', id]).status, 0);
      t.same(hostSnapshot(bundle.dir, before), before, 'and its delete leaves nothing either');
    });
  }
}

// strace prints a message's first byte in C escapes: "\5" for type 5, "\n" for 10.
export const message = (syscall: 'sendmsg' | 'recvmsg', type: string): RegExp => new RegExp(`^${syscall}\\(.*iov_base="\\\\${type}\\\\0\\\\0\\\\0`);

export function createSteps(root: string, id: string): Step[] {
  const dir = escape(join(root, id));
  const cg = `/sys/fs/cgroup/[^"]*/${escape(id)}`;
  return [
    { name: 'at the mkdir of the state directory', pattern: new RegExp(`^mkdir(at)?\\(.*"${dir}"`) },
    { name: 'at the mknod of the exec fifo', pattern: new RegExp(`^mknod(at)?\\(.*"${dir}/exec\\.fifo"`) },
    { name: 'at the rename of the provisional state.json', pattern: new RegExp(`^rename(at2?)?\\(.*"${dir}/state\\.json"`) },
    { name: 'at the mkdir of the first cgroup', pattern: new RegExp(`^mkdir(at)?\\(.*"${cg}"`) },
    { name: 'at the mkdir of the last cgroup', pattern: new RegExp(`^mkdir(at)?\\(.*"${cg}"`), last: true },
    { name: 'at the write of a limit', pattern: new RegExp(`^open(at)?\\(.*"${cg}/pids\\.max", O_WRONLY`) },
    { name: 'at the clone3 of tsrun-init', pattern: /^clone3\(\{flags=[^}]*CLONE_INTO_CGROUP/ },
    { name: 'with tsrun-init started (its first message)', pattern: /^recvmsg\(/ },
    { name: 'at the reaping of the pid-namespace fork', pattern: /^wait4\(/ },
    { name: 'at the answer to READY_HOOKS', pattern: message('sendmsg', '5') },
    { name: 'while tsrun-init finishes its set-up (CREATED)', pattern: message('recvmsg', '6') },
    { name: 'at the rename of the final state.json', pattern: new RegExp(`^rename(at2?)?\\(.*"${dir}/state\\.json"`), last: true },
    { name: 'at the write of the pid file', pattern: /^open(at)?\(.*\.pid\.tmp", O_WRONLY/ },
    { name: 'at RECORDED, the last message to tsrun-init', pattern: message('sendmsg', 'n') },
  ];
}
