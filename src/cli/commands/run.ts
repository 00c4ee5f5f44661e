// run: create + start. In the foreground tsrun becomes a child subreaper
// so the container process (orphaned by the pid-namespace fork) becomes
// its child: it waits for it, forwards signals, returns its exit status
// and deletes the container unless --keep.
import { existsSync } from 'node:fs';
import { createContainer } from '../../container/create.ts';
import { deleteContainer } from '../../container/delete.ts';
import { startContainer } from '../../container/start.ts';
import { buildDir } from '../../install-paths.ts';
import { reapPrimer } from '../../launch/primer.ts';
import { native } from '../../native/addon.ts';
import { flushCodeCaches } from '../code-cache.ts';
import { flagBool } from '../args.ts';
import { waitForeground } from '../foreground.ts';
import type { GlobalFlags } from '../global-flags.ts';
import type { Reporter } from '../report.ts';
import { callerConsoleSize, TerminalProxy } from '../terminal.ts';
import type { CommandHelp } from '../help.ts';
import type { FlagSpec } from '../args.ts';
import { CREATE_FLAGS, createOptions } from './create.ts';

const RUN_FLAGS: FlagSpec[] = [
  { name: 'detach', alias: 'd', value: false, help: 'return once the container runs, instead of waiting for it and returning its exit status' },
  { name: 'keep', value: false, help: 'keep the container (its state and cgroup) after it exits in the foreground' },
];

export const HELP: CommandHelp = {
  args: '<container-id>',
  description: `create then start. In the foreground tsrun forwards signals to the container,
serves its terminal when process.terminal is true and no --console-socket is
given, waits for it, exits with its status and deletes it (unless --keep).`,
  flags: [...CREATE_FLAGS, ...RUN_FLAGS],
};
/** The front door's hidden command (csrc/frontdoor/foreground.c). */
const FOREGROUND_COMMAND = '__foreground';

function waitInFrontDoor(g: GlobalFlags, id: string, pid: number, keep: boolean): void {
  const door = `${buildDir()}/tsrun`;
  // The front door serves root only (its default --root is root's).
  if (!existsSync(door) || process.geteuid?.() !== 0) return;
  const globals = ['--root', g.root, ...(g.log ? ['--log', g.log] : []), '--log-format', g.logFormat];
  // The exec ends this process: no exit handlers, and this call succeeded.
  flushCodeCaches();
  // The front door waits for the container alone: no zombie primer beside it.
  reapPrimer();
  try {
    native().execFile(door, ['tsrun', ...globals, FOREGROUND_COMMAND, id, String(pid), keep ? 'keep' : 'delete']);
  } catch {
    // execv failed: Node waits as before.
  }
}

export default async function run(argv: string[], g: GlobalFlags, r: Reporter): Promise<number> {
  const { parsed, options } = createOptions(argv, g, r, RUN_FLAGS);
  const detach = flagBool(parsed, 'detach');
  // Without --console-socket a foreground run serves the terminal itself;
  // create only uses consoleFd when the config asks for a terminal.
  const terminal = !detach && !options.consoleSocket ? new TerminalProxy() : undefined;
  if (!detach) native().setChildSubreaper();
  const { state, terminal: wantsTerminal } = await createContainer({
    ...options,
    ...(terminal ? { consoleFd: terminal.theirs } : {}),
    ...(terminal && callerConsoleSize() ? { defaultConsoleSize: callerConsoleSize()! } : {}),
  });
  // From here on a failure must not leave the container behind.
  try {
    if (terminal && wantsTerminal) terminal.receive();
    startContainer(g.root, options.id, r.warn);
    if (detach) return 0;
    if (terminal && wantsTerminal) terminal.attach();
  } catch (err) {
    if (terminal && wantsTerminal) await terminal.detach();
    await deleteContainer(g.root, options.id, true, r.warn);
    throw err;
  }
  // Without a terminal to serve, the wait needs nothing of Node: hand it to
  // the C front door in this same process (still the subreaper, still the
  // container's parent), a couple of MB instead of a Node process.
  if (!(terminal && wantsTerminal)) waitInFrontDoor(g, options.id, state.pid, flagBool(parsed, 'keep'));
  try {
    return await waitForeground(state.pid);
  } finally {
    if (terminal && wantsTerminal) await terminal.detach();
    if (!flagBool(parsed, 'keep')) await deleteContainer(g.root, options.id, true, r.warn);
  }
}
