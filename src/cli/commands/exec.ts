// exec [--process FILE] [-e K=V]... [--cwd D] [-u UID[:GID]] [-t] [-d]
//      [--pid-file F] [--console-socket S] [--preserve-fds N] ID [CMD ARG...]
import { execProcess } from '../../container/exec.ts';
import { loadContainer } from '../../container/container.ts';
import { UsageError } from '../../errors.ts';
import { native } from '../../native/addon.ts';
import type { Process } from '../../spec/types.ts';
import { writePidFile } from '../../state/pid-file.ts';
import { flagBool, flagInt, flagList, flagString, parseArgs, type FlagSpec } from '../args.ts';
import type { CommandHelp } from '../help.ts';
import type { GlobalFlags } from '../global-flags.ts';
import { waitForeground } from '../foreground.ts';

const FLAGS: FlagSpec[] = [
  {
    name: 'process',
    alias: 'p',
    value: true,
    arg: 'FILE',
    help: 'a JSON file with the process to run (config.json\'s "process"); replaces the other process flags',
  },
  { name: 'env', alias: 'e', value: true, multi: true, arg: 'K=V', help: 'add an environment variable (repeatable)' },
  { name: 'cwd', value: true, arg: 'DIR', help: 'working directory inside the container' },
  { name: 'user', alias: 'u', value: true, arg: 'UID[:GID]', help: 'run as this uid (and gid), numbers' },
  { name: 'additional-gids', alias: 'g', value: true, multi: true, arg: 'GID', help: 'add a supplementary group (repeatable)' },
  { name: 'tty', alias: 't', value: false, help: 'give the process a pseudo-terminal' },
  { name: 'detach', alias: 'd', value: false, help: 'do not wait for the process: print nothing and return once it runs' },
  { name: 'pid-file', value: true, arg: 'FILE', help: "write the process's pid to FILE" },
  { name: 'console-socket', value: true, arg: 'PATH', help: 'AF_UNIX socket that receives the master fd of the pty (with --tty)' },
  { name: 'preserve-fds', value: true, arg: 'N', help: 'pass N more fds, from fd 3 on, into the process' },
  { name: 'no-new-privs', value: false, help: 'set no_new_privs for the process' },
  { name: 'cap', alias: 'c', value: true, multi: true, arg: 'CAP', help: 'add a capability to the bounding, effective and permitted sets (repeatable)' },
];

export const HELP: CommandHelp = {
  args: '<container-id> <command> [args...]',
  description: `Runs a new process inside a running container, by default the container's own
process settings with the given command line, and returns its exit status.`,
  flags: FLAGS,
};

async function processFor(p: ReturnType<typeof parseArgs>, base: Process): Promise<Process> {
  const file = flagString(p, 'process');
  if (file && p.positional.length > 1) {
    throw new UsageError(
      `unexpected arguments ${p.positional
        .slice(1)
        .map((a) => JSON.stringify(a))
        .join(' ')}: --process gives the command`,
    );
  }
  // import(): the schema and its checks are a bundle of their own, read
  // only by an exec with --process (scripts/build.mjs).
  if (file) return (await import('../../spec/load-process.ts')).loadProcessFile(file);
  const args = p.positional.slice(1);
  if (!args.length) throw new UsageError('needs a command to run (or --process FILE)');
  const proc: Process = { ...base, args, env: [...(base.env ?? []), ...flagList(p, 'env')], terminal: flagBool(p, 'tty') };
  const cwd = flagString(p, 'cwd');
  if (cwd) proc.cwd = cwd;
  const user = flagString(p, 'user');
  if (user) {
    const m = /^(\d+)(?::(\d+))?$/.exec(user);
    if (!m) throw new UsageError(`--user needs UID[:GID] as numbers, got ${JSON.stringify(user)}`);
    proc.user = { ...proc.user, uid: Number(m[1]), gid: m[2] ? Number(m[2]) : proc.user.gid };
  }
  const gids = flagList(p, 'additional-gids').map(Number);
  if (gids.length) proc.user = { ...proc.user, additionalGids: gids };
  if (flagBool(p, 'no-new-privs')) proc.noNewPrivileges = true;
  const caps = flagList(p, 'cap');
  if (caps.length) {
    const add = (set: string[] | undefined) => [...new Set([...(set ?? []), ...caps])];
    const c = proc.capabilities ?? {};
    proc.capabilities = { ...c, bounding: add(c.bounding), effective: add(c.effective), permitted: add(c.permitted) };
  }
  return proc;
}

export default async function exec(argv: string[], g: GlobalFlags): Promise<number> {
  const p = parseArgs(argv, FLAGS, 1);
  const id = p.positional[0];
  if (!id) throw new UsageError('needs <container-id> <command> [args...]');
  const detach = flagBool(p, 'detach');
  const proc = await processFor(p, loadContainer(g.root, id).state.process);
  if (!detach) native().setChildSubreaper();
  const consoleSocket = flagString(p, 'console-socket');
  const pid = execProcess({
    root: g.root,
    id,
    process: proc,
    ...(consoleSocket ? { consoleSocket } : {}),
    preserveFds: flagInt(p, 'preserve-fds', 0),
  });
  const pidFile = flagString(p, 'pid-file');
  if (pidFile) writePidFile(pidFile, pid);
  return detach ? 0 : waitForeground(pid);
}
