// Build the JS side: generate the ajv standalone validators, then bundle
// the CLI as CommonJS: dist/tsrun.cjs (the entry: global flags, errors,
// dispatch, help) and one bundle per command, dist/commands/<name>.cjs,
// required only when that command runs. Why each step, with the figures:
// docs/ARCHITECTURE.md, "Build chain and start-up".
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

execFileSync(process.execPath, ['scripts/compile-validators.mjs'], { stdio: 'inherit' });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  // import() of a command bundle becomes require(): no ESM loader at run time.
  supported: { 'dynamic-import': false },
  // import.meta does not exist in CommonJS: its dirname and filename are
  // CommonJS's own. (No import.meta.url: building a file URL and turning it
  // back into a path initialises node's URL parser, ~2 ms of every call.)
  define: { 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' },
};

/**
 * The entry's import() of a command module becomes a require() of that
 * command's bundle. Re-exporting default and HELP (rather than handing
 * over module.exports) keeps the run function at .default, as under tsx:
 * a CommonJS module given to import() would put it at .default.default.
 */
const splitCommands = {
  name: 'split-commands',
  setup(b) {
    b.onResolve({ filter: /^\.\/cli\/commands\/[a-z-]+\.ts$/ }, (args) => ({
      path: args.path.slice('./cli/commands/'.length, -3),
      namespace: 'command-bundle',
    }));
    b.onLoad({ filter: /.*/, namespace: 'command-bundle' }, (args) => ({
      contents: `const m = require(__dirname + ${JSON.stringify(`/commands/${args.path}.cjs`)});\nexport default m.default;\nexport const HELP = m.HELP;\n`,
      loader: 'js',
    }));
  },
};

const commands = readdirSync('src/cli/commands').filter((f) => f.endsWith('.ts'));
rmSync('dist', { recursive: true, force: true });
await build({ ...common, entryPoints: ['src/cli-entry.ts'], outfile: 'dist/tsrun.cjs', plugins: [splitCommands] });
await build({ ...common, entryPoints: commands.map((f) => `src/cli/commands/${f}`), outdir: 'dist/commands', outExtension: { '.js': '.cjs' } });
