// Where the built artifacts live. This file sits in src/ (run by tsx) or is
// bundled into dist/tsrun.mjs: either way the project root is one level up.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** build/Release, where node-gyp puts the addon and tsrun-init. */
export function buildDir(): string {
  return `${projectDir}/build/Release`;
}
