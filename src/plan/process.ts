// The parts of a LaunchPlan that come from process alone, shared by create
// (plan.ts) and exec (exec-plan.ts): rlimits, capability sets, identity.
import type { Process } from '../spec/types.ts';
import { capabilityMask } from '../kernel/capabilities.ts';
import type { LaunchPlan } from './launch-plan.ts';
import { RLIMITS } from '../kernel/rlimits.ts';

const DEFAULT_UMASK = 0o022;
const RLIM_INFINITY = 0xffffffffffffffffn;

// JSON numbers lose precision past 2^53: anything at 2^64-1 is "unlimited".
function rlimitValue(n: number): bigint {
  return n >= 2 ** 64 - 1 ? RLIM_INFINITY : BigInt(n);
}

export function planIdentity(process: Process): Pick<LaunchPlan, 'rlimits' | 'capabilities' | 'user'> {
  const caps = process.capabilities ?? {};
  const user = process.user;
  return {
    rlimits: (process.rlimits ?? []).map((r) => ({
      resource: RLIMITS[r.type] ?? -1,
      soft: rlimitValue(r.soft),
      hard: rlimitValue(r.hard),
    })),
    capabilities: {
      bounding: capabilityMask(caps.bounding ?? []),
      effective: capabilityMask(caps.effective ?? []),
      inheritable: capabilityMask(caps.inheritable ?? []),
      permitted: capabilityMask(caps.permitted ?? []),
      ambient: capabilityMask(caps.ambient ?? []),
    },
    user: {
      uid: user.uid,
      gid: user.gid,
      umask: user.umask ?? DEFAULT_UMASK,
      additionalGids: user.additionalGids ?? [],
    },
  };
}

/**
 * A sysctl key → its path under /proc/sys. As sysctl(8) reads keys, the
 * first separator decides: "net/ipv4/conf/eth0.100/forwarding" is a path
 * already; in "net.ipv4.conf.eth0/100.forwarding" dots separate and a "/"
 * stands for a dot inside a name.
 */
export function sysctlPath(key: string): string {
  const firstDot = key.indexOf('.');
  const firstSlash = key.indexOf('/');
  if (firstSlash >= 0 && (firstDot < 0 || firstSlash < firstDot)) return key;
  return key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}
