// Build the JS side: generate the ajv standalone validators, then bundle
// the CLI as CommonJS: dist/tsrun.cjs (the entry: global flags, errors,
// dispatch) and one bundle per command, dist/commands/<name>.cjs, loaded
// only when that command runs, with a V8 code cache. See docs/design.md, start-up budget: the code
// node must parse is most of what a call costs beyond node's own start, and
// `state` needs none of the validators, planner or launcher.
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
  // import.meta does not exist in CommonJS: give it this file's URL.
  define: { 'import.meta.url': '__tsrunFileUrl' },
  banner: { js: "const __tsrunFileUrl = require('node:url').pathToFileURL(__filename).href;" },
};

/**
 * The entry's imports of command modules become loads of their bundles
 * through src/cli/load-command.ts (a V8 code cache per bundle).
 */
const splitCommands = {
  name: 'split-commands',
  setup(b) {
    b.onResolve({ filter: /^\.\/cli\/commands\/[a-z-]+\.ts$/ }, (args) => ({
      path: args.path.slice('./cli/commands/'.length, -3),
      namespace: 'command-bundle',
    }));
    b.onLoad({ filter: /.*/, namespace: 'command-bundle' }, (args) => ({
      contents: `import { loadBundledCommand } from './load-command.ts';\nconst m = loadBundledCommand(${JSON.stringify(args.path)});\nexport default m.default;\nexport const HELP = m.HELP;\n`,
      resolveDir: `${process.cwd()}/src/cli`,
      loader: 'ts',
    }));
  },
};

const commands = readdirSync('src/cli/commands').filter((f) => f.endsWith('.ts'));
rmSync('dist', { recursive: true, force: true });
await build({ ...common, entryPoints: ['src/cli-entry.ts'], outfile: 'dist/tsrun.cjs', plugins: [splitCommands] });
await build({ ...common, entryPoints: commands.map((f) => `src/cli/commands/${f}`), outdir: 'dist/commands', outExtension: { '.js': '.cjs' } });
