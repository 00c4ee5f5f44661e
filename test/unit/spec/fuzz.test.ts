// Fuzz of the config loader and the planner (fast-check, seeded and
// time-bounded): whatever the document, the pipeline that create runs —
// JSON parse, schema, semantic checks, plan(), encodePlan() — either
// succeeds or throws a TsrunError (one clear message), never a TypeError
// or a RangeError, never hangs.
import fc from 'fast-check';
import t from 'tap';
import { TsrunError } from '../../../src/errors.ts';
import { encodePlan } from '../../../src/plan/encode.ts';
import { plan } from '../../../src/plan/plan.ts';
import { locateSyntaxError, parseJson, schemaProblems } from '../../../src/spec/load.ts';
import { semanticProblems } from '../../../src/spec/semantic-checks.ts';
import type { Spec } from '../../../src/spec/types.ts';
import { baseConfig } from '../../helpers/bundle.ts';

const SEED = 20261130;
const TIME_LIMIT_MS = 8000;
const OPTIONS = { bundle: '/b', rootfsParentMount: '/', rootfsParentShared: false, noPivot: false, noNewKeyring: false, preserveFds: 0 };

/** create's pipeline on a parsed document; returns how far it got. */
function pipeline(document: unknown): 'schema' | 'semantic' | 'planned' {
  if (schemaProblems(document).length > 0) return 'schema';
  const spec = document as Spec;
  if (semanticProblems(spec).length > 0) return 'semantic';
  encodePlan(plan(spec, OPTIONS));
  return 'planned';
}

function onlyTsrunErrors(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (err instanceof TsrunError) return true;
    throw err;
  }
}

// Every path to a value in the base config: the places a mutation may hit.
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}
const BASE_PATHS = paths(baseConfig()).filter((p) => p.length > 0);

function mutate(doc: any, path: (string | number)[], value: unknown): any {
  let cur = doc;
  for (const key of path.slice(0, -1)) cur = cur[key];
  cur[path.at(-1)!] = value;
  return doc;
}

const counts: Record<string, number> = {};
const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);

t.test('arbitrary JSON documents', async (t) => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), (doc) => onlyTsrunErrors(() => count(pipeline(doc)))),
    { seed: SEED, numRuns: 3000, interruptAfterTimeLimit: TIME_LIMIT_MS },
  );
  t.pass('no crash');
});

t.test('the base config with some values replaced by anything', async (t) => {
  const leaf = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom('', '/', '..', '../../etc', '/proc/self/fd/3', 'RLIMIT_BOGUS', 'CAP_BOGUS', -1, 2 ** 32, 2 ** 53, 1e308, null, [], {}),
  );
  const mutation = fc.tuple(fc.integer({ min: 0, max: BASE_PATHS.length - 1 }), leaf);
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
      let doc = baseConfig();
      for (const [i, value] of mutations) {
        try {
          doc = mutate(doc, BASE_PATHS[i]!, value);
        } catch {
          // an earlier mutation removed the parent: skip this one
        }
      }
      return onlyTsrunErrors(() => count(pipeline(doc)));
    }),
    { seed: SEED, numRuns: 5000, interruptAfterTimeLimit: TIME_LIMIT_MS },
  );
  t.ok((counts.planned ?? 0) > 0 && (counts.schema ?? 0) > 0, `reached every stage: ${JSON.stringify(counts)}`);
});

t.test('arbitrary text as config.json', async (t) => {
  const text = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .tuple(
        fc.jsonValue().map((v) => JSON.stringify(baseConfig()) + JSON.stringify(v)),
        fc.nat(),
      )
      .map(([s, n]) => s.slice(0, n % (s.length + 1))),
  );
  fc.assert(
    fc.property(text, (s) =>
      onlyTsrunErrors(() => {
        locateSyntaxError(s);
        pipeline(parseJson('/b/config.json', s));
      }),
    ),
    { seed: SEED, numRuns: 3000, interruptAfterTimeLimit: TIME_LIMIT_MS },
  );
  t.pass('no crash');
});

t.test('deep nesting and huge documents end quickly with a clear error', async (t) => {
  const started = Date.now();
  const deep = `{"ociVersion":"1.2.0","annotations":${'['.repeat(100000)}${']'.repeat(100000)}}`;
  t.ok(onlyTsrunErrors(() => pipeline(parseJson('/b/config.json', deep))));
  t.throws(() => parseJson('/b/config.json', '['.repeat(100000)), { name: 'SpecError' });
  t.ok(Date.now() - started < 10_000, 'within 10 s');
});
