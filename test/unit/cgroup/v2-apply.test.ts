// applyV2 enables controllers before it probes; the probe itself only reads.
// Against a fake cgroup2 tree of plain files in t.testdir().
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { applyV2, v2Probe } from '../../../src/cgroup/v2-manager.ts';

const MiB = 1024 * 1024;

function tree(t: Test) {
  return t.testdir({
    'cgroup.controllers': 'cpu io memory hugetlb',
    'cgroup.subtree_control': '',
    c1: { 'cgroup.controllers': '', 'memory.max': '', 'memory.swap.max': '', 'io.weight': '', 'io.bfq.weight': '' },
  });
}

t.test('v2Probe reads: it writes no cgroup.subtree_control', async (t) => {
  const root = tree(t);
  const probe = v2Probe(join(root, 'c1'));
  t.equal(probe.exists('memory', 'memory.swap.max'), true);
  t.equal(probe.exists('io', 'io.nosuch'), false);
  t.equal(probe.read('memory', 'memory.max'), '');
  t.equal(fs.readFileSync(join(root, 'cgroup.subtree_control'), 'utf8'), '', 'nothing enabled by probing');
});

t.test('applyV2 enables each needed controller once, then writes what the probe finds', async (t) => {
  const root = tree(t);
  const dir = join(root, 'c1');
  applyV2(dir, [{ memory: { limit: 32 * MiB, swap: 48 * MiB } }, { blockIO: { weight: 500 } }]);
  // A plain file keeps only the last write: the io controller came after memory.
  t.equal(fs.readFileSync(join(root, 'cgroup.subtree_control'), 'utf8'), '+io');
  t.equal(fs.readFileSync(join(dir, 'memory.max'), 'utf8'), String(32 * MiB));
  t.equal(fs.readFileSync(join(dir, 'memory.swap.max'), 'utf8'), String(16 * MiB));
  t.equal(fs.readFileSync(join(dir, 'io.bfq.weight'), 'utf8'), '500', 'BFQ present: the blkio weight as given');
  t.equal(fs.readFileSync(join(dir, 'io.weight'), 'utf8'), '', 'io.weight untouched when BFQ takes the weight');
});

t.test('applyV2 refuses a field whose controller the hierarchy lacks, naming the field, before enabling anything', async (t) => {
  const root = tree(t);
  t.throws(() => applyV2(join(root, 'c1'), [{ cpu: { realtimeRuntime: 1000 } }]), /\/linux\/resources\/cpu\/realtimeRuntime/);
  t.throws(() => applyV2(join(root, 'c1'), [{ pids: { limit: 5 } }]), /\/linux\/resources\/pids\/limit: the pids controller is not available/);
  t.equal(fs.readFileSync(join(root, 'cgroup.subtree_control'), 'utf8'), '');
});

t.test('without io.bfq.weight the weight is converted into io.weight', async (t) => {
  const root = tree(t);
  fs.rmSync(join(root, 'c1', 'io.bfq.weight'));
  applyV2(join(root, 'c1'), [{ blockIO: { weight: 500 } }]);
  // 1 + (500 − 10) × 9999 / 990 = 4950
  t.equal(fs.readFileSync(join(root, 'c1', 'io.weight'), 'utf8'), '4950');
});
