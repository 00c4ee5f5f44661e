import t from 'tap';
import { filterPsTable } from '../../../src/container/ps.ts';

const PS_EF = `UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 10:00 ?        00:00:01 /sbin/init
root         812       1  0 10:01 ?        00:00:00 sleep 1000
root         813     812  0 10:01 ?        00:00:00 sh -c sleep 5
root        1812       1  0 10:01 ?        00:00:00 other 812
`;

t.test('keeps the header and the lines of the given pids', async (t) => {
  t.equal(
    filterPsTable(PS_EF, [812, 813]),
    `UID          PID    PPID  C STIME TTY          TIME CMD
root         812       1  0 10:01 ?        00:00:00 sleep 1000
root         813     812  0 10:01 ?        00:00:00 sh -c sleep 5
`,
  );
  t.equal(filterPsTable(PS_EF, []), 'UID          PID    PPID  C STIME TTY          TIME CMD\n');
});

t.test('the PID column is found wherever ps puts it', async (t) => {
  t.equal(filterPsTable('  PID COMMAND\n  812 sleep\n    1 init\n', [812]), '  PID COMMAND\n  812 sleep\n');
});

t.test('an output without a PID column is an error', async (t) => {
  t.throws(() => filterPsTable('COMMAND\nsleep\n', [1]), /ps: no PID column in its output header "COMMAND"/);
});
