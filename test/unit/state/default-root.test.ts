// The default state root (paths.ts defaultRoot): the rule the C front door mirrors.
import t from 'tap';
import { defaultRoot, inUserNamespace } from '../../../src/state/paths.ts';

const base = { euid: 0, xdgRuntimeDir: undefined, user: undefined, inUserNamespace: false };

t.test("root of the initial namespace: /run/tsrun, whatever XDG_RUNTIME_DIR says (runc's /run/runc rule)", async (t) => {
  t.equal(defaultRoot(base), '/run/tsrun');
  t.equal(defaultRoot({ ...base, xdgRuntimeDir: '/run/user/0', user: 'root' }), '/run/tsrun');
  t.equal(defaultRoot({ ...base, xdgRuntimeDir: '/run/user/0' }), '/run/tsrun');
});

t.test('a user: $XDG_RUNTIME_DIR/tsrun, else /run/user/<euid>/tsrun', async (t) => {
  t.equal(defaultRoot({ ...base, euid: 1000, xdgRuntimeDir: '/run/user/1000' }), '/run/user/1000/tsrun');
  t.equal(defaultRoot({ ...base, euid: 1000, xdgRuntimeDir: '/tmp/x/' }), '/tmp/x/tsrun');
  t.equal(defaultRoot({ ...base, euid: 1000 }), '/run/user/1000/tsrun');
  t.equal(defaultRoot({ ...base, euid: 1000, xdgRuntimeDir: '' }), '/run/user/1000/tsrun', 'an empty XDG_RUNTIME_DIR counts as unset');
});

t.test('root inside a user namespace (rootless podman, rootlesskit): XDG unless USER is root', async (t) => {
  const inNs = { ...base, inUserNamespace: true, xdgRuntimeDir: '/run/user/1000' };
  t.equal(defaultRoot(inNs), '/run/user/1000/tsrun', 'USER unset');
  t.equal(defaultRoot({ ...inNs, user: 'alice' }), '/run/user/1000/tsrun');
  t.equal(defaultRoot({ ...inNs, user: 'root' }), '/run/tsrun');
  t.equal(defaultRoot({ ...base, inUserNamespace: true }), '/run/tsrun', 'no XDG_RUNTIME_DIR');
});

t.test('inUserNamespace: anything but the identity map of every id', async (t) => {
  t.equal(inUserNamespace('         0          0 4294967295\n'), false);
  t.equal(inUserNamespace('         0       1000          1\n'), true);
  t.equal(inUserNamespace('0 0 4294967295\n1 2 3\n'), true);
  t.equal(inUserNamespace('0 0 1000\n'), true);
});
