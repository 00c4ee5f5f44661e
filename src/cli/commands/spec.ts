// spec: writes a default config.json into the bundle, like `runc spec`;
// refuses to overwrite an existing one.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../errors.ts';
import { defaultConfig } from '../../spec/default-config.ts';
import { flagBool, flagString, parseArgs, requirePositional } from '../args.ts';
import type { CommandHelp } from '../help.ts';

export const HELP: CommandHelp = {
  args: '',
  description: `Writes a default config.json (sh on a terminal, the usual namespaces and
mounts) into the bundle; refuses to overwrite one.`,
  flags: [
    { name: 'bundle', alias: 'b', value: true, arg: 'DIR', help: 'where to write config.json (default: the current directory)' },
    { name: 'rootless', value: false, help: 'a config for an unprivileged user: a user namespace mapping the caller, no cgroup limits' },
  ],
};

export default async function spec(argv: string[]): Promise<number> {
  const p = parseArgs(argv, HELP.flags);
  requirePositional(p, []);
  const file = join(flagString(p, 'bundle') ?? '.', 'config.json');
  if (existsSync(file)) throw new UsageError(`${file} already exists: remove it first`);
  writeFileSync(file, `${JSON.stringify(defaultConfig({ rootless: flagBool(p, 'rootless') }), null, '\t')}\n`, { flag: 'wx' });
  return 0;
}
