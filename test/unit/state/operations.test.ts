// The operation table against runc's rules, status by status.
import t from 'tap';
import { ALLOWED, allows, type Operation } from '../../../src/state/operations.ts';
import type { Status } from '../../../src/state/status.ts';

const STATUSES: Status[] = ['created', 'running', 'paused', 'stopped'];

t.test('each status allows exactly what runc allows', async (t) => {
  const expected: Record<Status, Operation[]> = {
    created: ['start', 'kill', 'exec', 'pause', 'delete', 'delete --force', 'update', 'events'],
    running: ['kill', 'exec', 'pause', 'delete --force', 'update', 'events'],
    paused: ['kill', 'resume', 'delete --force', 'update', 'events'],
    stopped: ['delete', 'delete --force'],
  };
  for (const status of STATUSES) {
    const got = (Object.keys(ALLOWED) as Operation[]).filter((op) => allows(op, status));
    t.same(got.sort(), [...expected[status]].sort(), status);
  }
});

t.test('delete --force allows every status; nothing else does', async (t) => {
  const everywhere = (Object.keys(ALLOWED) as Operation[]).filter((op) => STATUSES.every((s) => allows(op, s)));
  t.same(everywhere, ['delete --force']);
});
