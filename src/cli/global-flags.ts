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

export const DEFAULT_GLOBALS: GlobalFlags = { root: DEFAULT_ROOT, logFormat: 'text', debug: false, systemdCgroup: false };
