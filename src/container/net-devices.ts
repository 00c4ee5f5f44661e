// linux.netDevices (runtime-spec 1.2): host interfaces moved into the
// container's network namespace at create (renamed when `name` is given)
// and back at delete, with their permanent addresses, which a move across
// namespaces drops (config-linux.md: the runtime MUST preserve them).
// Done through iproute2, the parent's side: create knows the pid.
//
// The namespace must outlive the container process to give the devices
// back at delete (a dying namespace destroys virtual devices and drops
// physical ones back unrenamed), so create binds it to a file in the
// state directory, as `ip netns add` keeps a named one.
import type * as ChildProcess from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { SpecError } from '../errors.ts';
import { native } from '../native/addon.ts';

export interface MovedDevice {
  /** Name on the host. */
  host: string;
  /** Name inside the container. */
  inside: string;
}

interface IpAddr {
  family: string;
  local: string;
  prefixlen: number;
  dynamic?: boolean;
}

interface IpLink {
  ifname: string;
  flags: string[];
  addr_info?: IpAddr[];
}

const MNT_DETACH = 2;
/** Back into the runtime's network namespace: this process's (`ip … netns PID`). */
const RUNTIME_NETNS = () => String(process.pid);

// Loaded when a container has netDevices: compiling child_process costs
// every other create a few milliseconds.
let childProcess: typeof ChildProcess | undefined;

function ip(args: string[], netns?: string): string {
  const argv = netns ? ['--net=' + netns, 'ip', ...args] : args;
  childProcess ??= process.getBuiltinModule('node:child_process');
  try {
    return childProcess.execFileSync(netns ? 'nsenter' : 'ip', argv, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`ip ${args.join(' ')}: ${stderr || (err as Error).message}`, { cause: err });
  }
}

function linkInfo(name: string, netns?: string): IpLink | undefined {
  try {
    return (JSON.parse(ip(['-j', 'addr', 'show', 'dev', name], netns)) as IpLink[])[0];
  } catch {
    return undefined;
  }
}

/** The devices of the config, each present on the host: a missing one is a SpecError before anything is created. */
export function checkNetDevices(configFile: string, devices: Record<string, { name?: string }>): MovedDevice[] {
  const out: MovedDevice[] = [];
  const problems = [];
  for (const [host, opts] of Object.entries(devices)) {
    if (!linkInfo(host))
      problems.push({ pointer: `/linux/netDevices/${host.replaceAll('~', '~0').replaceAll('/', '~1')}`, reason: `no network interface ${host} on the host` });
    out.push({ host, inside: opts.name || host });
  }
  if (problems.length) throw new SpecError(configFile, problems);
  return out;
}

/**
 * Moves `dev` from the namespace `from` (undefined: this one) to the one
 * of process `target`, renamed, with its permanent addresses; `up` brings
 * it up there (into a container always, as runc does; back to the host as
 * it was).
 */
function move(dev: string, from: string | undefined, target: string, newName: string, into: string | undefined, up: boolean): void {
  const link = linkInfo(dev, from);
  if (!link) throw new Error(`network interface ${dev} is gone`);
  // One RTM_NEWLINK: the kernel renames while it moves, so no name clash in between.
  ip(['link', 'set', 'dev', dev, 'netns', target, 'name', newName], from);
  for (const a of link.addr_info ?? []) {
    if (a.dynamic || (a.family === 'inet6' && a.local.startsWith('fe80:'))) continue;
    ip(['addr', 'add', `${a.local}/${a.prefixlen}`, 'dev', newName], into);
  }
  if (up) ip(['link', 'set', 'dev', newName, 'up'], into);
}

/** Keeps the container's network namespace alive at `file` and moves the devices in. */
export function moveNetDevicesIn(pid: number, devices: MovedDevice[], file: string, undo: (what: string, fn: () => void) => void): void {
  writeFileSync(file, '');
  native().bindMount(`/proc/${pid}/ns/net`, file);
  undo(`release ${file}`, () => releaseNetns(file));
  for (const d of devices) {
    const wasUp = linkInfo(d.host)?.flags.includes('UP') ?? false;
    move(d.host, undefined, String(pid), d.inside, file, true);
    undo(`move ${d.inside} back to the host`, () => move(d.inside, file, RUNTIME_NETNS(), d.host, undefined, wasUp));
  }
}

/** delete: every device back to the host under its own name, then the namespace goes. */
export function moveNetDevicesBack(devices: MovedDevice[], file: string, warn: (msg: string) => void): void {
  for (const d of devices) {
    try {
      move(d.inside, file, RUNTIME_NETNS(), d.host, undefined, linkInfo(d.inside, file)?.flags.includes('UP') ?? false);
    } catch (err) {
      warn(`network interface ${d.inside}: ${(err as Error).message}`);
    }
  }
  releaseNetns(file);
}

function releaseNetns(file: string): void {
  try {
    native().unmount(file, MNT_DETACH);
  } catch (err) {
    // Never bound (a create killed before it): nothing to release.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOENT') throw err;
  } finally {
    rmSync(file, { force: true });
  }
}
