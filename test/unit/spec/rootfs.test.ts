import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { SpecError } from '../../../src/errors.ts';
import { resolveRootfs, rootfsPath } from '../../../src/spec/rootfs.ts';
import type { Spec } from '../../../src/spec/types.ts';

const spec = (path?: string): Spec => ({ ociVersion: '1.2.0', ...(path === undefined ? {} : { root: { path } }) });

t.test('rootfsPath: relative to the bundle, absolute normalised, "rootfs" by default', async (t) => {
  t.equal(rootfsPath(spec('rootfs'), '/b'), '/b/rootfs');
  t.equal(rootfsPath(spec('/x//y/../z'), '/b'), '/x/z');
  t.equal(rootfsPath(spec(), '/b'), '/b/rootfs');
});

t.test('resolveRootfs: the real path of a directory, else a SpecError at /root/path', async (t) => {
  const bundle = mkdtempSync(join(tmpdir(), 'tsrun-rootfs-'));
  t.teardown(() => rmSync(bundle, { recursive: true, force: true }));
  mkdirSync(join(bundle, 'real'));
  symlinkSync('real', join(bundle, 'link'));
  writeFileSync(join(bundle, 'file'), '');
  t.equal(resolveRootfs(spec('link'), bundle, 'config.json'), realpathSync(join(bundle, 'real')));
  for (const bad of ['file', 'missing']) {
    const err = t.throws(() => resolveRootfs(spec(bad), bundle, 'config.json')) as SpecError;
    t.type(err, SpecError);
    t.equal(err.problems[0]?.pointer, '/root/path');
    t.match(err.problems[0]?.reason, new RegExp(`rootfs .*${bad} is not a directory`));
  }
});
