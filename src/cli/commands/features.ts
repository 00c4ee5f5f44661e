import { seccompFeatures } from '../../launch/seccomp-program.ts';
import { closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { native } from '../../native/addon.ts';
import { MOUNT_ATTR } from '../../kernel/mount-flags.ts';
import { featuresDocument } from '../../spec/features.ts';
import { readHostLsm } from '../../host/lsm.ts';
import { parseArgs, requirePositional } from '../args.ts';
import type { CommandHelp } from '../help.ts';
import { writeOut } from '../output.ts';

// features-linux.md: idmap.enabled says id-mapped mounts work here; the
// only honest test is making one (kernel, filesystem and privileges all
// decide), so a throwaway one is made of the temp directory.
function idmapWorks(): boolean {
  try {
    const map = '0 100000 1\n';
    closeSync(native().idmappedTree(tmpdir(), false, false, MOUNT_ATTR.IDMAP, 0, map, map));
    return true;
  } catch {
    return false;
  }
}

export const HELP: CommandHelp = {
  args: '',
  description: 'Prints what this tsrun supports on this host, as the JSON document of the runtime-spec (features.md).',
  flags: [],
};

export default async function features(argv: string[]): Promise<number> {
  requirePositional(parseArgs(argv, HELP.flags), []);
  const lsm = readHostLsm();
  writeOut(`${JSON.stringify(featuresDocument(seccompFeatures(), { apparmor: lsm.apparmor, selinux: lsm.selinux, idmap: idmapWorks() }), null, 2)}\n`);
  return 0;
}
