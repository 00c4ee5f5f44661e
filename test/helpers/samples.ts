// Sample records for unit tests that need a whole one: a container's
// state.json and a lifecycle record's input. One copy each, so a new field
// is added once.
import type { LifecycleInput } from '../../src/plan/lifecycle-record.ts';
import { readProcStat } from '../../src/state/proc-stat.ts';
import type { ContainerState } from '../../src/state/store.ts';

/** A state.json for ID whose pid is this test process; ALIVE false gives it a start time no process has (stopped). */
export function sampleState(id: string, alive = true): ContainerState {
  return {
    ociVersion: '1.2.0',
    id,
    pid: process.pid,
    bundle: '/b',
    rootfs: '/b/rootfs',
    created: new Date(0).toISOString(),
    owner: 'root',
    annotations: {},
    initStartTime: alive ? readProcStat(process.pid)!.startTime : 1,
    cgroup: { kind: 'v2', path: '/nonexistent/tsrun-unit', created: [] },
    hooks: { poststart: [], poststop: [] },
    process: { cwd: '/', user: { uid: 0, gid: 0 }, args: ['sh'] },
    namespaces: [],
  };
}

/** A lifecycle record's input with every part present: v1 and v2 cgroups, both hook kinds, awkward annotation keys. */
export function sampleLifecycle(): LifecycleInput {
  return {
    ociVersion: '1.2.0',
    id: 'c1',
    pid: 4242,
    initStartTime: 987654321,
    bundle: '/b',
    rootfs: '/b/rootfs',
    created: '2026-01-01T00:00:00.000Z',
    owner: 'root',
    annotations: { z: '1', 'ü "q"': 'line\nbreak', '7': 'integer keys come first in JS' },
    cgroup: {
      kind: 'v1',
      controllers: { cpu: '/cg/cpu/tsrun/c1', cpuacct: '/cg/cpu/tsrun/c1', freezer: '/cg/freezer/tsrun/c1' },
      dirs: [
        { path: '/cg/cpu/tsrun/c1', created: ['/cg/cpu/tsrun', '/cg/cpu/tsrun/c1'] },
        { path: '/cg/freezer/tsrun/c1', created: ['/cg/freezer/tsrun/c1'] },
      ],
      v2: { path: '/cg/unified/tsrun/c1', created: ['/cg/unified/tsrun/c1'] },
    },
    hooks: {
      poststart: [{ path: '/bin/h', args: ['h', '-x'], env: ['A=1'], timeout: 3 }],
      poststop: [{ path: '/bin/p' }],
    },
    execFifo: '/run/tsrun/c1/exec.fifo',
    ownMountNs: true,
    deleteInNode: false,
    stateFile: { ino: 12345678901234n, size: 2000n, mtimeNs: 1796049123213634530n },
    sharedParents: ['/cg/cpu/tsrun', '/cg/freezer/tsrun', '/cg/unified/tsrun'],
  };
}
