// Where the built artifacts live. This file is bundled into
// dist/commands/<name>.cjs or dist/lazy/<name>.cjs, or sits in src/ when
// run by tsx.
import { resolve } from 'node:path';

/** build/Release, where node-gyp puts the addon and tsrun-init. */
export function buildDir(): string {
  const here = import.meta.dirname;
  const root = /\/dist\/(commands|lazy)$/.test(here) ? resolve(here, '../..') : resolve(here, '..');
  return `${root}/build/Release`;
}
