import t from 'tap';
import { RLIMITS, rlimitResource } from '../../../src/kernel/rlimits.ts';

t.test('RLIMIT_* numbers on x86_64 Linux', async (t) => {
  t.same(RLIMITS, {
    RLIMIT_CPU: 0,
    RLIMIT_FSIZE: 1,
    RLIMIT_DATA: 2,
    RLIMIT_STACK: 3,
    RLIMIT_CORE: 4,
    RLIMIT_RSS: 5,
    RLIMIT_NPROC: 6,
    RLIMIT_NOFILE: 7,
    RLIMIT_MEMLOCK: 8,
    RLIMIT_AS: 9,
    RLIMIT_LOCKS: 10,
    RLIMIT_SIGPENDING: 11,
    RLIMIT_MSGQUEUE: 12,
    RLIMIT_NICE: 13,
    RLIMIT_RTPRIO: 14,
    RLIMIT_RTTIME: 15,
  });
});

t.test('rlimitResource', async (t) => {
  t.equal(rlimitResource('RLIMIT_NOFILE'), 7);
  t.equal(rlimitResource('RLIMIT_CPU'), 0);
  t.equal(rlimitResource('RLIMIT_FOO'), undefined);
  t.equal(rlimitResource('constructor'), undefined);
});
