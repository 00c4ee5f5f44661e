// tsrun's entry: global flags, then the command's module, loaded only when
// that command runs (state and kill never load the addon or ajv).
import { flushCodeCaches } from './cli/code-cache.ts';
import { writeOut } from './cli/output.ts';
import { UsageError } from './errors.ts';
import { flagBool, flagString, HelpRequested, parseArgs } from './cli/args.ts';
import { defaultGlobals, GLOBAL_FLAGS, rootlessFlag, type GlobalFlags } from './cli/global-flags.ts';
import { commandHelpText, overviewHelpText, type CommandHelp } from './cli/help.ts';
import { Reporter } from './cli/report.ts';
import { didYouMean } from './cli/suggest.ts';
import { SPEC_VERSION, VERSION } from './version.ts';

type Command = (argv: string[], g: GlobalFlags, r: Reporter) => Promise<number>;
interface CommandModule {
  default: Command;
  HELP: CommandHelp;
}

// Each command is its own bundle (dist/commands/<name>.cjs, split by
// scripts/build.mjs), so a call parses only the code of its command:
// `state` never sees the validators, the planner or the addon. The
// summaries stay here so `tsrun help` loads no command at all.
const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  create: { summary: 'create a container from a bundle; its process waits for start', load: () => import('./cli/commands/create.ts') },
  start: { summary: 'run the process of a created container', load: () => import('./cli/commands/start.ts') },
  run: { summary: 'create and start a container, and by default wait for it', load: () => import('./cli/commands/run.ts') },
  exec: { summary: 'run a new process inside a running container', load: () => import('./cli/commands/exec.ts') },
  state: { summary: 'print the state of a container as JSON', load: () => import('./cli/commands/state.ts') },
  kill: { summary: "send a signal to a container's process (default SIGTERM)", load: () => import('./cli/commands/kill.ts') },
  delete: { summary: 'remove a container: processes, cgroup and state', load: () => import('./cli/commands/delete.ts') },
  list: { summary: 'list the containers under --root', load: () => import('./cli/commands/list.ts') },
  pause: { summary: 'freeze every process of a container', load: () => import('./cli/commands/pause.ts') },
  resume: { summary: 'thaw a paused container', load: () => import('./cli/commands/resume.ts') },
  spec: { summary: 'write a default config.json into a bundle', load: () => import('./cli/commands/spec.ts') },
  features: { summary: 'print what tsrun supports on this host, as JSON', load: () => import('./cli/commands/features.ts') },
  update: { summary: "change a container's resource limits", load: () => import('./cli/commands/update.ts') },
  events: { summary: "print a container's events (oom, stats) as JSON lines", load: () => import('./cli/commands/events.ts') },
  ps: { summary: "show a container's processes", load: () => import('./cli/commands/ps.ts') },
};

const NAMES = [...Object.keys(COMMANDS), 'help'];

function overview(): string {
  const lines: Array<[string, string]> = Object.entries(COMMANDS).map(([n, c]) => [n, c.summary]);
  lines.push(['help', "show the commands, or one command's options (help COMMAND)"]);
  return overviewHelpText(VERSION, lines, GLOBAL_FLAGS);
}

function commandOf(name: string): { summary: string; load: () => Promise<CommandModule> } {
  const c = COMMANDS[name];
  // One line: engines (containerd's shim, conmon) show it inside their own error.
  if (!c) throw new UsageError(`unknown command ${JSON.stringify(name)}${didYouMean(name, NAMES)}`);
  return c;
}

// In dist/ a command module comes through the lazy-bundles plugin of
// scripts/build.mjs, under tsx it is the ES module itself: both have the
// run function at .default and the help at .HELP.
async function printCommandHelp(name: string): Promise<number> {
  const command = commandOf(name);
  writeOut(commandHelpText(name, command.summary, (await command.load()).HELP));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  // Global flags end at the first word that is not a flag.
  const split = argv.findIndex((a, i) => !a.startsWith('-') && !(i > 0 && needsValue(argv[i - 1]!)));
  const globalArgv = split < 0 ? argv : argv.slice(0, split);
  const name = split < 0 ? undefined : argv[split];
  // The command is named on every error line; an unknown one is named once, in the message.
  const reporter = new Reporter(defaultGlobals(), name && COMMANDS[name] ? name : '');
  try {
    const g = parseArgs(globalArgv, GLOBAL_FLAGS);
    const defaults = defaultGlobals();
    const root = flagString(g, 'root');
    const globals: GlobalFlags = {
      ...defaults,
      root: root ?? defaults.root,
      defaultRoot: root === undefined,
      logFormat: flagString(g, 'log-format') === 'json' ? 'json' : 'text',
      debug: flagBool(g, 'debug'),
      systemdCgroup: flagBool(g, 'systemd-cgroup'),
      rootless: rootlessFlag(flagString(g, 'rootless')),
    };
    const log = flagString(g, 'log');
    if (log) globals.log = log;
    reporter.useGlobals(globals);
    if (flagBool(g, 'version')) {
      writeOut(`tsrun version ${VERSION}\nspec: ${SPEC_VERSION}\n`);
      return 0;
    }
    if (!name) {
      writeOut(overview());
      return 0;
    }
    if (name === 'help') return await help(argv.slice(split + 1));
    const command = commandOf(name);
    if (globals.systemdCgroup) throw new UsageError('--systemd-cgroup: the systemd cgroup driver is not supported; tsrun manages cgroupfs directly');
    if (flagString(g, 'criu') !== undefined) throw new UsageError('--criu: checkpoint and restore are not supported by tsrun');
    const mod = await command.load();
    try {
      return await mod.default(argv.slice(split + 1), globals, reporter);
    } catch (err) {
      if (err instanceof HelpRequested) return await printCommandHelp(name);
      throw err;
    }
  } catch (err) {
    // --help among the global flags.
    if (err instanceof HelpRequested) {
      writeOut(overview());
      return 0;
    }
    return reporter.error(err);
  }
}

/** `tsrun help [COMMAND]`. */
async function help(args: string[]): Promise<number> {
  if (args.length === 0) {
    writeOut(overview());
    return 0;
  }
  if (args.length > 1) throw new UsageError(`help takes one command, got ${args.length} arguments`);
  if (args[0] === 'help') {
    writeOut(overview());
    return 0;
  }
  return printCommandHelp(args[0]!);
}

function needsValue(flag: string): boolean {
  const key = flag.replace(/^--?/, '');
  return !key.includes('=') && GLOBAL_FLAGS.some((f) => f.value && (f.name === key || f.alias === key));
}

/**
 * Runs the CLI and exits with its status; never throws. The exit is
 * explicit: once a command is done nothing of it is pending (stdout and
 * stderr writes are synchronous for files, pipes and terminals on Linux),
 * and waiting for the loop to drain would let V8 run the scavenge it
 * scheduled (~3 ms at the end of every create) and tear the heap down.
 */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => {
      if (code === 0) flushCodeCaches();
      process.exit(code);
    },
    (err) => {
      process.stderr.write(`tsrun: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
