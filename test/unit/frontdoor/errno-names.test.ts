// The front door words an errno as src/errors.ts errnoText() does, from a
// table generated out of this node's getSystemErrorMap(): it must be current.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import t from 'tap';
// @ts-expect-error: a plain .mjs build script without types
import { errnoHeader } from '../../../scripts/gen-errno-names.mjs';
import { errnoText } from '../../../src/errors.ts';

t.test('csrc/frontdoor/errno-names.h is what scripts/gen-errno-names.mjs writes now', async (t) => {
  const file = resolve(import.meta.dirname, '../../../csrc/frontdoor/errno-names.h');
  t.equal(readFileSync(file, 'utf8'), errnoHeader(), 'rerun node scripts/gen-errno-names.mjs');
  t.match(readFileSync(file, 'utf8'), `{2, ${JSON.stringify(errnoText(2))}}`);
});
