// A container's resource usage read from cgroup interface files, in the
// shape of runc's `events --stats` data (runc's types/events.go, `Stats`).
// containerd's go-runc decodes that JSON into its own copy of these types,
// so the field names, the units (nanoseconds, bytes) and Go's omitempty
// behaviour are kept exactly: a zero in an `omitempty` field is left out.
//
// Pure: every function takes the text of the files through a reader, so the
// same code reads a real cgroup and a test fixture. Values are bigint
// because cgroup counters and limits are uint64 (an unlimited v1 memory
// limit is 9223372036854771712, v2 "max" is 2^64-1), beyond a double.
import { CgroupError } from '../errors.ts';

/** The text of one interface file of a cgroup directory, or undefined when it does not exist. */
export type ReadFile = (file: string) => string | undefined;

/** Where one controller's files are: its cgroup directory's hierarchy version and reader. */
export interface ControllerSource {
  version: 1 | 2;
  /** The directory, for error messages. */
  dir: string;
  read: ReadFile;
}

/**
 * Controllers to read. v1 keeps cpu (throttling) and cpuacct (usage) apart
 * (separate hierarchies on some hosts); on v2 both point at the one
 * directory. `blkio` is the v1 name, `io` the v2 one.
 */
export type StatsSources = Partial<Record<'cpu' | 'cpuacct' | 'cpuset' | 'memory' | 'pids' | 'blkio' | 'io' | 'hugetlb', ControllerSource>>;

export interface PsiData {
  avg10: number;
  avg60: number;
  avg300: number;
  total: bigint;
}
export interface PsiStats {
  some?: PsiData;
  full?: PsiData;
}

export interface CpuUsage {
  total?: bigint;
  percpu?: bigint[];
  percpu_kernel?: bigint[];
  percpu_user?: bigint[];
  kernel: bigint;
  user: bigint;
}
export interface Throttling {
  periods?: bigint;
  throttledPeriods?: bigint;
  throttledTime?: bigint;
}
export interface CpuStats {
  usage: CpuUsage;
  throttling: Throttling;
  psi?: PsiStats;
}

export interface CpusetStats {
  cpus?: number[];
  cpu_exclusive: bigint;
  mems?: number[];
  mem_hardwall: bigint;
  mem_exclusive: bigint;
  memory_migrate: bigint;
  memory_spread_page: bigint;
  memory_spread_slab: bigint;
  memory_pressure: bigint;
  sched_load_balance: bigint;
  sched_relax_domain_level: bigint;
}

export interface MemoryEntry {
  limit: bigint;
  usage?: bigint;
  max?: bigint;
  failcnt: bigint;
}
export interface MemoryStats {
  cache?: bigint;
  usage: MemoryEntry;
  swap: MemoryEntry;
  kernel: MemoryEntry;
  kernelTCP: MemoryEntry;
  raw?: Record<string, bigint>;
  psi?: PsiStats;
}

export interface PidsStats {
  current?: bigint;
  limit?: bigint;
}

export interface BlkioEntry {
  major?: bigint;
  minor?: bigint;
  op?: string;
  value?: bigint;
}
export interface BlkioStats {
  ioServiceBytesRecursive?: BlkioEntry[];
  ioServicedRecursive?: BlkioEntry[];
  ioQueueRecursive?: BlkioEntry[];
  ioServiceTimeRecursive?: BlkioEntry[];
  ioWaitTimeRecursive?: BlkioEntry[];
  ioMergedRecursive?: BlkioEntry[];
  ioTimeRecursive?: BlkioEntry[];
  sectorsRecursive?: BlkioEntry[];
  psi?: PsiStats;
}

export interface HugetlbStats {
  usage?: bigint;
  max?: bigint;
  failcnt: bigint;
}

/** runc's types.Stats, field for field (intel_rdt and network_interfaces stay empty: tsrun manages neither). */
export interface Stats {
  cpu: CpuStats;
  cpuset: CpusetStats;
  memory: MemoryStats;
  pids: PidsStats;
  blkio: BlkioStats;
  hugetlb: Record<string, HugetlbStats>;
  intel_rdt: Record<string, never>;
  network_interfaces: null;
}

export const MAX_UINT64 = (1n << 64n) - 1n;
const NS_PER_USEC = 1000n;
// cpuacct.stat counts USER_HZ ticks, which is 100 on every Linux ABI
// (runc hard-codes the same constant rather than calling sysconf).
const NS_PER_TICK = 1_000_000_000n / 100n;

// ---- parsing helpers ----

function statsError(src: ControllerSource, file: string, why: string): CgroupError {
  const path = `${src.dir}/${file}`;
  return new CgroupError(path, `stats: ${path}: ${why}`);
}

function required(src: ControllerSource, file: string): string {
  const text = src.read(file);
  if (text === undefined) throw statsError(src, file, 'file does not exist');
  return text;
}

/**
 * One cgroup number, as runc's GetCgroupParamUint reads it: "max" is the
 * largest uint64, and a negative number (v1 writes -1 for "unlimited" in a
 * few files) is 0.
 */
function parseUint(src: ControllerSource, file: string, word: string): bigint {
  if (word === 'max') return MAX_UINT64;
  if (/^-\d+$/.test(word)) return 0n;
  if (!/^\d+$/.test(word)) throw statsError(src, file, `${JSON.stringify(word)} is not a number`);
  const n = BigInt(word);
  return n > MAX_UINT64 ? MAX_UINT64 : n;
}

function readUint(src: ControllerSource, file: string): bigint {
  return parseUint(src, file, required(src, file).trim());
}

function readUintOptional(src: ControllerSource, file: string): bigint {
  const text = src.read(file);
  return text === undefined ? 0n : parseUint(src, file, text.trim());
}

/** "key value" lines (cpu.stat, memory.stat, memory.events …), in file order. */
function readKeyed(src: ControllerSource, file: string, text: string): Map<string, bigint> {
  const map = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length === 1 && words[0] === '') continue;
    if (words.length !== 2) throw statsError(src, file, `malformed line ${JSON.stringify(line)}`);
    map.set(words[0]!, parseUint(src, file, words[1]!));
  }
  return map;
}

/** "0-2,5" → [0, 1, 2, 5], as cpuset.cpus/mems list them. */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`${JSON.stringify(part)} is not a cpu or node range`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let i = from; i <= to; i++) out.push(i);
  }
  return out;
}

/** PSI files (cpu.pressure …): "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" and a "full" line. */
function readPsi(src: ControllerSource, file: string): PsiStats | undefined {
  const text = src.read(file);
  if (text === undefined) return undefined;
  const psi: PsiStats = {};
  for (const line of text.split('\n')) {
    const [kind, ...pairs] = line.trim().split(/\s+/);
    if (kind !== 'some' && kind !== 'full') continue;
    const data: PsiData = { avg10: 0, avg60: 0, avg300: 0, total: 0n };
    for (const pair of pairs) {
      const [key, value = ''] = pair.split('=');
      if (key === 'total') data.total = parseUint(src, file, value);
      else if (key === 'avg10' || key === 'avg60' || key === 'avg300') data[key] = Number(value);
    }
    psi[kind] = data;
  }
  return psi;
}

// Go's omitempty: a zero number, an empty list or map is not written.
function setNonZero<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] & (bigint | unknown[] | undefined)): void {
  if (value === undefined) return;
  if (typeof value === 'bigint' ? value !== 0n : value.length > 0) obj[key] = value;
}

function memoryEntry(e: { limit: bigint; usage: bigint; max: bigint; failcnt: bigint }): MemoryEntry {
  // runc's key order: limit, usage, max, failcnt.
  return { limit: e.limit, ...(e.usage !== 0n && { usage: e.usage }), ...(e.max !== 0n && { max: e.max }), failcnt: e.failcnt };
}

const ZERO_MEMORY_ENTRY = { limit: 0n, usage: 0n, max: 0n, failcnt: 0n };

// ---- cpu ----

function cpuV1(acct: ControllerSource | undefined, cpu: ControllerSource | undefined): CpuStats {
  const usage: CpuUsage = { kernel: 0n, user: 0n };
  if (acct) {
    // cpuacct.stat: "user <ticks>\nsystem <ticks>".
    const stat = readKeyed(acct, 'cpuacct.stat', required(acct, 'cpuacct.stat'));
    setNonZero(usage, 'total', readUint(acct, 'cpuacct.usage'));
    const percpu = required(acct, 'cpuacct.usage_percpu')
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '')
      .map((w) => parseUint(acct, 'cpuacct.usage_percpu', w));
    setNonZero(usage, 'percpu', percpu);
    // cpuacct.usage_all (Linux 4.16): a header, then "cpu user system" in ns.
    const all = acct.read('cpuacct.usage_all');
    if (all !== undefined) {
      const kernel: bigint[] = [];
      const user: bigint[] = [];
      for (const line of all.split('\n').slice(1)) {
        const words = line.trim().split(/\s+/);
        if (words.length !== 3) continue;
        user.push(parseUint(acct, 'cpuacct.usage_all', words[1]!));
        kernel.push(parseUint(acct, 'cpuacct.usage_all', words[2]!));
      }
      setNonZero(usage, 'percpu_kernel', kernel);
      setNonZero(usage, 'percpu_user', user);
    }
    usage.kernel = (stat.get('system') ?? 0n) * NS_PER_TICK;
    usage.user = (stat.get('user') ?? 0n) * NS_PER_TICK;
  }
  const throttling: Throttling = {};
  if (cpu) {
    const text = cpu.read('cpu.stat');
    if (text !== undefined) {
      const stat = readKeyed(cpu, 'cpu.stat', text);
      setNonZero(throttling, 'periods', stat.get('nr_periods'));
      setNonZero(throttling, 'throttledPeriods', stat.get('nr_throttled'));
      setNonZero(throttling, 'throttledTime', stat.get('throttled_time')); // already ns in v1
    }
  }
  return { usage: orderCpuUsage(usage), throttling };
}

function cpuV2(src: ControllerSource): CpuStats {
  // cpu.stat exists in every v2 cgroup, with or without the cpu controller;
  // its times are microseconds.
  const stat = readKeyed(src, 'cpu.stat', required(src, 'cpu.stat'));
  const usage: CpuUsage = {
    kernel: (stat.get('system_usec') ?? 0n) * NS_PER_USEC,
    user: (stat.get('user_usec') ?? 0n) * NS_PER_USEC,
  };
  setNonZero(usage, 'total', (stat.get('usage_usec') ?? 0n) * NS_PER_USEC);
  const throttling: Throttling = {};
  setNonZero(throttling, 'periods', stat.get('nr_periods'));
  setNonZero(throttling, 'throttledPeriods', stat.get('nr_throttled'));
  setNonZero(throttling, 'throttledTime', (stat.get('throttled_usec') ?? 0n) * NS_PER_USEC);
  const out: CpuStats = { usage: orderCpuUsage(usage), throttling };
  const psi = readPsi(src, 'cpu.pressure');
  if (psi) out.psi = psi;
  return out;
}

function orderCpuUsage(u: CpuUsage): CpuUsage {
  const out = {} as CpuUsage;
  for (const key of ['total', 'percpu', 'percpu_kernel', 'percpu_user', 'kernel', 'user'] as const) {
    if (u[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = u[key];
  }
  return out;
}

// ---- cpuset ----

function emptyCpuset(): CpusetStats {
  return {
    cpu_exclusive: 0n,
    mem_hardwall: 0n,
    mem_exclusive: 0n,
    memory_migrate: 0n,
    memory_spread_page: 0n,
    memory_spread_slab: 0n,
    memory_pressure: 0n,
    sched_load_balance: 0n,
    sched_relax_domain_level: 0n,
  };
}

// runc reports the cpuset files of v1 only; its v2 manager leaves them zero.
function cpusetV1(src: ControllerSource): CpusetStats {
  const list = (file: string): number[] => {
    try {
      return parseCpuList(required(src, file));
    } catch (err) {
      if (err instanceof CgroupError) throw err;
      throw statsError(src, file, (err as Error).message);
    }
  };
  const flag = (file: string): bigint => readUintOptional(src, file);
  const cpus = list('cpuset.cpus');
  const mems = list('cpuset.mems');
  const relax = src.read('cpuset.sched_relax_domain_level')?.trim();
  return {
    ...(cpus.length > 0 && { cpus }),
    cpu_exclusive: flag('cpuset.cpu_exclusive'),
    ...(mems.length > 0 && { mems }),
    mem_hardwall: flag('cpuset.mem_hardwall'),
    mem_exclusive: flag('cpuset.mem_exclusive'),
    memory_migrate: flag('cpuset.memory_migrate'),
    memory_spread_page: flag('cpuset.memory_spread_page'),
    memory_spread_slab: flag('cpuset.memory_spread_slab'),
    memory_pressure: flag('cpuset.memory_pressure'),
    sched_load_balance: flag('cpuset.sched_load_balance'),
    // A signed level: -1 means "use the system default".
    sched_relax_domain_level: relax !== undefined && /^-?\d+$/.test(relax) ? BigInt(relax) : 0n,
  };
}

// ---- memory ----

function memoryDataV1(src: ControllerSource, prefix: string, optional: boolean): typeof ZERO_MEMORY_ENTRY {
  const usageFile = `${prefix}.usage_in_bytes`;
  // memsw needs swap accounting, kmem a kernel with it: both may be absent.
  if (optional && src.read(usageFile) === undefined) return ZERO_MEMORY_ENTRY;
  return {
    usage: readUint(src, usageFile),
    max: readUint(src, `${prefix}.max_usage_in_bytes`),
    failcnt: readUint(src, `${prefix}.failcnt`),
    limit: readUint(src, `${prefix}.limit_in_bytes`),
  };
}

function memoryV1(src: ControllerSource): MemoryStats {
  const raw = Object.fromEntries(readKeyed(src, 'memory.stat', required(src, 'memory.stat')));
  const out: MemoryStats = {
    usage: memoryEntry(memoryDataV1(src, 'memory', false)),
    swap: memoryEntry(memoryDataV1(src, 'memory.memsw', true)),
    kernel: memoryEntry(memoryDataV1(src, 'memory.kmem', true)),
    kernelTCP: memoryEntry(memoryDataV1(src, 'memory.kmem.tcp', true)),
  };
  return finishMemory(out, raw.cache ?? 0n, raw);
}

function memoryDataV2(src: ControllerSource, prefix: string, optional: boolean): typeof ZERO_MEMORY_ENTRY {
  // memory.swap.* needs swap accounting (CONFIG_MEMCG_SWAP, swapaccount=1).
  if (optional && src.read(`${prefix}.current`) === undefined) return ZERO_MEMORY_ENTRY;
  return {
    usage: readUint(src, `${prefix}.current`),
    limit: readUint(src, `${prefix}.max`),
    // memory.peak since Linux 5.19, memory.swap.peak since 6.5.
    max: readUintOptional(src, `${prefix}.peak`),
    failcnt: 0n,
  };
}

function memoryV2(src: ControllerSource): MemoryStats {
  const raw = Object.fromEntries(readKeyed(src, 'memory.stat', required(src, 'memory.stat')));
  const usage = memoryDataV2(src, 'memory', false);
  const swapOnly = memoryDataV2(src, 'memory.swap', true);
  // v1's memsw counts memory plus swap, v2's swap counts swap alone: runc
  // reports the v1 meaning for both. The sum saturates instead of wrapping
  // when memory.max is "max" and memory.swap.max is not.
  const limit = swapOnly.limit === MAX_UINT64 || swapOnly.limit + usage.limit > MAX_UINT64 ? MAX_UINT64 : swapOnly.limit + usage.limit;
  const swap = { usage: swapOnly.usage + usage.usage, limit, max: 0n, failcnt: 0n };
  const out: MemoryStats = {
    usage: memoryEntry(usage),
    swap: memoryEntry(swap),
    kernel: memoryEntry(ZERO_MEMORY_ENTRY),
    kernelTCP: memoryEntry(ZERO_MEMORY_ENTRY),
  };
  const psi = readPsi(src, 'memory.pressure');
  return finishMemory(out, raw.file ?? 0n, raw, psi);
}

function finishMemory(m: MemoryStats, cache: bigint, raw: Record<string, bigint>, psi?: PsiStats): MemoryStats {
  const out: MemoryStats = { ...(cache !== 0n && { cache }), usage: m.usage, swap: m.swap, kernel: m.kernel, kernelTCP: m.kernelTCP };
  if (Object.keys(raw).length > 0) out.raw = raw;
  if (psi) out.psi = psi;
  return out;
}

// ---- pids ----

function pidsStats(src: ControllerSource, pidsController: boolean): PidsStats {
  const out: PidsStats = {};
  if (!pidsController) {
    // A v2 cgroup without the pids controller: count cgroup.procs, no limit.
    const procs = required(src, 'cgroup.procs');
    setNonZero(out, 'current', BigInt(procs.split('\n').filter((l) => l.trim() !== '').length));
    return out;
  }
  setNonZero(out, 'current', readUint(src, 'pids.current'));
  const max = required(src, 'pids.max').trim();
  // "max" (no limit) is reported as 0, as runc does.
  setNonZero(out, 'limit', max === 'max' ? 0n : parseUint(src, 'pids.max', max));
  return out;
}

// ---- block io ----

/**
 * One v1 blkio file: "8:0 Read 1282048" lines (or "8:0 6792" without an
 * op, for sectors), and a "Total N" line that is skipped.
 */
function blkioEntries(src: ControllerSource, file: string, text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const words = line
      .trim()
      .split(/[\s:]+/)
      .filter((w) => w !== '');
    if (words.length === 0) continue;
    if (words.length === 2 && words[0] === 'Total') continue;
    if (words.length < 3 || words.length > 4) throw statsError(src, file, `malformed line ${JSON.stringify(line)}`);
    const entry: BlkioEntry = {};
    setNonZero(entry, 'major', parseUint(src, file, words[0]!));
    setNonZero(entry, 'minor', parseUint(src, file, words[1]!));
    if (words.length === 4 && words[2] !== '') entry.op = words[2]!;
    setNonZero(entry, 'value', parseUint(src, file, words[words.length - 1]!));
    out.push(entry);
  }
  return out;
}

type BlkioKey = Exclude<keyof BlkioStats, 'psi'>;

// runc's order of preference: the BFQ scheduler's files (with its debug
// files, then without), CFQ's, the throttle layer's recursive files, and
// last the throttle layer's own-cgroup files. The first group whose first
// file exists wins.
const BLKIO_GROUPS: [file: string, key: BlkioKey][][] = [
  [
    ['blkio.bfq.sectors_recursive', 'sectorsRecursive'],
    ['blkio.bfq.io_service_time_recursive', 'ioServiceTimeRecursive'],
    ['blkio.bfq.io_wait_time_recursive', 'ioWaitTimeRecursive'],
    ['blkio.bfq.io_merged_recursive', 'ioMergedRecursive'],
    ['blkio.bfq.io_queued_recursive', 'ioQueueRecursive'],
    ['blkio.bfq.time_recursive', 'ioTimeRecursive'],
    ['blkio.bfq.io_serviced_recursive', 'ioServicedRecursive'],
    ['blkio.bfq.io_service_bytes_recursive', 'ioServiceBytesRecursive'],
  ],
  [
    ['blkio.bfq.io_serviced_recursive', 'ioServicedRecursive'],
    ['blkio.bfq.io_service_bytes_recursive', 'ioServiceBytesRecursive'],
  ],
  [
    ['blkio.sectors_recursive', 'sectorsRecursive'],
    ['blkio.io_service_time_recursive', 'ioServiceTimeRecursive'],
    ['blkio.io_wait_time_recursive', 'ioWaitTimeRecursive'],
    ['blkio.io_merged_recursive', 'ioMergedRecursive'],
    ['blkio.io_queued_recursive', 'ioQueueRecursive'],
    ['blkio.time_recursive', 'ioTimeRecursive'],
    ['blkio.io_serviced_recursive', 'ioServicedRecursive'],
    ['blkio.io_service_bytes_recursive', 'ioServiceBytesRecursive'],
  ],
  [
    ['blkio.throttle.io_serviced_recursive', 'ioServicedRecursive'],
    ['blkio.throttle.io_service_bytes_recursive', 'ioServiceBytesRecursive'],
  ],
  [
    ['blkio.throttle.io_serviced', 'ioServicedRecursive'],
    ['blkio.throttle.io_service_bytes', 'ioServiceBytesRecursive'],
  ],
];

function blkioV1(src: ControllerSource): BlkioStats {
  for (const group of BLKIO_GROUPS) {
    const texts = group.map(([file]) => src.read(file));
    if (texts[0] === undefined) continue;
    const out: BlkioStats = {};
    group.forEach(([file, key], i) => {
      const text = texts[i];
      if (text === undefined) throw statsError(src, file, 'file does not exist');
      setNonZero(out, key, blkioEntries(src, file, text));
    });
    return orderBlkio(out);
  }
  return {};
}

// io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device.
// Bytes and ios map to v1's service_bytes and serviced tables with v1's op
// names; the other keys have no v1 table and are left out, as runc does.
const IO_STAT_KEYS: Record<string, [BlkioKey, string]> = {
  rbytes: ['ioServiceBytesRecursive', 'Read'],
  wbytes: ['ioServiceBytesRecursive', 'Write'],
  rios: ['ioServicedRecursive', 'Read'],
  wios: ['ioServicedRecursive', 'Write'],
};

function ioV2(src: ControllerSource): BlkioStats {
  const out: BlkioStats = {};
  const text = src.read('io.stat');
  if (text !== undefined) {
    for (const line of text.split('\n')) {
      const [device, ...pairs] = line.trim().split(/\s+/);
      const m = /^(\d+):(\d+)$/.exec(device ?? '');
      if (!m) continue;
      for (const pair of pairs) {
        const [key = '', value = ''] = pair.split('=');
        const target = IO_STAT_KEYS[key];
        if (!target) continue;
        const entry: BlkioEntry = {};
        setNonZero(entry, 'major', BigInt(m[1]!));
        setNonZero(entry, 'minor', BigInt(m[2]!));
        entry.op = target[1];
        setNonZero(entry, 'value', parseUint(src, 'io.stat', value));
        (out[target[0]] ??= []).push(entry);
      }
    }
  }
  const psi = readPsi(src, 'io.pressure');
  if (psi) out.psi = psi;
  return orderBlkio(out);
}

function orderBlkio(b: BlkioStats): BlkioStats {
  const out: BlkioStats = {};
  const keys: (keyof BlkioStats)[] = [
    'ioServiceBytesRecursive',
    'ioServicedRecursive',
    'ioQueueRecursive',
    'ioServiceTimeRecursive',
    'ioWaitTimeRecursive',
    'ioMergedRecursive',
    'ioTimeRecursive',
    'sectorsRecursive',
    'psi',
  ];
  for (const key of keys) if (b[key] !== undefined) (out as Record<string, unknown>)[key] = b[key];
  return out;
}

// ---- hugetlb ----

/**
 * The page-size names the hugetlb files use, from the directory names in
 * /sys/kernel/mm/hugepages ("hugepages-2048kB" → "2MB", "hugepages-1048576kB" → "1GB").
 */
export function hugePageSizeName(dirName: string): string | undefined {
  const m = /^hugepages-(\d+)kB$/.exec(dirName);
  if (!m) return undefined;
  let size = Number(m[1]);
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${size}${units[unit]}`;
}

function hugetlbStats(src: ControllerSource, pageSizes: readonly string[]): Record<string, HugetlbStats> {
  const out: Record<string, HugetlbStats> = {};
  for (const size of pageSizes) {
    const prefix = `hugetlb.${size}`;
    const entry: HugetlbStats = { failcnt: 0n };
    if (src.version === 1) {
      setNonZero(entry, 'usage', readUint(src, `${prefix}.usage_in_bytes`));
      setNonZero(entry, 'max', readUint(src, `${prefix}.max_usage_in_bytes`));
      entry.failcnt = readUint(src, `${prefix}.failcnt`);
    } else {
      setNonZero(entry, 'usage', readUint(src, `${prefix}.current`));
      // v2 has no peak; "max" in hugetlb.<size>.events counts refused allocations.
      entry.failcnt = readKeyed(src, `${prefix}.events`, required(src, `${prefix}.events`)).get('max') ?? 0n;
    }
    out[size] = { ...(entry.usage !== undefined && { usage: entry.usage }), ...(entry.max !== undefined && { max: entry.max }), failcnt: entry.failcnt };
  }
  return out;
}

// ---- all together ----

export interface StatsOptions {
  /** Huge page size names (see hugePageSizeName); none when the host has no huge pages. */
  hugePageSizes?: readonly string[];
  /** A v2 cgroup whose cgroup.controllers lists pids (else pids.current does not exist). */
  v2PidsController?: boolean;
}

/** Read every controller in `sources` into runc's stats shape; a missing controller leaves its part empty. */
export function readStats(sources: StatsSources, opts: StatsOptions = {}): Stats {
  const cpu = sources.cpu?.version === 2 ? cpuV2(sources.cpu) : cpuV1(sources.cpuacct, sources.cpu);
  const mem = sources.memory;
  const memory: MemoryStats = mem
    ? mem.version === 1
      ? memoryV1(mem)
      : memoryV2(mem)
    : {
        usage: memoryEntry(ZERO_MEMORY_ENTRY),
        swap: memoryEntry(ZERO_MEMORY_ENTRY),
        kernel: memoryEntry(ZERO_MEMORY_ENTRY),
        kernelTCP: memoryEntry(ZERO_MEMORY_ENTRY),
      };
  const pidsSrc = sources.pids;
  const pids = pidsSrc ? pidsStats(pidsSrc, pidsSrc.version === 1 || opts.v2PidsController !== false) : {};
  const blkio = sources.blkio?.version === 1 ? blkioV1(sources.blkio) : sources.io ? ioV2(sources.io) : sources.blkio ? ioV2(sources.blkio) : {};
  const hugetlb = sources.hugetlb ? hugetlbStats(sources.hugetlb, opts.hugePageSizes ?? []) : {};
  const cpuset = sources.cpuset?.version === 1 ? cpusetV1(sources.cpuset) : emptyCpuset();
  return { cpu, cpuset, memory, pids, blkio, hugetlb, intel_rdt: {}, network_interfaces: null };
}

/**
 * JSON text of a value that may hold bigints (written as plain JSON
 * numbers, which Go decodes into uint64 exactly). Objects keep their key
 * order; undefined members are left out, as JSON.stringify does.
 */
export function toJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toJson(v))).join(',')}]`;
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== undefined) parts.push(`${JSON.stringify(k)}:${toJson(v)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return 'null';
  }
}
