// The plan reader (csrc/init/plan-reader.c) and the front door's lifecycle
// reader (csrc/frontdoor/lifecycle.c) under AddressSanitizer and UBSan:
// csrc/test/plan-dump.c built with gcc -fsanitize=address,undefined into a
// temporary directory, then fed random buffers and damaged real plans in one
// `--batch` run (each case in a buffer of exactly its length, so any read
// past its end is a report). Every case must end as a dump or a clean
// refusal, never a sanitizer report or a hang. The cases come from a fixed
// seed (TSRUN_FUZZ_SEED overrides it), printed with any failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { encodePlan, REC, SLOTS } from '../../../src/plan/encode.ts';
import { encodeLifecycle } from '../../../src/plan/lifecycle-record.ts';
import { sampleLifecycle } from '../../helpers/samples.ts';
import { plan } from '../../../src/plan/plan.ts';
import { defaultConfig } from '../../../src/spec/default-config.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const SEED = Number(process.env.TSRUN_FUZZ_SEED ?? 0x7515eed);
const SANITIZE = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-g', '-O1'];
// A leak is no bug in these short-lived readers (the front door exits or execs node).
const ENV = { ...process.env, ASAN_OPTIONS: 'detect_leaks=0:exitcode=86', UBSAN_OPTIONS: 'print_stacktrace=1:exitcode=86' };
const PLAN = 0;
const LIFECYCLE = 1;

interface Case {
  kind: typeof PLAN | typeof LIFECYCLE;
  what: string;
  buf: Buffer;
}

/** mulberry32: small, seedable, good enough to pick bytes and offsets. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

function sanitizerReport(stderr: string): boolean {
  return /ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|SUMMARY: UndefinedBehaviorSanitizer/.test(stderr);
}

function gcc(out: string, sources: string[]): void {
  const r = spawnSync('gcc', ['-std=gnu11', ...SANITIZE, '-Wall', '-Wextra', '-Werror', '-o', out, ...sources], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc ${out}: ${r.error?.message ?? r.stderr}`);
}

function realPlan(): Buffer {
  const spec = defaultConfig({ rootless: false });
  spec.hostname = 'fuzz';
  spec.hooks = { createContainer: [{ path: '/bin/h', args: ['h', '-x'], env: ['A=1'], timeout: 3 }] };
  spec.linux!.sysctl = { 'net.ipv4.ip_forward': '1' };
  spec.linux!.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 }];
  spec.process!.user.additionalGids = [5, 6];
  const options = { bundle: '/b', rootfsParentMount: '/', rootfsParentShared: false, noPivot: false, noNewKeyring: false, preserveFds: 0, containerId: 'c1' };
  return encodePlan(plan(spec, options));
}

function realLifecycle(): Buffer {
  return encodeLifecycle(sampleLifecycle());
}

/** Offsets of the records of an intact plan (after its 24-byte header). */
function recordOffsets(buf: Buffer): number[] {
  const out: number[] = [];
  for (let at = 24; at + 16 <= buf.length; at += buf.readUInt32LE(at + 4)) out.push(at);
  return out;
}

const HUGE32 = [0xffffffff, 0x80000000, 0x7fffffff, 0x1fffffff, 0x10000000, 0xfffffff8, 0x01000000];
const HUGE64 = [0xffffffffffffffffn, 0x8000000000000000n, 0x7fffffffffffffffn, 0xffffffffn, 0x100000000n];

/** Damaged copies of a real plan: flipped bytes, truncations, huge sizes, counts and slots, lost terminators. */
function mutations(rand: () => number, kind: Case['kind'], name: string, good: Buffer, count: number): Case[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const offsets = recordOffsets(good);
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    let buf = Buffer.from(good);
    let what: string;
    const at = pick(offsets);
    switch (i % 7) {
      case 0: {
        const flips = 1 + Math.floor(rand() * 8);
        for (let k = 0; k < flips; k++) {
          const pos = Math.floor(rand() * buf.length);
          buf[pos] = buf[pos]! ^ (1 << Math.floor(rand() * 8));
        }
        what = `${flips} flipped bits`;
        break;
      }
      case 1:
        buf = buf.subarray(0, Math.floor(rand() * buf.length));
        what = `truncated to ${buf.length}`;
        break;
      case 2: {
        const field = pick([4, 8, 12]); // size, num_count, str_count
        const value = pick(HUGE32);
        buf.writeUInt32LE(value, at + field);
        what = `record at ${at}: u32 at +${field} = ${value}`;
        break;
      }
      case 3: {
        const nums = buf.readUInt32LE(at + 8);
        if (nums === 0) {
          buf.writeUInt32LE(pick(HUGE32), 16);
          what = 'header record_count huge';
          break;
        }
        const slot = Math.floor(rand() * nums);
        const value = pick(HUGE64);
        buf.writeBigUInt64LE(value, at + 16 + slot * 8);
        what = `record at ${at}: number ${slot} = ${value}`;
        break;
      }
      case 4: {
        // The record's last bytes (its last string's NUL and the padding) made non-zero.
        const end = at + buf.readUInt32LE(at + 4);
        buf.fill(0x41, Math.max(at + 16, end - 1 - Math.floor(rand() * 8)), end);
        what = `record at ${at}: terminator overwritten`;
        break;
      }
      case 5: {
        const field = pick([8, 12]);
        buf.writeUInt32LE(buf.readUInt32LE(at + field) + 1 + Math.floor(rand() * 3), at + field);
        what = `record at ${at}: u32 at +${field} a little too big`;
        break;
      }
      default: {
        // Random bytes over a random stretch.
        const from = Math.floor(rand() * buf.length);
        const len = 1 + Math.floor(rand() * 32);
        for (let k = from; k < Math.min(buf.length, from + len); k++) buf[k] = Math.floor(rand() * 256);
        what = `${len} random bytes at ${from}`;
      }
    }
    // Half keep the header's size in step, so the record checks (not only the size check) see the damage.
    if (rand() < 0.5 && buf.length >= 24) buf.writeUInt32LE(buf.length, 12);
    cases.push({ kind, what: `${name}: ${what}`, buf });
  }
  return cases;
}

/** The lifecycle hook whose argc and env_count sum back to its string count (2^64 - 1 + 4 + 1 = 4): found by hand, kept here. */
function wrappedHookCounts(good: Buffer): Buffer {
  const buf = Buffer.from(good);
  const at = recordOffsets(buf).find((o) => buf.readUInt32LE(o) === REC.LC_HOOK && buf.readUInt32LE(o + 12) === 4)!;
  buf.writeBigUInt64LE(0xffffffffffffffffn, at + 16 + 8 * SLOTS.LC_HOOK.indexOf('ARGC'));
  buf.writeBigUInt64LE(4n, at + 16 + 8 * SLOTS.LC_HOOK.indexOf('ENV_COUNT'));
  return buf;
}

function randomCases(rand: () => number, count: number): Case[] {
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const buf = Buffer.alloc(Math.floor(rand() * 600));
    for (let k = 0; k < buf.length; k++) buf[k] = Math.floor(rand() * 256);
    // Most get a valid header, so the records behind it are read at all.
    const header = buf.length >= 24 && i % 4 !== 0;
    if (header) {
      buf.write('TSRPLAN\0', 0, 'latin1');
      buf.writeUInt32LE(1, 8);
      buf.writeUInt32LE(buf.length, 12);
      buf.writeUInt32LE(Math.floor(rand() * 6), 16);
    }
    cases.push({ kind: i % 2 ? LIFECYCLE : PLAN, what: `random ${buf.length} bytes${header ? ' behind a valid header' : ''}`, buf });
  }
  return cases;
}

function batchInput(cases: Case[]): Buffer {
  return Buffer.concat(
    cases.flatMap((c) => {
      const head = Buffer.alloc(8);
      head.writeUInt32LE(c.kind, 0);
      head.writeUInt32LE(c.buf.length, 4);
      return [head, c.buf];
    }),
  );
}

// About 7 s (two gcc builds, then ~1000 cases in one process); room for a loaded CI machine.
t.setTimeout(90_000);
const dir = mkdtempSync(join(tmpdir(), 'tsrun-fuzz-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const haveGcc = spawnSync('gcc', ['--version']).status === 0;

t.test('the sanitizers are on: an out-of-bounds read is reported', { skip: !haveGcc && 'no gcc' }, async (t) => {
  const src = join(dir, 'oob.c');
  writeFileSync(src, '#include <stdlib.h>\nint main(int c, char **v) { (void)v; char *p = calloc(4, 1); int r = p[c + 3]; free(p); return r; }\n');
  gcc(join(dir, 'oob'), [src]);
  const r = spawnSync(join(dir, 'oob'), { encoding: 'utf8', env: ENV });
  t.equal(r.status, 86);
  t.ok(sanitizerReport(r.stderr), 'AddressSanitizer report recognized');
});

t.test(`plan reader fuzz under ASan/UBSan (seed ${SEED})`, { skip: !haveGcc && 'no gcc' }, async (t) => {
  const bin = join(dir, 'plan-dump');
  gcc(bin, ['csrc/test/plan-dump.c', 'csrc/init/plan-reader.c', 'csrc/frontdoor/lifecycle.c']);

  const plan = realPlan();
  const lifecycle = realLifecycle();
  // The intact ones through the ordinary modes: accepted, no report.
  const intact = spawnSync(bin, { input: plan, encoding: 'utf8', env: ENV });
  t.equal(intact.status, 0, 'a real plan is accepted');
  t.notOk(sanitizerReport(intact.stderr), intact.stderr);
  writeFileSync(join(dir, 'lifecycle'), lifecycle);
  const lc = spawnSync(bin, ['--lifecycle', dir], { encoding: 'utf8', env: ENV });
  t.equal(lc.status, 0, 'a real lifecycle record is accepted');
  t.notOk(sanitizerReport(lc.stderr), lc.stderr);

  const rand = prng(SEED);
  const cases: Case[] = [
    { kind: PLAN, what: 'the real plan', buf: plan },
    { kind: LIFECYCLE, what: 'the real lifecycle record', buf: lifecycle },
    { kind: PLAN, what: 'empty', buf: Buffer.alloc(0) },
    ...randomCases(rand, 300),
    ...mutations(rand, PLAN, 'plan', plan, 350),
    ...mutations(rand, LIFECYCLE, 'lifecycle', lifecycle, 350),
    { kind: LIFECYCLE, what: 'hook counts that wrap around', buf: wrappedHookCounts(lifecycle) },
    // A launch plan where a lifecycle record is expected and the reverse: the kinds alone tell them apart.
    { kind: LIFECYCLE, what: 'a launch plan as a lifecycle record', buf: plan },
    { kind: PLAN, what: 'a lifecycle record as a plan', buf: lifecycle },
  ];
  const r = spawnSync(bin, ['--batch'], {
    input: batchInput(cases),
    env: ENV,
    encoding: 'utf8',
    stdio: ['pipe', 'ignore', 'pipe'],
    timeout: 30_000,
    maxBuffer: 64 << 20,
  });
  const ran = [...r.stderr.matchAll(/^case (\d+)$/gm)].map((m) => Number(m[1]));
  const results = [...r.stderr.matchAll(/^rc (\d+)$/gm)].map((m) => Number(m[1]));
  if (sanitizerReport(r.stderr) || r.status !== 0 || results.length !== cases.length) {
    // The case that was running: its seed, what was done to it, and its bytes to replay.
    const last = ran.at(-1);
    const culprit = last === undefined ? undefined : cases[last];
    const report = r.stderr
      .split('\n')
      .filter((l) => !/^(case|rc) /.test(l))
      .slice(0, 40)
      .join('\n');
    t.fail(
      `seed ${SEED}: status ${r.status}, signal ${r.signal}${r.error ? `, ${r.error.message}` : ''}; ` +
        (culprit ? `case ${last} (${culprit.kind === PLAN ? 'plan' : 'lifecycle'}, ${culprit.what}), base64 ${culprit.buf.toString('base64')}\n` : '\n') +
        report,
    );
    return;
  }
  t.pass(`${cases.length} cases, no sanitizer report, no hang`);
  t.equal(results[0], 0, 'the real plan dumped');
  t.equal(results[1], 0, 'the real lifecycle record loaded');
  const accepted = results.filter((x) => x === 0).length;
  t.ok(accepted > 2 && accepted < cases.length / 2, `damage is mostly refused, some survives to be dumped (${accepted} of ${cases.length} accepted)`);
  t.ok(
    results.every((x) => x === 0 || x === 1),
    'each case a dump (0) or a clean refusal (1)',
  );
});
