// linux.resources → cgroup v2 interface files, converted as runc's fs2
// driver does (libcontainer/cgroups/fs2, utils.go conversions). Pure: the
// only questions about the host go through the probe (does io.bfq.weight
// exist, is memory.swap.max there).
import type { LinuxResources } from '../spec/types.ts';
import { cpusetAndPidsWrites, devNumber, isSet, RESOURCES, resourceError, type CgroupProbe, type CgroupWrite } from './cgroup-write.ts';

/**
 * runc ConvertCPUSharesToCgroupV2Value: shares [2, 262144] map linearly onto
 * cpu.weight [1, 10000]: weight = 1 + ((shares - 2) * 9999) / 262142
 * (integer division; 262144 is the kernel's MAX_SHARES, 1 << 18).
 */
export function cpuSharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/**
 * runc ConvertBlkIOToCgroupV2Value: blkio weight [10, 1000] maps linearly
 * onto io.weight [1, 10000]: weight = 1 + (blkio - 10) * 9999 / 990.
 */
export function blkioWeightToIoWeight(weight: number): number {
  if (weight === 0) return 0;
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/**
 * runc ConvertMemorySwapToCgroupV2Value: the spec's swap is memory+swap (a v1
 * notion), memory.swap.max is swap alone, so swap.max = swap - limit. -1 is
 * "max"; limit -1 with swap unset means both unlimited; 0 means unset.
 */
export function memorySwapToV2(swap: number, limit: number): number {
  if (limit === -1 && swap === 0) return -1;
  if (swap === -1 || swap === 0) return swap;
  const p = `${RESOURCES}/memory/swap`;
  if (limit === 0 || limit === -1) throw resourceError(p, 'a swap limit needs a memory limit (memory.swap.max is swap minus the memory limit)');
  if (limit < 0) throw resourceError(`${RESOURCES}/memory/limit`, `invalid memory limit ${limit}`);
  if (swap < limit) throw resourceError(p, `memory+swap limit ${swap} is below the memory limit ${limit}`);
  return swap - limit;
}

/** -1 → "max", else the number (0 = unset is filtered out by the callers). */
function maxOr(n: number): string {
  return n === -1 ? 'max' : String(n);
}

export function v2Writes(r: LinuxResources, probe: CgroupProbe): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const w = (controller: string, file: string, value: string, pointer: string) => out.push({ controller, file, value, pointer });
  const mem = r.memory;
  if (mem) {
    const m = `${RESOURCES}/memory`;
    const limit = mem.limit ?? 0;
    const swap = memorySwapToV2(mem.swap ?? 0, limit);
    // memory.swap.max before memory.max, as runc: lowering both at once must
    // not leave a moment where the old swap allowance applies to the new limit.
    // 0 from a given swap equal to the limit means "no swap": still written.
    if (swap !== 0 || (mem.swap !== undefined && mem.swap !== 0)) {
      if (probe.exists('memory', 'memory.swap.max')) w('memory', 'memory.swap.max', maxOr(swap), `${m}/swap`);
      else if (swap > 0) throw resourceError(`${m}/swap`, 'the kernel has no swap accounting (no memory.swap.max)');
    }
    if (limit !== 0) w('memory', 'memory.max', maxOr(limit), `${m}/limit`);
    if (isSet(mem.reservation) && mem.reservation !== 0) w('memory', 'memory.low', maxOr(mem.reservation!), `${m}/reservation`);
    if (isSet(mem.disableOOMKiller) && mem.disableOOMKiller) throw resourceError(`${m}/disableOOMKiller`, 'cgroup v2 has no switch to disable the OOM killer');
    if (isSet(mem.swappiness)) throw resourceError(`${m}/swappiness`, 'cgroup v2 has no per-cgroup swappiness (memory.swappiness is cgroup v1 only)');
    if (isSet(mem.kernelTCP) && mem.kernelTCP !== 0)
      throw resourceError(`${m}/kernelTCP`, 'cgroup v2 has no kernel TCP memory limit (it is part of memory.max)');
    // kernel: deprecated by the spec and ignored by runc; apply() warns.
    // useHierarchy: always on in cgroup v2.
  }
  const cpu = r.cpu;
  if (cpu) {
    const c = `${RESOURCES}/cpu`;
    if (isSet(cpu.shares) && cpu.shares !== 0) w('cpu', 'cpu.weight', String(cpuSharesToWeight(cpu.shares!)), `${c}/shares`);
    const quota = cpu.quota ?? 0;
    const period = cpu.period ?? 0;
    // runc fs2 setCPU: "$quota $period", quota <= 0 meaning "max"; a period
    // alone keeps quota "max".
    if (quota !== 0 || period !== 0) {
      const value = `${quota > 0 ? quota : 'max'}${period !== 0 ? ` ${period}` : ''}`;
      w('cpu', 'cpu.max', value, quota !== 0 ? `${c}/quota` : `${c}/period`);
    }
    if (isSet(cpu.burst)) w('cpu', 'cpu.max.burst', String(cpu.burst), `${c}/burst`);
    if (isSet(cpu.idle) && cpu.idle !== 0) w('cpu', 'cpu.idle', String(cpu.idle), `${c}/idle`);
    for (const f of ['realtimeRuntime', 'realtimePeriod'] as const) {
      if (isSet(cpu[f]) && cpu[f] !== 0) throw resourceError(`${c}/${f}`, 'cgroup v2 has no real-time CPU bandwidth controls');
    }
  }
  out.push(...cpusetAndPidsWrites(r));
  const bio = r.blockIO;
  if (bio) {
    const b = `${RESOURCES}/blockIO`;
    // BFQ takes blkio's own 1..1000 weight; io.weight (the cost model) wants
    // the converted 1..10000 one (runc fs2/io.go).
    const bfq = probe.exists('io', 'io.bfq.weight');
    if (isSet(bio.weight) && bio.weight !== 0) {
      if (bfq) w('io', 'io.bfq.weight', String(bio.weight), `${b}/weight`);
      else w('io', 'io.weight', String(blkioWeightToIoWeight(bio.weight!)), `${b}/weight`);
    }
    if (isSet(bio.leafWeight) && bio.leafWeight !== 0) throw resourceError(`${b}/leafWeight`, 'cgroup v2 has no leaf weight');
    (bio.weightDevice ?? []).forEach((d, i) => {
      if (isSet(d.weight) && d.weight !== 0) {
        if (bfq) w('io', 'io.bfq.weight', `${devNumber(d)} ${d.weight}`, `${b}/weightDevice/${i}/weight`);
        else w('io', 'io.weight', `${devNumber(d)} ${blkioWeightToIoWeight(d.weight!)}`, `${b}/weightDevice/${i}/weight`);
      }
      if (isSet(d.leafWeight) && d.leafWeight !== 0) throw resourceError(`${b}/weightDevice/${i}/leafWeight`, 'cgroup v2 has no leaf weight');
    });
    const throttles = [
      ['throttleReadBpsDevice', 'rbps'],
      ['throttleWriteBpsDevice', 'wbps'],
      ['throttleReadIOPSDevice', 'riops'],
      ['throttleWriteIOPSDevice', 'wiops'],
    ] as const;
    for (const [field, key] of throttles) {
      (bio[field] ?? []).forEach((d, i) => {
        // io.max: "maj:min key=value"; 0 is "no limit" there ("max").
        w('io', 'io.max', `${devNumber(d)} ${key}=${d.rate ? d.rate : 'max'}`, `${b}/${field}/${i}`);
      });
    }
  }
  (r.hugepageLimits ?? []).forEach((h, i) => {
    const p = `${RESOURCES}/hugepageLimits/${i}`;
    w('hugetlb', `hugetlb.${h.pageSize}.max`, String(h.limit), p);
    // Reservations are limited too where the kernel accounts them (runc 1.1+).
    if (probe.exists('hugetlb', `hugetlb.${h.pageSize}.rsvd.max`)) w('hugetlb', `hugetlb.${h.pageSize}.rsvd.max`, String(h.limit), p);
  });
  if (r.network) {
    const n = `${RESOURCES}/network`;
    if (isSet(r.network.classID)) throw resourceError(`${n}/classID`, 'cgroup v2 has no net_cls controller');
    if (r.network.priorities?.length) throw resourceError(`${n}/priorities`, 'cgroup v2 has no net_prio controller');
  }
  for (const [device, limits] of Object.entries(r.rdma ?? {})) {
    const parts = [`hca_handle=${isSet(limits.hcaHandles) ? limits.hcaHandles : 'max'}`, `hca_object=${isSet(limits.hcaObjects) ? limits.hcaObjects : 'max'}`];
    w('rdma', 'rdma.max', `${device} ${parts.join(' ')}`, `${RESOURCES}/rdma/${escapePointer(device)}`);
  }
  // unified last: it may deliberately override a converted value (runc).
  for (const [key, value] of Object.entries(r.unified ?? {})) {
    w(unifiedController(key), key, value, `${RESOURCES}/unified/${escapePointer(key)}`);
  }
  return out;
}

/** The controller a v2 file belongs to: its prefix ("memory.max" → memory); core cgroup.* files need none. */
export function unifiedController(key: string): string {
  const prefix = key.split('.')[0] ?? '';
  return prefix === 'cgroup' ? '' : prefix;
}

/** RFC 6901: "~" → "~0", "/" → "~1". */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
