// tsrun's entry: global flags, then the command's module, loaded only when
// that command runs (state and kill never load the addon or ajv).
import { writeOut } from './cli/output.ts';
import { UsageError } from './errors.ts';
import { flagBool, flagString, parseArgs } from './cli/args.ts';
import { defaultGlobals, GLOBAL_FLAGS, parseRootlessFlag, type GlobalFlags } from './cli/global-flags.ts';
import { Reporter } from './cli/report.ts';

export const VERSION = '0.1.0';
export const SPEC_VERSION = '1.2.0';

type Command = (argv: string[], g: GlobalFlags, r: Reporter) => Promise<number>;

// Each command is its own bundle (dist/commands/<name>.cjs, split by
// scripts/build.mjs), so a call parses only the code of its command:
// `state` never sees the validators, the planner or the addon.
const COMMANDS: Record<string, () => Promise<{ default: Command }>> = {
  create: () => import('./cli/commands/create.ts'),
  start: () => import('./cli/commands/start.ts'),
  run: () => import('./cli/commands/run.ts'),
  exec: () => import('./cli/commands/exec.ts'),
  state: () => import('./cli/commands/state.ts'),
  kill: () => import('./cli/commands/kill.ts'),
  delete: () => import('./cli/commands/delete.ts'),
  list: () => import('./cli/commands/list.ts'),
  pause: () => import('./cli/commands/pause.ts'),
  resume: () => import('./cli/commands/resume.ts'),
  spec: () => import('./cli/commands/spec.ts'),
  features: () => import('./cli/commands/features.ts'),
  update: () => import('./cli/commands/update.ts'),
  events: () => import('./cli/commands/events.ts'),
  ps: () => import('./cli/commands/ps.ts'),
};

const USAGE = `usage: tsrun [--root DIR] [--log FILE] [--log-format text|json] [--debug] COMMAND [ARGS]
commands: ${Object.keys(COMMANDS).join(', ')}`;

export async function main(argv: string[]): Promise<number> {
  // Global flags end at the first word that is not a flag.
  const split = argv.findIndex((a, i) => !a.startsWith('-') && !(i > 0 && needsValue(argv[i - 1]!)));
  const globalArgv = split < 0 ? argv : argv.slice(0, split);
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
  };
  const log = flagString(g, 'log');
  if (log) globals.log = log;
  const name = split < 0 ? undefined : argv[split];
  const reporter = new Reporter(globals, name ?? 'tsrun');
  try {
    globals.rootless = parseRootlessFlag(flagString(g, 'rootless'));
    if (flagBool(g, 'version')) {
      writeOut(`tsrun version ${VERSION}\nspec: ${SPEC_VERSION}\n`);
      return 0;
    }
    if (flagBool(g, 'help') || !name) {
      writeOut(`${USAGE}\n`);
      return name || flagBool(g, 'help') ? 0 : 1;
    }
    const load = COMMANDS[name];
    // One line: engines (containerd's shim, conmon) show it inside their own error.
    if (!load) throw new UsageError(`unknown command ${JSON.stringify(name)} (tsrun --help lists the commands)`);
    if (globals.systemdCgroup) throw new UsageError('--systemd-cgroup: the systemd cgroup driver is not supported; tsrun manages cgroupfs directly');
    // In dist/ a command is a CommonJS bundle that node's interop wraps
    // once more: its default export then sits at .default.default.
    const mod = (await load()) as { default: Command | { default: Command } };
    const command = typeof mod.default === 'function' ? mod.default : mod.default.default;
    return await command(argv.slice(split + 1), globals, reporter);
  } catch (err) {
    return reporter.error(err);
  }
}

function needsValue(flag: string): boolean {
  const key = flag.replace(/^--?/, '');
  return !key.includes('=') && GLOBAL_FLAGS.some((f) => f.value && (f.name === key || f.alias === key));
}

/** Runs the CLI and sets the exit status; never throws. */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`tsrun: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
