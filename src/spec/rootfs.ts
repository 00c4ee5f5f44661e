// Where config.json's root.path points (relative paths are the bundle's),
// and the check that it is a directory, made before create makes anything.
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, posix, resolve } from 'node:path';
import { SpecError } from '../errors.ts';
import type { Spec } from './types.ts';

export function rootfsPath(spec: Spec, bundle: string): string {
  const path = spec.root?.path ?? 'rootfs';
  return isAbsolute(path) ? posix.normalize(path) : resolve(bundle, path);
}

/** The rootfs's real path; a SpecError at /root/path when it is not a directory. */
export function resolveRootfs(spec: Spec, bundle: string, configFile: string): string {
  const path = rootfsPath(spec, bundle);
  let real: string;
  try {
    real = realpathSync(path);
    if (!statSync(real).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new SpecError(configFile, [{ pointer: '/root/path', reason: `rootfs ${path} is not a directory: ${(err as Error).message}` }]);
  }
  return real;
}
