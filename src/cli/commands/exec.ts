// exec [--process FILE] [-e K=V]... [--cwd D] [-u UID[:GID]] [-t] [-d]
//      [--pid-file F] [--console-socket S] [--preserve-fds N] ID [CMD ARG...]
import { execProcess } from '../../container/exec.ts';
import { loadContainer } from '../../container/container.ts';
import { UsageError } from '../../errors.ts';
import { native } from '../../native/addon.ts';
import { loadProcessFile } from '../../spec/load-process.ts';
import type { Process } from '../../spec/types.ts';
import { writePidFile } from '../../state/pid-file.ts';
import { flagBool, flagInt, flagList, flagString, parseArgs } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';
import { waitForeground } from '../foreground.ts';

const FLAGS = [
  { name: 'process', alias: 'p', value: true },
  { name: 'env', alias: 'e', value: true, multi: true },
  { name: 'cwd', value: true },
  { name: 'user', alias: 'u', value: true },
  { name: 'additional-gids', alias: 'g', value: true, multi: true },
  { name: 'tty', alias: 't', value: false },
  { name: 'detach', alias: 'd', value: false },
  { name: 'pid-file', value: true },
  { name: 'console-socket', value: true },
  { name: 'preserve-fds', value: true },
  { name: 'no-new-privs', value: false },
  { name: 'cap', alias: 'c', value: true, multi: true },
];

function processFor(p: ReturnType<typeof parseArgs>, base: Process): Process {
  const file = flagString(p, 'process');
  if (file) return loadProcessFile(file);
  const args = p.positional.slice(1);
  if (!args.length) throw new UsageError('exec needs a command to run (or --process FILE)');
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
  if (!id) throw new UsageError('exec needs <container-id> <command> [args...]');
  const detach = flagBool(p, 'detach');
  const proc = processFor(p, loadContainer(g.root, id).state.process);
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
