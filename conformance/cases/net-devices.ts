// config-linux.md "Network Devices" (v1.2): host interfaces moved into the
// container's network namespace, renamed when `name` is given, their
// addresses kept, and moved back to the runtime's namespace at delete.
// Seen from the host with iproute2 (one end of a veth pair: it needs no
// driver module, unlike a dummy interface).
import { execFileSync } from 'node:child_process';
import { expectEq, expectTrue, fail, type Case } from '../lib/case.ts';
import type { Ctx } from '../lib/context.ts';

const S = 'config-linux.md' as const;

function ip(args: string[], netns?: string): string {
  const argv = netns ? ['--net=' + netns, 'ip', ...args] : args;
  return execFileSync(netns ? 'nsenter' : 'ip', argv, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

function link(name: string, netns?: string): { flags: string[]; addr_info?: { family: string; local: string; prefixlen: number }[] } | undefined {
  try {
    return JSON.parse(ip(['-j', 'addr', 'show', 'dev', name], netns))[0];
  } catch {
    return undefined;
  }
}

function inet(l: ReturnType<typeof link>): string[] {
  return (l?.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
}

/** A veth pair on the host, removed after the case; returns the end to move. */
function hostDevice(ctx: Ctx): string {
  const dev = `oci${process.pid % 10000}${Math.floor(Math.random() * 1000)}`;
  try {
    ip(['link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev}p`]);
  } catch (err) {
    ctx.need(false, `cannot make a veth pair on this host: ${(err as Error).message}`);
  }
  ctx.onCleanup(() => {
    if (link(dev)) ip(['link', 'delete', dev]);
  });
  ip(['addr', 'add', '10.231.9.1/24', 'dev', dev]);
  ip(['link', 'set', dev, 'up']);
  return dev;
}

export const netDeviceCases: Case[] = [
  {
    id: 'net-devices-addresses',
    spec: S,
    section: 'network-devices',
    level: 'SHOULD',
    // A paraphrase of the section's intent as runc and crun implement it
    // (addresses carried over, the device up), not a quoted sentence.
    requirement:
      "netDevices: a device made available under the control of the container's network namespace keeps its permanent IP addresses and is usable there (up), as runc and crun move it.",
    async run(ctx) {
      await ctx.declaredUnsupported(ctx.features?.linux?.netDevices?.enabled, 'linux.netDevices');
      const dev = hostDevice(ctx);
      ctx.config.linux.netDevices = { [dev]: { name: 'ctr0' } };
      ctx.config.process.args = ['/bin/probe', 'ids'];
      ctx.must(await ctx.create(), 'create');
      const { state } = await ctx.state();
      if (!state?.pid) fail(`no pid in the state after create: ${JSON.stringify(state)}`);
      expectEq(link(dev), undefined, `${dev} still in the runtime's network namespace`);
      const inside = link('ctr0', `/proc/${state.pid}/ns/net`);
      expectTrue(inside !== undefined, "no interface ctr0 in the container's network namespace");
      expectEq(inet(inside), ['10.231.9.1/24'], 'IPv4 addresses of ctr0 inside');
      expectTrue(inside!.flags.includes('UP'), `ctr0 is not up inside: ${JSON.stringify(inside!.flags)}`);
      ctx.must(await ctx.delete(ctx.id, true), 'delete');
    },
  },
  {
    id: 'net-devices-returned',
    spec: S,
    section: 'network-devices',
    level: 'SHOULD',
    // A paraphrase (delete undoes create, runtime.md Lifecycle step 12), not a quoted sentence.
    requirement:
      'delete: the container MUST be destroyed by undoing the steps performed during create; a network device moved in at create returns to the runtime namespace under its host name, addresses kept.',
    async run(ctx) {
      await ctx.declaredUnsupported(ctx.features?.linux?.netDevices?.enabled, 'linux.netDevices');
      const dev = hostDevice(ctx);
      ctx.config.linux.netDevices = { [dev]: { name: 'ctr0' } };
      ctx.config.process.args = ['/bin/probe', 'ids'];
      ctx.must(await ctx.create(), 'create');
      ctx.must(await ctx.start(), 'start');
      await ctx.waitStatus('stopped');
      ctx.must(await ctx.delete(), 'delete');
      const back = link(dev);
      expectTrue(back !== undefined, `${dev} is not back in the runtime's network namespace after delete`);
      expectEq(inet(back), ['10.231.9.1/24'], `IPv4 addresses of ${dev} after delete`);
    },
  },
];
