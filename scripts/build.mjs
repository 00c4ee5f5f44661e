// Build the JS side: generate the ajv standalone validators, then bundle
// the CLI into one ESM file (dist/tsrun.mjs). Each command stays a lazily
// evaluated module inside it.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

execFileSync(process.execPath, ['scripts/compile-validators.mjs'], { stdio: 'inherit' });

await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outfile: 'dist/tsrun.mjs',
  minifySyntax: true,
  legalComments: 'none',
  banner: { js: "import { createRequire as __tsrunRequire } from 'node:module'; const require = __tsrunRequire(import.meta.url);" },
  logLevel: 'warning',
});
