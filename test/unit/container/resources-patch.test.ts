import t from 'tap';
import { mergeResources, parseResourcesDocument, patchFromDocument, resourcesToApply } from '../../../src/container/resources-patch.ts';
import { UsageError } from '../../../src/errors.ts';

t.test('a valid document: only the fields update honours reach the patch', async (t) => {
  const doc = parseResourcesDocument(
    'stdin',
    JSON.stringify({
      memory: { limit: 1048576, swap: 2097152, kernel: 5, checkBeforeUpdate: true },
      cpu: { shares: 100, cpus: '0' },
      blockIO: { weight: 300, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1 }] },
      pids: { limit: 5 },
      devices: [{ allow: false, access: 'rwm' }],
      hugepageLimits: [{ pageSize: '2MB', limit: 0 }],
      unified: { 'memory.high': '1000000' },
      rdma: { mlx5_0: { hcaHandles: 1 } },
    }),
  );
  t.same(patchFromDocument(doc), {
    memory: { limit: 1048576, swap: 2097152, checkBeforeUpdate: true },
    cpu: { shares: 100, cpus: '0' },
    blockIO: { weight: 300 },
    pids: { limit: 5 },
    unified: { 'memory.high': '1000000' },
  });
  t.same(patchFromDocument(parseResourcesDocument('f', '{}')), {});
});

t.test('unknown fields and wrong types are one usage error with JSON pointers', async (t) => {
  t.throws(() => parseResourcesDocument('r.json', '{"memory": {"limitt": 5}}'), {
    constructor: UsageError,
    message: /^r\.json: \/memory\/limitt: unknown field \(expected one of limit, reservation/,
  });
  t.throws(() => parseResourcesDocument('r.json', '{"cpus": "0"}'), { message: /^r\.json: \/cpus: unknown field/ });
  t.throws(() => parseResourcesDocument('r.json', '{"blockIO": {"weightDevice": [{"major": 8, "minor": 0, "wieght": 5}]}}'), {
    message: /\/blockIO\/weightDevice\/0\/wieght: unknown field/,
  });
  t.throws(() => parseResourcesDocument('stdin', '{"memory": {"limit": "64m"}}'), { message: /^stdin: \/memory\/limit: must be an integer$/ });
  t.throws(() => parseResourcesDocument('stdin', '{"pids": {}}'), { message: /^stdin: \/pids: missing required property "limit"$/ });
  t.throws(() => parseResourcesDocument('stdin', '{"blockIO": {"weight": 70000}}'), { message: /\/blockIO\/weight: must be at most 65535/ });
  t.throws(() => parseResourcesDocument('stdin', '{"memory": {"limit": 5, "swap": true}, "x": 1}'), {
    message: /\/x: unknown field.*; \/memory\/swap: must be an integer/,
  });
  // Keys of maps (unified, rdma) are free.
  t.doesNotThrow(() => parseResourcesDocument('stdin', '{"unified": {"a/b~c": "1"}}'));
});

t.test('not JSON, or not an object', async (t) => {
  t.throws(() => parseResourcesDocument('stdin', '{"memory": '), { message: /^stdin: invalid JSON at line 1 column 12: / });
  t.throws(() => parseResourcesDocument('stdin', ''), { message: /^stdin: invalid JSON/ });
  t.throws(() => parseResourcesDocument('stdin', '[1]'), { message: /^stdin: must be a JSON object of linux resources/ });
});

t.test("merge: runc's rules", async (t) => {
  const current = {
    memory: { limit: 100, reservation: 50, disableOOMKiller: true },
    cpu: { shares: 1024, quota: 50000, period: 100000, cpus: '0-1' },
    pids: { limit: 10 },
    devices: [{ allow: false, access: 'rwm' }],
    unified: { 'memory.high': '90' },
  };
  const merged = mergeResources(current, {
    memory: { limit: 200, reservation: 0 }, // 0 leaves it
    cpu: { quota: 0, burst: 0, cpus: '', idle: 0 }, // 0/'' leave quota and cpus; burst and idle 0 are values
    pids: { limit: 0 }, // 0 leaves it
    unified: { 'pids.max': '5' },
  });
  t.same(merged, {
    memory: { limit: 200, reservation: 50, disableOOMKiller: true },
    cpu: { shares: 1024, quota: 50000, period: 100000, cpus: '0-1', burst: 0, idle: 0 },
    pids: { limit: 10 },
    devices: [{ allow: false, access: 'rwm' }],
    unified: { 'memory.high': '90', 'pids.max': '5' },
  });
  t.same(mergeResources({}, { pids: { limit: -1 }, blockIO: { weight: 100 } }), { pids: { limit: -1 }, blockIO: { weight: 100 } });
  // An unlimited memory limit without a swap value lifts swap too.
  t.same(mergeResources({ memory: { limit: 100, swap: 200 } }, { memory: { limit: -1 } }).memory, { limit: -1, swap: -1 });
  t.same(mergeResources({ memory: { limit: 100, swap: 200 } }, { memory: { limit: -1, swap: 300 } }).memory, { limit: -1, swap: 300 });
  // The input is not modified.
  t.equal(current.memory.limit, 100);
});

t.test('apply gets the updatable sections only, never devices', async (t) => {
  t.same(
    resourcesToApply({
      memory: { limit: 200, disableOOMKiller: true, kernel: 5 },
      cpu: { shares: 2 },
      blockIO: { weight: 10, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1 }] },
      pids: { limit: 3 },
      devices: [{ allow: false }],
      hugepageLimits: [{ pageSize: '2MB', limit: 0 }],
      unified: { 'memory.high': '1' },
    }),
    { memory: { limit: 200 }, cpu: { shares: 2 }, blockIO: { weight: 10 }, pids: { limit: 3 }, unified: { 'memory.high': '1' } },
  );
  t.same(resourcesToApply({ devices: [] }), {});
});
