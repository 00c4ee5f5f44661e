import t from 'tap';
import { parseArgs } from '../../../src/cli/args.ts';
import { flagsBesidesResources, patchFromFlags, UPDATE_FLAGS } from '../../../src/cli/update-flags.ts';
import { UsageError } from '../../../src/errors.ts';

const parse = (...argv: string[]) => parseArgs(argv, UPDATE_FLAGS);

t.test("runc's flags become a resources patch", async (t) => {
  const { patch, ignored } = patchFromFlags(
    parse(
      '--memory',
      '64m',
      '--memory-reservation=32m',
      '--memory-swap',
      '-1',
      '--cpu-share',
      '512',
      '--cpu-quota',
      '-1',
      '--cpu-period',
      '100000',
      '--cpu-burst',
      '0',
      '--cpu-rt-period',
      '1000000',
      '--cpu-rt-runtime',
      '950000',
      '--cpu-idle',
      '1',
      '--cpuset-cpus',
      '0-1',
      '--cpuset-mems',
      '0',
      '--pids-limit',
      '20',
      '--blkio-weight',
      '500',
    ),
  );
  t.same(patch, {
    memory: { limit: 64 * 2 ** 20, reservation: 32 * 2 ** 20, swap: -1 },
    cpu: { shares: 512, quota: -1, burst: 0, period: 100000, realtimeRuntime: 950000, realtimePeriod: 1000000, idle: 1, cpus: '0-1', mems: '0' },
    blockIO: { weight: 500 },
    pids: { limit: 20 },
  });
  t.same(ignored, []);
});

t.test('--cpu-shares is an alias; kernel memory flags are ignored (as runc warns)', async (t) => {
  const { patch, ignored } = patchFromFlags(parse('--cpu-shares', '2', '--kernel-memory', '1m'));
  t.same(patch, { cpu: { shares: 2 } });
  t.same(ignored, ['kernel-memory']);
  t.same(patchFromFlags(parse()).patch, {});
});

t.test('bad values are usage errors naming the flag', async (t) => {
  const bad: [string[], RegExp][] = [
    [['--memory', 'lots'], /--memory: "lots" is not a size/],
    [['--cpu-share', '-5'], /--cpu-share: "-5" is not a non-negative integer/],
    [['--cpu-quota', '1.5'], /--cpu-quota: "1.5" is not an integer/],
    [['--pids-limit', 'ten'], /--pids-limit: "ten" is not an integer/],
    [['--blkio-weight', '5'], /--blkio-weight: 5 is outside 10..1000/],
    [['--l3-cache-schema', 'L3:0=f'], /--l3-cache-schema: Intel RDT is not supported/],
  ];
  for (const [argv, message] of bad) t.throws(() => patchFromFlags(parse(...argv)), { constructor: UsageError, message }, argv.join(' '));
});

t.test('flags given besides --resources are listed', async (t) => {
  t.same(flagsBesidesResources(parse('-r', '-', '--memory', '1m', '--pids-limit', '3')), ['memory', 'pids-limit']);
  t.same(flagsBesidesResources(parse('--resources', 'x.json')), []);
});
