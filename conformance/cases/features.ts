// features.md: the features document, for runtimes that implement the
// `features` command (a runtime MAY provide it; one that does not is a skip).
import { expectTrue, fail, skip, type Case } from '../lib/case.ts';
import type { Ctx } from '../lib/context.ts';
import { exec } from '../lib/exec.ts';

const S = 'features.md' as const;

/** The raw `features` output parsed; skips when the command is missing. */
async function featuresDoc(ctx: Ctx): Promise<Record<string, any>> {
  const r = await exec(ctx.opts.runtime, [...ctx.opts.runtimeArgs, 'features'], { timeoutMs: ctx.opts.timeoutMs });
  if (r.code !== 0 || r.timedOut) skip(`runtime has no features command (${r.summary.slice(0, 200)}); features.md: a runtime MAY provide the document`);
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch (e) {
    fail(`\`features\` printed something that is not JSON (${(e as Error).message}): ${JSON.stringify(r.stdout.slice(0, 200))}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) fail(`the features document is not a JSON object: ${JSON.stringify(doc).slice(0, 200)}`);
  return doc as Record<string, any>;
}

/** Orders two semver strings (major.minor.patch[-pre]); a pre-release sorts before its release. */
export function compareSemver(a: string, b: string): number {
  const parse = (v: string): { nums: number[]; pre: string } | undefined => {
    const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v);
    return m ? { nums: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ?? '' } : undefined;
  };
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return NaN;
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return x.nums[i]! - y.nums[i]!;
  if (x.pre === y.pre) return 0;
  if (!x.pre) return 1;
  if (!y.pre) return -1;
  return x.pre < y.pre ? -1 : 1;
}

export const featureCases: Case[] = [
  {
    id: 'features-oci-version',
    spec: S,
    section: 'specification-version',
    level: 'REQUIRED',
    requirement:
      'ociVersionMin (string, REQUIRED), ociVersionMax (string, REQUIRED): the minimum and maximum recognized versions of the spec. The value (of ociVersionMax) MUST NOT be less than the value of the ociVersionMin property.',
    async run(ctx) {
      const doc = await featuresDoc(ctx);
      const { ociVersionMin: min, ociVersionMax: max } = doc;
      expectTrue(
        typeof min === 'string' && typeof max === 'string',
        `ociVersionMin ${JSON.stringify(min)}, ociVersionMax ${JSON.stringify(max)}: both are REQUIRED strings`,
      );
      const c = compareSemver(max, min);
      expectTrue(!Number.isNaN(c), `ociVersionMin ${min} / ociVersionMax ${max} are not SemVer 2.0.0 versions`);
      expectTrue(c >= 0, `ociVersionMax ${max} is less than ociVersionMin ${min}`);
      return `${min} .. ${max}`;
    },
  },
  {
    id: 'features-oci-version-accepted',
    spec: S,
    section: 'specification-version',
    level: 'MUST',
    requirement: 'ociVersionMin / ociVersionMax: The runtime MUST accept this value as the ociVersion property of config.json.',
    async run(ctx) {
      const doc = await featuresDoc(ctx);
      const bad: string[] = [];
      for (const [k, v] of [
        ['ociVersionMin', doc.ociVersionMin],
        ['ociVersionMax', doc.ociVersionMax],
      ] as const) {
        if (typeof v !== 'string') fail(`${k} is not a string: ${JSON.stringify(v)}`);
        ctx.config.ociVersion = v;
        const id = ctx.newId();
        const c = await ctx.create({ id });
        if (c.code !== 0 || c.timedOut) bad.push(`ociVersion ${v} (${k}) refused: ${c.summary.slice(-200)}`);
        else ctx.must(await ctx.delete(id, true), 'delete --force');
      }
      if (bad.length) fail(bad.join('; '));
    },
  },
  {
    id: 'features-annotations',
    spec: S,
    section: 'annotations',
    level: 'MUST',
    requirement:
      'annotations (object, OPTIONAL) contains arbitrary metadata of the runtime. Annotations MUST be a key-value map that follows the same convention as the Key and Values of the annotations property of config.json.',
    async run(ctx) {
      const doc = await featuresDoc(ctx);
      const a = doc.annotations;
      if (a === undefined || a === null) return 'no annotations in the document';
      expectTrue(typeof a === 'object' && !Array.isArray(a), `annotations is not an object: ${JSON.stringify(a).slice(0, 200)}`);
      const bad = Object.entries(a as Record<string, unknown>).filter(([k, v]) => k === '' || typeof v !== 'string');
      expectTrue(bad.length === 0, `annotations with an empty key or a non-string value: ${JSON.stringify(bad).slice(0, 300)}`);
    },
  },
  {
    id: 'features-string-arrays',
    spec: S,
    section: 'features',
    level: 'MUST',
    requirement:
      'hooks (array of strings, OPTIONAL) the recognized names of the hooks; mountOptions (array of strings, OPTIONAL) the recognized names of the mount options. All properties except ociVersionMin and ociVersionMax MAY either be absent or have the null value.',
    async run(ctx) {
      const doc = await featuresDoc(ctx);
      const bad: string[] = [];
      for (const k of ['hooks', 'mountOptions']) {
        const v = doc[k];
        if (v === undefined || v === null) continue;
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) bad.push(`${k}: ${JSON.stringify(v).slice(0, 120)}`);
      }
      const known = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];
      const unknownHooks = Array.isArray(doc.hooks) ? (doc.hooks as unknown[]).filter((h) => !known.includes(h as string)) : [];
      if (unknownHooks.length) bad.push(`hooks not defined by config.md: ${JSON.stringify(unknownHooks)}`);
      if (bad.length) fail(bad.join('; '));
    },
  },
];
