import { execFileSync } from 'node:child_process';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { nsInode } from '../helpers/host.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { runScript } from '../helpers/run-in.ts';
import { Tsrun } from '../helpers/tsrun.ts';

t.test('namespaces', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  t.test('the process is pid 1 of a new pid namespace, with the configured hostname', async (t) => {
    const r = runScript(t, tsrun, 'echo "pid=$$ host=$(hostname)"', (c) => {
      c.hostname = 'box-one';
    });
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout.trim(), 'pid=1 host=box-one');
  });

  t.test('namespaces are new: inode numbers differ from the host', async (t) => {
    const r = runScript(t, tsrun, 'for n in pid net ipc uts mnt cgroup; do readlink /proc/self/ns/$n; done');
    t.equal(r.status, 0, r.stderr);
    const inside = r.stdout.trim().split('\n');
    const host = ['pid', 'net', 'ipc', 'uts', 'mnt', 'cgroup'].map((n) => nsInode('self', n));
    t.equal(inside.length, 6);
    inside.forEach((ns, i) => t.not(ns, host[i], `${host[i]} is not shared`));
  });

  t.test('a network namespace joined by path', async (t) => {
    const name = `tsrun-test-${process.pid}`;
    execFileSync('ip', ['netns', 'add', name]);
    t.teardown(() => execFileSync('ip', ['netns', 'delete', name]));
    // Mark the namespace: its loopback is up (a new one starts down).
    execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    const r = runScript(t, tsrun, 'readlink /proc/self/ns/net; cat /sys/class/net/lo/flags', (c) => {
      c.linux.namespaces = c.linux.namespaces.map((ns: any) => (ns.type === 'network' ? { type: 'network', path: `/run/netns/${name}` } : ns));
    });
    t.equal(r.status, 0, r.stderr);
    const inode = execFileSync('stat', ['-L', '-c', '%i', `/run/netns/${name}`])
      .toString()
      .trim();
    t.match(r.stdout, `net:[${inode}]`, 'joined the namespace of the path');
    t.equal(r.stdout.trim().split('\n')[1], '0x9', 'sees the loopback brought up in that namespace (IFF_UP|IFF_LOOPBACK)');
  });

  t.test('without a new uts namespace the host name is the host one', async (t) => {
    const host = execFileSync('hostname').toString().trim();
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['hostname'];
      delete c.hostname;
      c.linux.namespaces = c.linux.namespaces.filter((ns: any) => ns.type !== 'uts');
    });
    const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout.trim(), host);
  });
});
