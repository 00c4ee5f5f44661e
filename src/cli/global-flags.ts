// Global flags, before the command: runc's set.
import { UsageError } from '../errors.ts';
import { defaultRoot } from '../state/paths.ts';
import type { FlagSpec } from './args.ts';

/** runc's --rootless: whether cgroup permission errors are tolerated (see rootless.ts). */
export type RootlessFlag = 'true' | 'false' | 'auto';

export interface GlobalFlags {
  root: string;
  /** --root was not given: root is defaultRoot(), which create may make (owned by the caller). */
  defaultRoot: boolean;
  log?: string;
  logFormat: 'text' | 'json';
  debug: boolean;
  systemdCgroup: boolean;
  rootless: RootlessFlag;
}

export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'root', value: true },
  { name: 'log', value: true },
  { name: 'log-format', value: true },
  { name: 'debug', value: false },
  { name: 'systemd-cgroup', value: false },
  { name: 'rootless', value: true },
  { name: 'criu', value: true },
  { name: 'version', alias: 'v', value: false },
  { name: 'help', alias: 'h', value: false },
];

/** The globals with nothing given; root is computed on each call (it depends on euid and the environment). */
export function defaultGlobals(): GlobalFlags {
  return { root: defaultRoot(), defaultRoot: true, logFormat: 'text', debug: false, systemdCgroup: false, rootless: 'auto' };
}

export function parseRootlessFlag(value: string | undefined): RootlessFlag {
  if (value === undefined) return 'auto';
  if (value === 'true' || value === 'false' || value === 'auto') return value;
  throw new UsageError(`--rootless ${JSON.stringify(value)}: must be true, false or auto`);
}
