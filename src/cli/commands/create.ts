import { createContainer } from '../../container/create.ts';
import { flagBool, flagInt, flagString, parseArgs, requirePositional, type FlagSpec } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';
import type { Reporter } from '../report.ts';

export const CREATE_FLAGS: FlagSpec[] = [
  { name: 'bundle', alias: 'b', value: true },
  { name: 'pid-file', value: true },
  { name: 'console-socket', value: true },
  { name: 'no-pivot', value: false },
  { name: 'no-new-keyring', value: false },
  { name: 'preserve-fds', value: true },
];

export function createOptions(argv: string[], g: GlobalFlags, r: Reporter, command: string, extra: FlagSpec[] = []) {
  const p = parseArgs(argv, [...CREATE_FLAGS, ...extra]);
  const [id] = requirePositional(p, command, ['container-id']);
  const consoleSocket = flagString(p, 'console-socket');
  const pidFile = flagString(p, 'pid-file');
  return {
    parsed: p,
    options: {
      root: g.root,
      id: id!,
      bundle: flagString(p, 'bundle') ?? '.',
      ...(pidFile ? { pidFile } : {}),
      ...(consoleSocket ? { consoleSocket } : {}),
      noPivot: flagBool(p, 'no-pivot'),
      noNewKeyring: flagBool(p, 'no-new-keyring'),
      preserveFds: flagInt(p, 'preserve-fds', 0),
      warn: r.warn,
      rootless: g.rootless,
      defaultRoot: g.defaultRoot,
    },
  };
}

export default async function create(argv: string[], g: GlobalFlags, r: Reporter): Promise<number> {
  await createContainer(createOptions(argv, g, r, 'create').options);
  return 0;
}
