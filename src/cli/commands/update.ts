import { parseResourcesDocument, patchFromDocument, type ResourcesPatch } from '../../container/resources-patch.ts';
import { updateContainer } from '../../container/update.ts';
import { flagString, parseArgs, requirePositional } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';
import type { CommandHelp } from '../help.ts';
import type { Reporter } from '../report.ts';
import { flagsBesidesResources, patchFromFlags, readResourcesArgument, UPDATE_FLAGS } from '../update-flags.ts';

export const HELP: CommandHelp = {
  args: '<container-id>',
  description: `Changes the resource limits of a container: with the flags, or with --resources
naming a JSON file (or - for stdin) of linux.resources, which replaces the flags.`,
  flags: UPDATE_FLAGS,
};

export default async function update(argv: string[], g: GlobalFlags, r: Reporter): Promise<number> {
  const p = parseArgs(argv, UPDATE_FLAGS);
  const [id] = requirePositional(p, ['container-id']);
  let patch: ResourcesPatch;
  const resources = flagString(p, 'resources');
  if (resources !== undefined && resources !== '') {
    // As runc: a resources document replaces every other flag.
    for (const flag of flagsBesidesResources(p)) r.warn(`--${flag} ignored: --resources replaces the other flags`);
    const { source, text } = readResourcesArgument(resources);
    patch = patchFromDocument(parseResourcesDocument(source, text));
  } else {
    const flags = patchFromFlags(p);
    for (const flag of flags.ignored) r.warn(`setting --${flag} is ignored (kernel memory limits are obsolete, as in runc)`);
    patch = flags.patch;
  }
  updateContainer(g.root, id!, patch, r.warn);
  return 0;
}
