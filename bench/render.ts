// Re-render bench.md and bench.svg from an existing bench.json:
//   node --import tsx bench/render.ts [DIR]   (default bench/results)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeTargets, renderMarkdown } from './lib/report.ts';
import { renderSvg } from './lib/svg.ts';
import type { BenchJson } from './lib/types.ts';

const dir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'results'));
const json = JSON.parse(readFileSync(join(dir, 'bench.json'), 'utf8')) as BenchJson;
json.targets = computeTargets(json);
writeFileSync(join(dir, 'bench.md'), renderMarkdown(json));
writeFileSync(join(dir, 'bench.svg'), renderSvg(json));
process.stderr.write(`re-rendered ${join(dir, 'bench.md')} and bench.svg\n`);
