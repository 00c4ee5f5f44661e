import { createContainer } from '../../container/create.ts';
import { flagBool, flagInt, flagString, parseArgs, requirePositional, type FlagSpec } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';
import type { CommandHelp } from '../help.ts';
import type { Reporter } from '../report.ts';

export const CREATE_FLAGS: FlagSpec[] = [
  {
    name: 'bundle',
    alias: 'b',
    value: true,
    arg: 'DIR',
    help: 'the bundle: the directory holding config.json and (usually) the rootfs (default: the current directory)',
  },
  { name: 'pid-file', value: true, arg: 'FILE', help: "write the container's init pid to FILE" },
  { name: 'console-socket', value: true, arg: 'PATH', help: 'AF_UNIX socket that receives the master fd of the pty when process.terminal is true' },
  { name: 'no-pivot', value: false, help: 'enter the rootfs with MS_MOVE and chroot instead of pivot_root (for a rootfs on a ramdisk)' },
  { name: 'no-new-keyring', value: false, help: "keep the caller's session keyring instead of creating one for the container" },
  { name: 'preserve-fds', value: true, arg: 'N', help: 'pass N more fds, from fd 3 on, into the container (after any LISTEN_FDS)' },
];

export const HELP: CommandHelp = {
  args: '<container-id>',
  description: `Creates the container described by the bundle's config.json and leaves its
process waiting: "tsrun start <container-id>" runs process.args. The id must
be unique under --root.`,
  flags: CREATE_FLAGS,
};

export function createOptions(argv: string[], g: GlobalFlags, r: Reporter, extra: FlagSpec[] = []) {
  const p = parseArgs(argv, [...CREATE_FLAGS, ...extra]);
  const [id] = requirePositional(p, ['container-id']);
  const consoleSocket = flagString(p, 'console-socket');
  const pidFile = flagString(p, 'pid-file');
  return {
    parsed: p,
    options: {
      root: g.root,
      id: id!,
      bundle: flagString(p, 'bundle') ?? '.',
      ...(pidFile ? { pidFile } : {}),
      ...(consoleSocket ? { consoleSocket } : {}),
      noPivot: flagBool(p, 'no-pivot'),
      noNewKeyring: flagBool(p, 'no-new-keyring'),
      preserveFds: flagInt(p, 'preserve-fds', 0),
      warn: r.warn,
      rootless: g.rootless,
      defaultRoot: g.defaultRoot,
    },
  };
}

export default async function create(argv: string[], g: GlobalFlags, r: Reporter): Promise<number> {
  await createContainer(createOptions(argv, g, r).options);
  return 0;
}
