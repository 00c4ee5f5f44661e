// run: create + start. In the foreground tsrun becomes a child subreaper
// so the container process (orphaned by the pid-namespace fork) becomes
// its child: it waits for it, forwards signals, returns its exit status
// and deletes the container unless --keep.
import { createContainer } from '../../container/create.ts';
import { deleteContainer } from '../../container/delete.ts';
import { startContainer } from '../../container/start.ts';
import { native } from '../../native/addon.ts';
import { flagBool } from '../args.ts';
import type { GlobalFlags } from '../global-flags.ts';
import type { Reporter } from '../report.ts';
import { waitForeground } from '../foreground.ts';
import { createOptions } from './create.ts';

export default async function run(argv: string[], g: GlobalFlags, r: Reporter): Promise<number> {
  const { parsed, options } = createOptions(argv, g, r, 'run', [
    { name: 'detach', alias: 'd', value: false },
    { name: 'keep', value: false },
  ]);
  const detach = flagBool(parsed, 'detach');
  if (!detach) native().setChildSubreaper();
  const { state } = await createContainer(options);
  try {
    startContainer(g.root, options.id, r.warn);
  } catch (err) {
    await deleteContainer(g.root, options.id, true, r.warn);
    throw err;
  }
  if (detach) return 0;

  const code = await waitForeground(state.pid);
  if (!flagBool(parsed, 'keep')) await deleteContainer(g.root, options.id, true, r.warn);
  return code;
}
