// linux.netDevices: an interface made on the host (one end of a veth pair:
// the test machines' kernel has no dummy driver) moves into the
// container's network namespace (renamed, with its address) and comes
// back to the host at delete, under its own name, address included.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun } from '../helpers/tsrun.ts';

function hostLink(name: string): any | undefined {
  try {
    return JSON.parse(execFileSync('ip', ['-j', 'addr', 'show', 'dev', name], { stdio: ['ignore', 'pipe', 'ignore'] }).toString())[0];
  } catch {
    return undefined;
  }
}

t.test('netDevices', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);
  const dev = `tsd${process.pid % 100000}`;
  execFileSync('ip', ['link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev}p`]);
  execFileSync('ip', ['addr', 'add', '10.213.7.1/24', 'dev', dev]);
  execFileSync('ip', ['link', 'set', dev, 'up']);
  t.teardown(() => {
    if (hostLink(dev)) execFileSync('ip', ['link', 'delete', dev]);
  });

  t.test('moved in renamed with its address, and back at delete', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sleep', '60'];
      c.linux.netDevices = { [dev]: { name: 'ctr0' } };
    });
    const id = tsrun.id();
    const r = tsrun.run(['run', '-d', '--bundle', bundle.dir, id]);
    t.equal(r.status, 0, r.stderr);
    t.equal(hostLink(dev), undefined, 'gone from the host');
    const inside = tsrun.run(['exec', id, 'ip', '-o', 'addr', 'show', 'dev', 'ctr0']);
    t.equal(inside.status, 0, inside.stderr);
    t.match(inside.stdout, /ctr0 +inet 10\.213\.7\.1\/24/, 'inside under its new name, address kept');
    const link = tsrun.run(['exec', id, 'cat', '/sys/class/net/ctr0/flags']);
    t.match(link.stdout, /0x[0-9a-f]*[13579bdf]\n$/, 'still up (IFF_UP)');
    t.equal(tsrun.run(['kill', id, 'KILL']).status, 0);
    // Stopped: the namespace is kept for the way back.
    const deleted = tsrun.run(['delete', '--force', id]);
    t.equal(deleted.status, 0, deleted.stderr);
    const back = hostLink(dev);
    t.ok(back, 'back on the host under its own name');
    t.same(
      back?.addr_info?.filter((a: any) => a.family === 'inet').map((a: any) => `${a.local}/${a.prefixlen}`),
      ['10.213.7.1/24'],
    );
    t.ok(back?.flags.includes('UP'));
  });

  t.test('a device missing on the host is an error naming it, before anything exists', async (t) => {
    const bundle = makeBundle(t, (c) => (c.linux.netDevices = { tsrunnosuchdev: {} }));
    const id = tsrun.id();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.status, 1);
    t.match(r.stderr, /\/linux\/netDevices\/tsrunnosuchdev: no network interface tsrunnosuchdev on the host/);
    t.notOk(tsrun.leftovers().includes(id));
  });

  t.test('a create that fails later gives the device back', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['/no/such/program'];
      c.linux.netDevices = { [dev]: {} };
    });
    const id = tsrun.id();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.status, 1);
    t.ok(hostLink(dev), 'back on the host');
    t.notOk(tsrun.leftovers().includes(id));
  });
});
