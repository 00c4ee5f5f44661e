// The list of bad inputs: each one clear error line naming the
// pointer or path, a non-zero exit, no crash or hang, nothing left (no
// state dir, cgroup, mount or process).
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeBundle, type Bundle } from '../helpers/bundle.ts';
import { hostSnapshot } from '../helpers/host-snapshot.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun } from '../helpers/tsrun.ts';

type Patch = (config: any, bundle: Bundle) => void;
const text =
  (body: string): Patch =>
  (_c, b) =>
    writeFileSync(join(b.dir, 'config.json'), body);
const userns = (c: any) => {
  c.linux.namespaces.push({ type: 'user' });
  c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
};

const CASES: [string, Patch, RegExp][] = [
  ['not JSON', text('this is not json'), /config\.json: \/: invalid JSON at line 1 column 1/],
  ['truncated JSON', text('{"ociVersion": "1.2.0", "process": {"args": ["sh"'), /invalid JSON at line 1 column \d+: expected .* found the end of the file/],
  ['null', text('null'), /config\.json: \/: must be an object/],
  [
    'a 50 MB config whose state cannot reach an in-container hook',
    (c, b) => {
      c.annotations = { big: 'x'.repeat(50 * 1024 * 1024) };
      c.hooks = { createContainer: [{ path: '/bin/true' }] };
      writeFileSync(join(b.dir, 'config.json'), JSON.stringify(c));
    },
    /\/annotations: the state for createContainer\/startContainer hooks is \d+ bytes/,
  ],
  ['10,000-deep nesting', text(`{"ociVersion":"1.2.0","annotations":${'['.repeat(10000)}${']'.repeat(10000)}}`), /\/annotations/],
  [
    'wrong types',
    (c) => {
      c.process.args = 'sh';
      c.hostname = 7;
    },
    /\/process\/args: must be an array.*\/hostname: must be a string|\/hostname: must be a string.*\/process\/args: must be an array/,
  ],
  ['an unknown ociVersion major', (c) => (c.ociVersion = '2.0.0'), /\/ociVersion: version 2\.0\.0 is not supported/],
  ['missing process.args', (c) => delete c.process.args, /\/process: missing required property "args"/],
  ['empty process.args', (c) => (c.process.args = []), /\/process\/args: must have at least one element/],
  ['args[0] not found', (c) => (c.process.args = ['no-such-program']), /no-such-program not found in \$PATH/],
  ['rootfs missing', (c) => (c.root.path = 'nope'), /\/root\/path: rootfs .*nope is not a directory/],
  [
    'rootfs not a directory',
    (c, b) => {
      writeFileSync(join(b.dir, 'file'), '');
      c.root.path = 'file';
    },
    /\/root\/path: .*not a directory/,
  ],
  [
    'rootfs a symlink to a file',
    (c, b) => {
      writeFileSync(join(b.dir, 'file'), '');
      symlinkSync('file', join(b.dir, 'link'));
      c.root.path = 'link';
    },
    /\/root\/path: .*not a directory/,
  ],
  [
    'overlapping uid maps',
    (c) => {
      userns(c);
      c.linux.uidMappings.push({ containerID: 100, hostID: 200000, size: 10 });
    },
    /\/linux\/uidMappings\/1: its containerID range overlaps the one of \/linux\/uidMappings\/0/,
  ],
  [
    'an id map past 2^32',
    (c) => {
      userns(c);
      c.linux.uidMappings = [{ containerID: 0, hostID: 4294967000, size: 1000 }];
    },
    /\/linux\/uidMappings\/0: hostID \+ size passes 2\^32/,
  ],
  [
    'more than 340 id map ranges',
    (c) => {
      userns(c);
      c.linux.uidMappings = Array.from({ length: 341 }, (_, i) => ({ containerID: i, hostID: 100000 + i, size: 1 }));
    },
    /\/linux\/uidMappings: has 341 ranges: the kernel takes at most 340/,
  ],
];

t.test('bad input: one clear line, nothing left', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);
  for (const [name, patch, message] of CASES) {
    t.test(name, async (t) => {
      const bundle = makeBundle(t);
      patch(bundle.config, bundle);
      if (!/JSON|null|nesting|50 MB/.test(name)) bundle.write();
      const before = hostSnapshot(bundle.dir);
      const started = Date.now();
      const r = tsrun.run(['create', '--bundle', bundle.dir, tsrun.id()]);
      t.equal(r.signal, null, 'no crash');
      t.equal(r.status, 1, 'exit status 1');
      t.ok(Date.now() - started < 30_000, 'no hang');
      t.match(r.stderr, message);
      t.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr.slice(0, 300)}`);
      t.same(tsrun.leftovers(), [], 'no state dir');
      t.same(hostSnapshot(bundle.dir, before), before, 'no cgroup, mount or process');
      rmSync(join(bundle.dir, 'config.json'), { force: true });
    });
  }

  t.test('a 50 MB config without in-container hooks is created and deleted', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['true'];
      c.annotations = { big: 'x'.repeat(50 * 1024 * 1024) };
    });
    const before = hostSnapshot(bundle.dir);
    const id = tsrun.id();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.status, 0, r.stderr.slice(0, 300));
    t.equal(tsrun.run(['delete', '--force', id]).status, 0);
    t.same(tsrun.leftovers(), []);
    t.same(hostSnapshot(bundle.dir, before), before);
  });

  t.test('bad container ids', async (t) => {
    const bundle = makeBundle(t);
    for (const id of ['../x', 'a/b', '', 'x'.repeat(1000), 'a\nb', 'a\u0001b', '.', '..']) {
      const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
      t.equal(r.status, 1, `id ${JSON.stringify(id.slice(0, 20))} refused`);
      t.match(r.stderr, /container id|needs <container-id>/);
      t.equal(r.stderr.trim().split('\n').length, 1, 'one line, control characters escaped');
    }
    t.same(tsrun.leftovers(), []);
  });

  t.test('exec --process with an unknown rlimit and a relative cwd: every problem with its pointer', async (t) => {
    const bundle = makeBundle(t, (c) => (c.process.args = ['sleep', '100']));
    const id = tsrun.id();
    t.equal(tsrun.run(['create', '--bundle', bundle.dir, id]).status, 0);
    const file = join(bundle.dir, 'process.json');
    writeFileSync(file, JSON.stringify({ args: ['true'], cwd: 'rel', user: { uid: 0, gid: 0 }, rlimits: [{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }] }));
    const r = tsrun.run(['exec', '--process', file, id]);
    t.equal(r.status, 1);
    t.match(r.stderr, /process\.json: .*\/cwd: must be an absolute path/);
    t.match(r.stderr, /\/rlimits\/0\/type: .*RLIMIT_BOGUS/);
    t.equal(r.stderr.trim().split('\n').length, 1);
    t.equal(tsrun.run(['delete', '--force', id]).status, 0);
  });
});
