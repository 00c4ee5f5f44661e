// instanceof across bundles: scripts/build.mjs gives every command a bundle
// of its own, each with its own copy of src/errors.ts. These tests bundle
// the same way (esbuild, CommonJS) and load the copies side by side.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import t from 'tap';
import { HelpRequested } from '../../src/cli/args.ts';
import { Reporter } from '../../src/cli/report.ts';
import * as here from '../../src/errors.ts';
import { captureStderr } from '../helpers/stderr.ts';

const require = createRequire(import.meta.url);

async function bundle(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minifySyntax: true,
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** Two module instances of src/errors.ts, as two command bundles hold them. */
async function twoCopies(dir: string): Promise<[typeof here, typeof here]> {
  const code = await bundle('src/errors.ts');
  writeFileSync(join(dir, 'a.cjs'), code);
  writeFileSync(join(dir, 'b.cjs'), code);
  return [require(join(dir, 'a.cjs')), require(join(dir, 'b.cjs'))];
}

t.test("an error made by one bundle's class is an instance of the other bundle's", async (t) => {
  const [a, b] = await twoCopies(t.testdir({}));
  t.not(a.StateError, b.StateError, 'two distinct classes');
  const e = new a.StateError('c1', 'not-found', 'container c1 does not exist');
  t.ok(e instanceof b.StateError);
  t.ok(e instanceof b.TsrunError, 'and of its base class');
  t.ok(e instanceof here.StateError, 'and of the tsx-loaded one');
  t.notOk(e instanceof b.CgroupError, 'not of a sibling class');
  t.notOk(e instanceof b.SpecError);
  t.equal((e as here.StateError).reason, 'not-found', 'the fields come along');
  const spec = new b.SpecError('/b/config.json', [{ pointer: '/process', reason: 'x' }]);
  t.ok(spec instanceof a.SpecError && spec instanceof a.TsrunError && !(spec instanceof a.StateError));
  t.ok(new a.UsageError('u') instanceof b.UsageError);
  t.ok(new a.InitError('exec', 2, 'x') instanceof b.InitError);
  t.ok(new a.HookError('prestart[0]', '/x', 'x') instanceof b.HookError);
  t.ok(new a.SystemError('x') instanceof b.SystemError);
  t.ok(new a.CgroupError('/x', 'x') instanceof b.CgroupError);
});

t.test("every error class has a mark of its own (else it shares its parent's)", async (t) => {
  const classes = Object.entries(here).filter(([, v]) => typeof v === 'function' && v.prototype instanceof Error);
  t.ok(classes.length >= 8);
  for (const [name, cls] of [...classes, ['HelpRequested', HelpRequested] as const]) {
    t.ok(Object.getOwnPropertySymbols(cls).includes(Symbol.for('tsrun.error.mark')), name);
  }
});

t.test('values that are not tsrun errors are not instances', async (t) => {
  const [a] = await twoCopies(t.testdir({}));
  for (const v of [new Error('plain'), Object.assign(new Error('named'), { name: 'StateError' }), null, undefined, 'StateError', 42, {}]) {
    t.notOk(v instanceof a.StateError, String(v));
    t.notOk(v instanceof a.TsrunError, String(v));
  }
  class Unmarked extends a.TsrunError {}
  t.notOk(new a.StateError('c', 'exists', 'x') instanceof Unmarked, 'a subclass without a mark of its own falls back to the prototype chain');
  t.ok(new Unmarked('x') instanceof Unmarked);
  t.ok(new Unmarked('x') instanceof a.TsrunError);
});

t.test('a command bundle: its StateError and HelpRequested are recognised by the entry side', async (t) => {
  const dir = t.testdir({});
  writeFileSync(join(dir, 'state.cjs'), await bundle('src/cli/commands/state.ts'));
  const command = require(join(dir, 'state.cjs')) as { default: (argv: string[], g: { root: string }) => Promise<number> };
  const root = t.testdir({});
  let err: unknown;
  await command.default(['nope'], { root }).catch((e: unknown) => (err = e));
  t.ok(err instanceof here.StateError, 'instanceof the entry copy of StateError');
  t.equal((err as here.StateError).reason, 'not-found');
  t.equal((err as here.StateError).id, 'nope');
  err = undefined;
  await command.default(['--help'], { root }).catch((e: unknown) => (err = e));
  t.ok(err instanceof HelpRequested, "instanceof the entry's HelpRequested");
  // The reporter (entry side) prints another copy's errors as tsrun errors.
  writeFileSync(join(dir, 'errors.cjs'), await bundle('src/errors.ts'));
  const other = require(join(dir, 'errors.cjs')) as typeof here;
  const quiet = { logFormat: 'text' as const, debug: false };
  const lines = await captureStderr(() => {
    new Reporter(quiet, 'state').error(new other.StateError('c1', 'not-found', 'container c1 does not exist', { cause: new Error('why') }));
    new Reporter(quiet, 'create').error(new other.SpecError('/b/config.json', [{ pointer: '/process', reason: 'x' }]));
  });
  t.same(
    lines,
    ['tsrun: state: container c1 does not exist: why', 'tsrun: create: /b/config.json: /process: x'],
    'the cause and the file, as for its own errors',
  );
});
