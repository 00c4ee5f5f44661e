// spec: writes a default config.json into the bundle, like `runc spec`;
// refuses to overwrite an existing one.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../errors.ts';
import { defaultConfig } from '../../spec/default-config.ts';
import { flagBool, flagString, parseArgs } from '../args.ts';

export default async function spec(argv: string[]): Promise<number> {
  const p = parseArgs(argv, [
    { name: 'bundle', alias: 'b', value: true },
    { name: 'rootless', value: false },
  ]);
  const file = join(flagString(p, 'bundle') ?? '.', 'config.json');
  if (existsSync(file)) throw new UsageError(`${file} already exists: remove it first`);
  writeFileSync(file, `${JSON.stringify(defaultConfig({ rootless: flagBool(p, 'rootless') }), null, '\t')}\n`, { flag: 'wx' });
  return 0;
}
