// linux.resources → cgroup v1 controller files, as runc's fs driver writes
// them (libcontainer/cgroups/fs/*.go). Pure: what the host has (swap
// accounting, CFQ or BFQ weight files) and the current memory limit come
// through the probe.
import type { LinuxDeviceCgroup, LinuxResources } from '../spec/types.ts';
import { cpusetAndPidsWrites, devNumber, isSet, RESOURCES, resourceError, type CgroupProbe, type CgroupWrite } from './cgroup-write.ts';
import { escapePointer } from './v2-files.ts';

/** runc's value for "no limit" in v1 byte files is -1, which the kernel accepts as unlimited. */
function bytes(n: number): string {
  return String(n);
}

/**
 * memory.limit_in_bytes and memory.memsw.limit_in_bytes (runc
 * fs/memory.go setMemoryAndSwap). The kernel keeps memsw >= limit at every
 * moment, so the order depends on the direction: when the new memsw is
 * unlimited or above the current limit, memsw goes first; otherwise the
 * limit goes first.
 */
function memoryAndSwap(limit: number, swap: number, probe: CgroupProbe): CgroupWrite[] {
  const m = `${RESOURCES}/memory`;
  // runc: "memory -1 and swap unset" means both unlimited.
  if (limit === -1 && swap === 0) swap = -1;
  const lim: CgroupWrite = { controller: 'memory', file: 'memory.limit_in_bytes', value: bytes(limit), pointer: `${m}/limit` };
  const sw: CgroupWrite = { controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: bytes(swap), pointer: `${m}/swap` };
  if (swap !== 0 && !probe.exists('memory', 'memory.memsw.limit_in_bytes')) {
    if (swap === -1) return limit !== 0 ? [lim] : [];
    throw resourceError(`${m}/swap`, 'the kernel has no swap accounting (no memory.memsw.limit_in_bytes; boot with swapaccount=1)');
  }
  if (limit !== 0 && swap !== 0) {
    const current = Number(probe.read('memory', 'memory.limit_in_bytes') ?? NaN);
    if (swap === -1 || current < swap) return [sw, lim];
    return [lim, sw];
  }
  const out: CgroupWrite[] = [];
  if (limit !== 0) out.push(lim);
  if (swap !== 0) out.push(sw);
  return out;
}

export function v1Writes(r: LinuxResources, probe: CgroupProbe): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const w = (controller: string, file: string, value: string, pointer: string, retryAfterRest = false) =>
    out.push({ controller, file, value, pointer, ...(retryAfterRest ? { retryAfterRest } : {}) });
  const mem = r.memory;
  if (mem) {
    const m = `${RESOURCES}/memory`;
    out.push(...memoryAndSwap(mem.limit ?? 0, mem.swap ?? 0, probe));
    if (isSet(mem.reservation) && mem.reservation !== 0) w('memory', 'memory.soft_limit_in_bytes', bytes(mem.reservation!), `${m}/reservation`);
    // kernel: deprecated by the spec, ignored by runc since 1.0 (the kernel
    // itself refuses memory.kmem.limit_in_bytes from 6.x on); apply() warns.
    if (isSet(mem.kernelTCP) && mem.kernelTCP !== 0) w('memory', 'memory.kmem.tcp.limit_in_bytes', bytes(mem.kernelTCP!), `${m}/kernelTCP`);
    if (mem.disableOOMKiller) w('memory', 'memory.oom_control', '1', `${m}/disableOOMKiller`);
    if (isSet(mem.swappiness)) {
      // runc: only 0..100 are swappiness values.
      if (mem.swappiness! < 0 || mem.swappiness! > 100) throw resourceError(`${m}/swappiness`, `invalid swappiness ${mem.swappiness}: it must be 0 to 100`);
      w('memory', 'memory.swappiness', String(mem.swappiness), `${m}/swappiness`);
    }
    // useHierarchy: the kernel has had it always on since 5.x (writing 0 fails).
  }
  const cpu = r.cpu;
  if (cpu) {
    const c = `${RESOURCES}/cpu`;
    if (isSet(cpu.shares) && cpu.shares !== 0) w('cpu', 'cpu.shares', String(cpu.shares), `${c}/shares`);
    if (isSet(cpu.period) && cpu.period !== 0) w('cpu', 'cpu.cfs_period_us', String(cpu.period), `${c}/period`, isSet(cpu.quota) && cpu.quota !== 0);
    if (isSet(cpu.quota) && cpu.quota !== 0) w('cpu', 'cpu.cfs_quota_us', String(cpu.quota), `${c}/quota`);
    if (isSet(cpu.burst)) w('cpu', 'cpu.cfs_burst_us', String(cpu.burst), `${c}/burst`);
    // runc: the period before the runtime, so the runtime fits in it.
    if (isSet(cpu.realtimePeriod) && cpu.realtimePeriod !== 0) w('cpu', 'cpu.rt_period_us', String(cpu.realtimePeriod), `${c}/realtimePeriod`);
    if (isSet(cpu.realtimeRuntime) && cpu.realtimeRuntime !== 0) w('cpu', 'cpu.rt_runtime_us', String(cpu.realtimeRuntime), `${c}/realtimeRuntime`);
    if (isSet(cpu.idle) && cpu.idle !== 0) w('cpu', 'cpu.idle', String(cpu.idle), `${c}/idle`);
  }
  out.push(...cpusetAndPidsWrites(r));
  const bio = r.blockIO;
  if (bio) {
    const b = `${RESOURCES}/blockIO`;
    // CFQ's blkio.weight is gone from current kernels; BFQ has the same
    // 1..1000 scale under blkio.bfq.* (runc fs/blkio.go picks the one present).
    const cfq = probe.exists('blkio', 'blkio.weight');
    const weightFile = cfq ? 'blkio.weight' : 'blkio.bfq.weight';
    const weightDeviceFile = cfq ? 'blkio.weight_device' : 'blkio.bfq.weight_device';
    if (isSet(bio.weight) && bio.weight !== 0) w('blkio', weightFile, String(bio.weight), `${b}/weight`);
    if (isSet(bio.leafWeight) && bio.leafWeight !== 0) w('blkio', 'blkio.leaf_weight', String(bio.leafWeight), `${b}/leafWeight`);
    (bio.weightDevice ?? []).forEach((d, i) => {
      if (isSet(d.weight) && d.weight !== 0) w('blkio', weightDeviceFile, `${devNumber(d)} ${d.weight}`, `${b}/weightDevice/${i}/weight`);
      if (isSet(d.leafWeight) && d.leafWeight !== 0)
        w('blkio', 'blkio.leaf_weight_device', `${devNumber(d)} ${d.leafWeight}`, `${b}/weightDevice/${i}/leafWeight`);
    });
    const throttles = [
      ['throttleReadBpsDevice', 'blkio.throttle.read_bps_device'],
      ['throttleWriteBpsDevice', 'blkio.throttle.write_bps_device'],
      ['throttleReadIOPSDevice', 'blkio.throttle.read_iops_device'],
      ['throttleWriteIOPSDevice', 'blkio.throttle.write_iops_device'],
    ] as const;
    for (const [field, file] of throttles) {
      (bio[field] ?? []).forEach((d, i) => w('blkio', file, `${devNumber(d)} ${d.rate ?? 0}`, `${RESOURCES}/blockIO/${field}/${i}`));
    }
  }
  (r.hugepageLimits ?? []).forEach((h, i) => {
    const p = `${RESOURCES}/hugepageLimits/${i}`;
    w('hugetlb', `hugetlb.${h.pageSize}.limit_in_bytes`, String(h.limit), p);
    if (probe.exists('hugetlb', `hugetlb.${h.pageSize}.rsvd.limit_in_bytes`)) w('hugetlb', `hugetlb.${h.pageSize}.rsvd.limit_in_bytes`, String(h.limit), p);
  });
  if (r.network) {
    const n = `${RESOURCES}/network`;
    if (isSet(r.network.classID)) w('net_cls', 'net_cls.classid', String(r.network.classID), `${n}/classID`);
    // One line per interface: net_prio.ifpriomap takes "name priority".
    (r.network.priorities ?? []).forEach((p, i) => w('net_prio', 'net_prio.ifpriomap', `${p.name} ${p.priority}`, `${n}/priorities/${i}`));
  }
  for (const [device, limits] of Object.entries(r.rdma ?? {})) {
    const parts = [`hca_handle=${isSet(limits.hcaHandles) ? limits.hcaHandles : 'max'}`, `hca_object=${isSet(limits.hcaObjects) ? limits.hcaObjects : 'max'}`];
    w('rdma', 'rdma.max', `${device} ${parts.join(' ')}`, `${RESOURCES}/rdma/${escapePointer(device)}`);
  }
  if (r.unified && Object.keys(r.unified).length > 0) {
    throw resourceError(`${RESOURCES}/unified`, 'the host has no cgroup v2 hierarchy for unified keys');
  }
  return out;
}

/**
 * The v1 devices lists for hosts without cgroup v2 (where the eBPF filter
 * cannot be attached): deny everything, then each rule in order, as runc's
 * fs/devices.go does on a new cgroup. A rule's "a" type or missing numbers
 * are wildcards ("*").
 */
export function v1DeviceWrites(rules: LinuxDeviceCgroup[]): CgroupWrite[] {
  const out: CgroupWrite[] = [{ controller: 'devices', file: 'devices.deny', value: 'a', pointer: `${RESOURCES}/devices` }];
  rules.forEach((rule, i) => {
    const type = rule.type ?? 'a';
    const major = isSet(rule.major) && rule.major! >= 0 ? String(rule.major) : '*';
    const minor = isSet(rule.minor) && rule.minor! >= 0 ? String(rule.minor) : '*';
    const value = type === 'a' ? 'a' : `${type} ${major}:${minor} ${rule.access || 'rwm'}`;
    out.push({ controller: 'devices', file: rule.allow ? 'devices.allow' : 'devices.deny', value, pointer: `${RESOURCES}/devices/${i}` });
  });
  return out;
}
