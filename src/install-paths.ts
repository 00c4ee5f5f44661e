// Where the built artifacts live. This file is bundled into
// dist/commands/<name>.cjs, or sits in src/ when run by tsx.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** build/Release, where node-gyp puts the addon and tsrun-init. */
export function buildDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = here.endsWith('/dist/commands') ? resolve(here, '../..') : resolve(here, '..');
  return `${root}/build/Release`;
}
