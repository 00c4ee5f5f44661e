// Pure parts of rootless.ts: --rootless values and the cgroup2 common ancestor.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parseArgs } from '../../../src/cli/args.ts';
import { GLOBAL_FLAGS, rootlessFlag } from '../../../src/cli/global-flags.ts';
import { commonAncestor, rootlessCgroups } from '../../../src/container/rootless.ts';

t.test('commonAncestor: the deepest directory holding both', async (t) => {
  t.equal(commonAncestor('/sys/fs/cgroup/user.slice/u/app/a', '/sys/fs/cgroup/user.slice/u/tsrun/c1'), '/sys/fs/cgroup/user.slice/u');
  t.equal(commonAncestor('/sys/fs/cgroup', '/sys/fs/cgroup/tsrun/c1'), '/sys/fs/cgroup');
  t.equal(commonAncestor('/sys/fs/cgroup/ab', '/sys/fs/cgroup/abc'), '/sys/fs/cgroup', 'by component, not by prefix');
  t.equal(commonAncestor('/a', '/b'), '/');
});

t.test('--rootless: true, false, auto (default); anything else is a usage error', async (t) => {
  t.equal(rootlessFlag(undefined), 'auto');
  t.equal(rootlessFlag('true'), 'true');
  t.equal(rootlessFlag('false'), 'false');
  t.throws(() => parseArgs(['--rootless', 'yes'], GLOBAL_FLAGS), /invalid value for --rootless: "yes"/);
  t.equal(rootlessCgroups('true'), true);
  t.equal(rootlessCgroups('false'), false);
  t.equal(rootlessCgroups('auto'), process.geteuid?.() !== 0 || readFileSyncSafe('/proc/self/uid_map').trim().split(/\s+/).join(' ') !== '0 0 4294967295');
});

function readFileSyncSafe(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '0 0 4294967295';
  }
}
