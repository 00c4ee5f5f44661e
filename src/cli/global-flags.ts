// Global flags, before the command: runc's set.
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
  {
    name: 'root',
    value: true,
    arg: 'DIR',
    help: "directory holding the containers' state (default /run/tsrun, or $XDG_RUNTIME_DIR/tsrun for a user; keep it on tmpfs)",
  },
  { name: 'log', value: true, arg: 'FILE', help: 'also write warnings and errors to FILE (engines read the last error there)' },
  { name: 'log-format', value: true, values: ['text', 'json'], help: 'format of the --log file (default text)' },
  { name: 'debug', value: false, help: 'print debug messages and the cause chain of an error on stderr' },
  { name: 'systemd-cgroup', value: false, help: 'not supported: tsrun writes cgroupfs itself (given, it is an error)' },
  {
    name: 'rootless',
    value: true,
    values: ['true', 'false', 'auto'],
    help: 'run without privileges: cgroups only where delegated (default auto: when not root)',
  },
  { name: 'criu', value: true, arg: 'PATH', help: 'not supported: tsrun has no checkpoint/restore (given, it is an error)' },
  { name: 'version', alias: 'v', value: false, help: 'print the version of tsrun and of the runtime spec' },
];

/** The globals with nothing given; root is computed on each call (it depends on euid and the environment). */
export function defaultGlobals(): GlobalFlags {
  return { root: defaultRoot(), defaultRoot: true, logFormat: 'text', debug: false, systemdCgroup: false, rootless: 'auto' };
}

/** --rootless's value; the flag table already refused anything but these three. */
export function rootlessFlag(value: string | undefined): RootlessFlag {
  return value === 'true' || value === 'false' ? value : 'auto';
}
