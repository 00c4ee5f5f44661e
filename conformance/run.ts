// npm run conformance -- --runtime PATH [--runtime-args "..."] [--only PATTERN]
//                        [--report FILE] [--jobs N] [--skip AREA,...] [--timeout S]
// Runs every case against a runc-compatible binary, prints TAP, writes the
// report (FILE.md and FILE.json) and exits non-zero when a requirement fails.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Fail, Skip, type Case, type Result } from './lib/case.ts';
import { Ctx, ownCgroups, snapshotDevices, type RunnerOptions } from './lib/context.ts';
import { exec } from './lib/exec.ts';
import { detectHost, makeTemplate, readFeatures } from './lib/host.ts';
import { machineLine, writeReports } from './lib/report.ts';
import { allCases } from './cases/index.ts';

const USAGE = `usage: npm run conformance -- --runtime PATH [--runtime-args "ARGS"] [--only PATTERN]
         [--report FILE] [--jobs N] [--skip AREA,...] [--timeout SECONDS] [--allow-root-cgroups] [--oci-version V] [--accept FILE] [--list]
  AREA: terminal, seccomp, userns, cgroups, hooks, timens, personality
  env: CONFORMANCE_SKIP=AREA,... adds to --skip`;

interface Args {
  runtime: string;
  runtimeArgs: string[];
  only: RegExp | undefined;
  report: string | undefined;
  jobs: number;
  skip: Set<string>;
  timeoutS: number;
  allowRootCgroups: boolean;
  list: boolean;
  ociVersion: string;
  /** Requirement id → why the runtime deliberately diverges (--accept FILE). */
  accepted: Map<string, string>;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    runtime: process.env.RUNTIME ?? '',
    runtimeArgs: [],
    only: undefined,
    report: undefined,
    jobs: 2,
    skip: new Set((process.env.CONFORMANCE_SKIP ?? '').split(',').filter(Boolean)),
    timeoutS: 10,
    allowRootCgroups: false,
    list: false,
    ociVersion: '1.2.0',
    accepted: new Map(),
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = (): string => {
      const val = argv[++i];
      if (val === undefined) throw new Error(`${k} needs a value\n${USAGE}`);
      return val;
    };
    if (k === '--runtime') a.runtime = v();
    else if (k === '--runtime-args') a.runtimeArgs = v().split(/\s+/).filter(Boolean);
    else if (k === '--only') a.only = new RegExp(v());
    else if (k === '--report') a.report = v();
    else if (k === '--jobs') a.jobs = Math.max(1, Number(v()));
    else if (k === '--skip') for (const s of v().split(',')) a.skip.add(s);
    else if (k === '--timeout') a.timeoutS = Number(v());
    else if (k === '--allow-root-cgroups') a.allowRootCgroups = true;
    else if (k === '--list') a.list = true;
    else if (k === '--oci-version') a.ociVersion = v();
    else if (k === '--accept') {
      const file = v();
      for (const [id, why] of Object.entries(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>)) a.accepted.set(id, why);
    } else if (k === '--help' || k === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${k}\n${USAGE}`);
  }
  return a;
}

async function resolveRuntime(p: string): Promise<string> {
  if (p.includes('/')) return path.resolve(p);
  const r = await exec('sh', ['-c', `command -v "${p}"`]);
  return r.stdout.trim() || p;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const cases = allCases().filter((c) => !args.only || args.only.test(c.id) || args.only.test(c.section));
  if (args.list) {
    for (const c of cases) console.log(`${c.id}\t${c.spec}#${c.section}\t${c.level}\t${c.requirement}`);
    return 0;
  }
  if (!args.runtime) throw new Error(`--runtime is required\n${USAGE}`);
  if (process.getuid?.() !== 0) throw new Error('the conformance suite runs containers as root; run it as root');
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const runtime = await resolveRuntime(args.runtime);
  const host = await detectHost(repo);
  const features = await readFeatures(runtime, args.runtimeArgs);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-conformance-'));
  fs.chmodSync(workDir, 0o755);
  const template = makeTemplate(workDir, host);
  const version = await exec(runtime, [...args.runtimeArgs, '--version']);
  const opts: RunnerOptions = {
    runtime,
    runtimeArgs: args.runtimeArgs,
    host,
    features,
    template,
    workDir,
    skipAreas: args.skip,
    allowRootCgroups: args.allowRootCgroups,
    timeoutMs: args.timeoutS * 1000,
    ociVersion: args.ociVersion,
    hostDevices: snapshotDevices(),
  };
  // A distinctive oom_score_adj for the runtime to inherit, so a runtime that
  // resets it when the config has no oomScoreAdj is caught (raising is allowed).
  try {
    fs.writeFileSync('/proc/self/oom_score_adj', '7');
  } catch {
    // keep the inherited value; the case compares against whatever it is
  }
  const t0 = Date.now();
  console.log('TAP version 14');
  console.log(`1..${cases.length}`);
  console.log(`# runtime ${runtime} ${args.runtimeArgs.join(' ')}`);
  console.log(`# config.json ociVersion ${args.ociVersion}`);
  console.log(`# features ${features ? 'from `features`' : 'not reported by the runtime (all assumed)'}`);
  const results: Result[] = new Array(cases.length);
  const leaksAll: string[] = [];
  let next = 0;
  let printed = 0;
  const flush = (): void => {
    while (printed < cases.length && results[printed]) {
      const r = results[printed]!;
      const n = printed + 1;
      const name = `${r.id} (${r.spec}#${r.section})`;
      if (r.status === 'pass') console.log(`ok ${n} - ${name}${r.detail ? ` # ${r.detail}` : ''}`);
      else if (r.status === 'skip') console.log(`ok ${n} - ${name} # SKIP ${r.detail}`);
      else if (args.accepted.has(r.id)) {
        // A deliberate, documented divergence: still reported as a failure
        // (TAP TODO), not counted against the exit status.
        console.log(`not ok ${n} - ${name} # TODO accepted divergence: ${args.accepted.get(r.id)}`);
        console.log(`  ---\n  detail: ${JSON.stringify(r.detail)}\n  ...`);
      } else {
        console.log(`not ok ${n} - ${name}`);
        console.log(`  ---\n  detail: ${JSON.stringify(r.detail)}\n  ...`);
      }
      printed++;
    }
  };
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= cases.length) return;
      const c = cases[i]!;
      results[i] = await runCase(c, opts, leaksAll);
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.jobs, cases.length) }, worker));
  flush();
  for (const [mnt, own] of ownCgroups(host)) {
    for (const p of [path.join(mnt, own, 'tsrun-conformance'), path.join(mnt, 'tsrun-conformance')]) {
      try {
        fs.rmdirSync(p);
      } catch {
        // absent, or not empty: then a case reported the leak
      }
    }
  }
  fs.rmSync(workDir, { recursive: true, force: true });
  for (const l of leaksAll) console.log(`# cleanup: ${l}`);
  const pass = results.filter((r) => r.status === 'pass').length;
  const accepted = results.filter((r) => r.status === 'fail' && args.accepted.has(r.id));
  const failed = results.filter((r) => r.status === 'fail').length - accepted.length;
  for (const r of results) {
    if (r.status === 'pass' && args.accepted.has(r.id)) console.log(`# accepted divergence ${r.id} now passes: remove it from the --accept file`);
  }
  const skipped = results.filter((r) => r.status === 'skip').length;
  if (args.report) {
    const cg = [
      host.cgroupV1.size ? `v1 (${[...host.cgroupV1.keys()].join(', ')})` : '',
      host.cgroupV2 ? `v2 at ${host.cgroupV2.mount} (${host.cgroupV2.controllers.join(', ') || 'no controllers'})` : '',
    ]
      .filter(Boolean)
      .join(' + ');
    writeReports(
      args.report,
      {
        runtime: args.runtime,
        runtimeArgs: args.runtimeArgs,
        version: version.stdout.trim() || version.summary,
        date: new Date().toISOString().slice(0, 10),
        machine: machineLine(),
        cgroups: cg,
        ociVersion: args.ociVersion,
        durationS: (Date.now() - t0) / 1000,
      },
      cases,
      results,
    );
  }
  if (accepted.length) console.log(`# ${accepted.length} accepted divergence(s), reported as failures above: ${accepted.map((r) => r.id).join(', ')}`);
  console.log(`${pass} passed, ${failed} failed, ${skipped} skipped`);
  return failed ? 1 : 0;
}

async function runCase(c: Case, opts: RunnerOptions, leaksAll: string[]): Promise<Result> {
  const base = { id: c.id, spec: c.spec, section: c.section, requirement: c.requirement };
  if (c.area && opts.skipAreas.has(c.area)) {
    return { ...base, status: 'skip', detail: `area "${c.area}" skipped by --skip/CONFORMANCE_SKIP` };
  }
  let ctx: Ctx | undefined;
  let result: Result;
  try {
    ctx = new Ctx(opts, c.id);
    const note = await c.run(ctx);
    result = { ...base, status: 'pass', detail: note ?? '' };
  } catch (e) {
    if (e instanceof Skip) result = { ...base, status: 'skip', detail: e.message };
    else if (e instanceof Fail) result = { ...base, status: 'fail', detail: e.message };
    else result = { ...base, status: 'fail', detail: `suite error: ${(e as Error).stack ?? String(e)}` };
  }
  if (ctx) {
    try {
      const leaks = await ctx.cleanup();
      for (const l of leaks) leaksAll.push(`${c.id}: ${l}`);
    } catch (e) {
      leaksAll.push(`${c.id}: cleanup error ${(e as Error).message}`);
    }
  }
  return result;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error((e as Error).message);
    process.exit(2);
  },
);
