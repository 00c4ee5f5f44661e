// Global flags, before the command: runc's set.
import { DEFAULT_ROOT } from '../state/paths.ts';
import type { FlagSpec } from './args.ts';

export interface GlobalFlags {
  root: string;
  log?: string;
  logFormat: 'text' | 'json';
  debug: boolean;
  systemdCgroup: boolean;
}

export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'root', value: true, arg: 'DIR', help: 'directory holding the containers\' state (default /run/tsrun; keep it on tmpfs)' },
  { name: 'log', value: true, arg: 'FILE', help: 'also write warnings and errors to FILE (engines read the last error there)' },
  { name: 'log-format', value: true, values: ['text', 'json'], help: 'format of the --log file (default text)' },
  { name: 'debug', value: false, help: 'print debug messages and the cause chain of an error on stderr' },
  { name: 'systemd-cgroup', value: false, help: 'not supported: tsrun writes cgroupfs itself (given, it is an error)' },
  { name: 'rootless', value: true, values: ['true', 'false', 'auto'], help: 'whether cgroup permission errors are tolerated (default auto)' },
  { name: 'criu', value: true, arg: 'PATH', help: 'not supported: tsrun has no checkpoint/restore (given, it is an error)' },
  { name: 'version', alias: 'v', value: false, help: 'print the version of tsrun and of the runtime spec' },
];

export const DEFAULT_GLOBALS: GlobalFlags = { root: DEFAULT_ROOT, logFormat: 'text', debug: false, systemdCgroup: false };
