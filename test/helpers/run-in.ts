// Run a shell script in a fresh container (`tsrun run`, foreground) and
// return what it printed.
import { makeBundle, type Bundle, type TestLike } from './bundle.ts';
import type { Result, Tsrun } from './tsrun.ts';

export function runScript(t: TestLike, tsrun: Tsrun, script: string, patch?: (config: any, bundle: Bundle) => void): Result {
  const bundle = makeBundle(t, (c, b) => {
    c.process.args = ['sh', '-c', script];
    patch?.(c, b);
  });
  return tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
}
