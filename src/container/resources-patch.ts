// What `update` changes, decided before anything is touched: the patch
// from runc's flags or from a LinuxResources JSON document (--resources),
// checked field by field, then merged into the resources the container
// runs with. Pure.
//
// runc's update.go is the model: it honours memory (limit, reservation,
// swap, checkBeforeUpdate), cpu (all fields), blockIO.weight, pids.limit and
// unified, and ignores every other resources field (devices, hugepage
// limits, network, rdma, throttles) even when the document carries them,
// because engines send a container's whole resources (containerd's CRI
// update does). A value of 0 for a limit means "leave as is", as in runc,
// except for cpu.burst and cpu.idle where 0 is a real value.
import { UsageError, type SpecProblem } from '../errors.ts';
import { locateSyntaxError, schemaProblems } from '../spec/load.ts';
import type { LinuxCpu, LinuxMemory, LinuxResources } from '../spec/types.ts';
import { SPEC_VERSION } from '../version.ts';

/** The resources update may change; `merge` only ever touches these. */
export interface ResourcesPatch {
  memory?: Pick<LinuxMemory, 'limit' | 'reservation' | 'swap' | 'checkBeforeUpdate'>;
  cpu?: LinuxCpu;
  blockIO?: { weight?: number };
  pids?: { limit: number };
  unified?: Record<string, string>;
}

// ---- the JSON document ----

/** The fields a LinuxResources object may have: a nested object, a list of one shape, a map of one shape, or a leaf. */
type Shape = { fields: Record<string, Shape> } | { items: Shape } | { values: Shape } | 'leaf';

const THROTTLE: Shape = { items: { fields: { major: 'leaf', minor: 'leaf', rate: 'leaf' } } };

// runtime-spec v1.2 config-linux.md, "Control groups".
const RESOURCES: Shape = {
  fields: {
    devices: { items: { fields: { allow: 'leaf', type: 'leaf', major: 'leaf', minor: 'leaf', access: 'leaf' } } },
    memory: {
      fields: {
        limit: 'leaf',
        reservation: 'leaf',
        swap: 'leaf',
        kernel: 'leaf',
        kernelTCP: 'leaf',
        swappiness: 'leaf',
        disableOOMKiller: 'leaf',
        useHierarchy: 'leaf',
        checkBeforeUpdate: 'leaf',
      },
    },
    cpu: {
      fields: {
        shares: 'leaf',
        quota: 'leaf',
        burst: 'leaf',
        period: 'leaf',
        realtimeRuntime: 'leaf',
        realtimePeriod: 'leaf',
        cpus: 'leaf',
        mems: 'leaf',
        idle: 'leaf',
      },
    },
    blockIO: {
      fields: {
        weight: 'leaf',
        leafWeight: 'leaf',
        weightDevice: { items: { fields: { major: 'leaf', minor: 'leaf', weight: 'leaf', leafWeight: 'leaf' } } },
        throttleReadBpsDevice: THROTTLE,
        throttleWriteBpsDevice: THROTTLE,
        throttleReadIOPSDevice: THROTTLE,
        throttleWriteIOPSDevice: THROTTLE,
      },
    },
    pids: { fields: { limit: 'leaf' } },
    hugepageLimits: { items: { fields: { pageSize: 'leaf', limit: 'leaf' } } },
    network: { fields: { classID: 'leaf', priorities: { items: { fields: { name: 'leaf', priority: 'leaf' } } } } },
    rdma: { values: { fields: { hcaHandles: 'leaf', hcaObjects: 'leaf' } } },
    unified: { values: 'leaf' },
  },
};

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Fields the spec does not define, each by its JSON pointer (the schema itself allows extra fields). */
function unknownFields(value: unknown, shape: Shape, pointer: string, out: SpecProblem[]): void {
  if (shape === 'leaf' || typeof value !== 'object' || value === null) return; // types are the schema's job
  if ('items' in shape) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, shape.items, `${pointer}/${i}`, out));
    return;
  }
  if (Array.isArray(value)) return;
  for (const [key, v] of Object.entries(value)) {
    const p = `${pointer}/${escapePointer(key)}`;
    if ('values' in shape) {
      unknownFields(v, shape.values, p, out);
    } else if (key in shape.fields) {
      unknownFields(v, shape.fields[key]!, p, out);
    } else {
      out.push({ pointer: p, reason: `unknown field (expected one of ${Object.keys(shape.fields).join(', ')})` });
    }
  }
}

/**
 * A LinuxResources document (--resources FILE or - for stdin), checked
 * against the runtime-spec schema and for fields it does not define. Every
 * problem becomes one UsageError line: "<source>: /memory/limit: must be an integer".
 */
export function parseResourcesDocument(source: string, text: string): LinuxResources {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    const at = locateSyntaxError(text);
    throw new UsageError(`${source}: invalid JSON${at ? ` at line ${at.line} column ${at.column}: ${at.reason}` : ''}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new UsageError(`${source}: must be a JSON object of linux resources ({"memory": {"limit": …}, "cpu": {…}, …})`);
  }
  const problems: SpecProblem[] = [];
  unknownFields(doc, RESOURCES, '', problems);
  // The config schema checks the types and ranges; wrap the document where
  // config.json keeps it and strip that prefix from the pointers.
  const prefix = '/linux/resources';
  for (const p of schemaProblems({ ociVersion: SPEC_VERSION, linux: { resources: doc } })) {
    problems.push({ pointer: p.pointer.startsWith(prefix) ? p.pointer.slice(prefix.length) : p.pointer, reason: p.reason });
  }
  if (problems.length > 0) throw new UsageError(`${source}: ${problems.map((p) => `${p.pointer || '/'}: ${p.reason}`).join('; ')}`);
  return doc as LinuxResources;
}

/** The part of a full resources document that update applies (runc's merge set). */
export function patchFromDocument(r: LinuxResources): ResourcesPatch {
  const patch: ResourcesPatch = {};
  if (r.memory) {
    const { limit, reservation, swap, checkBeforeUpdate } = r.memory;
    patch.memory = defined({ limit, reservation, swap, checkBeforeUpdate });
  }
  if (r.cpu) patch.cpu = { ...r.cpu };
  if (r.blockIO?.weight !== undefined) patch.blockIO = { weight: r.blockIO.weight };
  if (r.pids) patch.pids = { limit: r.pids.limit };
  if (r.unified) patch.unified = { ...r.unified };
  return patch;
}

function defined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

// ---- merge ----

// Fields where 0 means "not set" (runc's cgroup writers skip a zero).
const ZERO_IS_UNSET = new Set(['limit', 'reservation', 'swap', 'shares', 'quota', 'period', 'realtimeRuntime', 'realtimePeriod', 'weight']);

function mergeSection<T extends object>(base: T | undefined, patch: T | undefined): T | undefined {
  if (!patch) return base;
  const out = { ...(base ?? {}) } as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === 0 && ZERO_IS_UNSET.has(key)) continue;
    if (value === '' && (key === 'cpus' || key === 'mems')) continue;
    out[key] = value;
  }
  return out as T;
}

/**
 * `current` with the patch applied. The result is what state.json keeps
 * and what a later update merges into.
 */
export function mergeResources(current: LinuxResources, patch: ResourcesPatch): LinuxResources {
  const out: LinuxResources = { ...current };
  let memoryPatch = patch.memory;
  // runc: an unlimited memory limit with no swap given lifts swap as well
  // (v1 refuses a memsw limit below the memory limit).
  if (memoryPatch?.limit === -1 && memoryPatch.swap === undefined) memoryPatch = { ...memoryPatch, swap: -1 };
  const memory = mergeSection(current.memory, memoryPatch);
  if (memory) out.memory = memory;
  const cpu = mergeSection(current.cpu, patch.cpu);
  if (cpu) out.cpu = cpu;
  const blockIO = mergeSection(current.blockIO, patch.blockIO);
  if (blockIO) out.blockIO = blockIO;
  if (patch.pids && patch.pids.limit !== 0) out.pids = { limit: patch.pids.limit };
  if (patch.unified) out.unified = { ...current.unified, ...patch.unified };
  return out;
}

/**
 * What apply() writes for an update: the updatable sections of the merged
 * resources (values that did not change are written again, harmlessly, as
 * runc does; inter-dependent ones like memory and swap need each other).
 * Devices are never rewritten (runc's SkipDevices).
 */
export function resourcesToApply(merged: LinuxResources): LinuxResources {
  const out: LinuxResources = {};
  if (merged.memory) {
    const { limit, reservation, swap, checkBeforeUpdate } = merged.memory;
    out.memory = defined({ limit, reservation, swap, checkBeforeUpdate });
  }
  if (merged.cpu) out.cpu = { ...merged.cpu };
  if (merged.blockIO?.weight !== undefined) out.blockIO = { weight: merged.blockIO.weight };
  if (merged.pids) out.pids = { ...merged.pids };
  if (merged.unified) out.unified = { ...merged.unified };
  return out;
}
