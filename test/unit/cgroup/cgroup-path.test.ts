import t from 'tap';
import { cgroupRelativePath, joinMount, resolveCgroupPath } from '../../../src/cgroup/cgroup-path.ts';
import { CgroupError } from '../../../src/errors.ts';

const MOUNT = '/sys/fs/cgroup/unified';

t.test('absolute path is taken below the mount', async (t) => {
  t.equal(resolveCgroupPath('/myRuntime/myContainer', 'c1', MOUNT), `${MOUNT}/myRuntime/myContainer`);
  t.equal(resolveCgroupPath('/a//b/./c/', 'c1', '/sys/fs/cgroup/'), '/sys/fs/cgroup/a/b/c', 'cleaned');
});

t.test('relative path is taken below the mount too (not below our own cgroup)', async (t) => {
  t.equal(resolveCgroupPath('machine/c1', 'c1', MOUNT), `${MOUNT}/machine/c1`);
});

t.test('unset or empty: <mount>/tsrun/<id>', async (t) => {
  t.equal(resolveCgroupPath(undefined, 'c1', MOUNT), `${MOUNT}/tsrun/c1`);
  t.equal(resolveCgroupPath('', 'c1', '/sys/fs/cgroup'), '/sys/fs/cgroup/tsrun/c1');
});

t.test('".." is rejected wherever it appears', async (t) => {
  for (const p of ['../etc', '/a/../../b', '/a/..', 'a/b/..']) {
    t.throws(() => resolveCgroupPath(p, 'c1', MOUNT), { name: 'CgroupError', path: p, message: /contains "\.\."/ }, p);
  }
  t.throws(() => resolveCgroupPath(undefined, '..', MOUNT), CgroupError, 'through the id as well');
});

t.test('systemd "slice:prefix:name" syntax is a clear error', async (t) => {
  for (const p of ['system.slice:docker:abc', ':tsrun:c1', 'user.slice::c1']) {
    t.throws(() => resolveCgroupPath(p, 'c1', MOUNT), { name: 'CgroupError', message: /systemd cgroup driver is not supported/ }, p);
  }
  t.equal(resolveCgroupPath('/a:b:c/d', 'c1', MOUNT), `${MOUNT}/a:b:c/d`, 'colons inside a real path are fine');
});

t.test('the root cgroup itself is refused', async (t) => {
  for (const p of ['/', '//', '/.', '.']) {
    t.throws(() => resolveCgroupPath(p, 'c1', MOUNT), { name: 'CgroupError', message: /root cgroup/ }, p);
  }
});

t.test('ids that cannot be a directory name are refused for the default path', async (t) => {
  t.throws(() => resolveCgroupPath(undefined, 'a/b', MOUNT), CgroupError);
  t.throws(() => resolveCgroupPath(undefined, '', MOUNT), CgroupError);
});

t.test('NUL bytes are refused', async (t) => {
  t.throws(() => resolveCgroupPath('/a\0b', 'c1', MOUNT), { message: /NUL/ });
});

t.test('cgroupRelativePath: one place inside every hierarchy', async (t) => {
  t.equal(cgroupRelativePath(undefined, 'c1'), '/tsrun/c1');
  t.equal(cgroupRelativePath('a/b', 'c1'), '/a/b', 'relative: from the hierarchy root');
  t.equal(cgroupRelativePath('/a//b/', 'c1'), '/a/b');
  t.throws(() => cgroupRelativePath('/a/../b', 'c1'), /".."/);
  t.throws(() => cgroupRelativePath('machine.slice:tsrun:c1', 'c1'), /systemd/);
  t.equal(joinMount('/sys/fs/cgroup/memory', '/tsrun/c1'), '/sys/fs/cgroup/memory/tsrun/c1');
  t.equal(joinMount('/', '/x'), '/x');
});
