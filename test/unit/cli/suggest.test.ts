import t from 'tap';
import { closest, didYouMean, editDistance } from '../../../src/cli/suggest.ts';

const COMMANDS = ['create', 'start', 'run', 'exec', 'state', 'kill', 'delete', 'list', 'pause', 'resume', 'spec', 'features', 'update', 'events', 'ps', 'help'];

t.test('edit distance counts inserts, deletes, substitutions and adjacent swaps as one', async (t) => {
  t.equal(editDistance('create', 'create'), 0);
  t.equal(editDistance('crate', 'create'), 1, 'a letter left out');
  t.equal(editDistance('bundel', 'bundle'), 1, 'two letters swapped');
  t.equal(editDistance('kil', 'kill'), 1);
  t.equal(editDistance('stat', 'start'), 1);
  t.equal(editDistance('', 'abc'), 3);
  t.equal(editDistance('abc', ''), 3);
  t.equal(editDistance('kitten', 'sitting'), 3);
});

t.test('the closest command is offered only when it is close', async (t) => {
  t.equal(closest('crate', COMMANDS), 'create');
  t.equal(closest('delet', COMMANDS), 'delete');
  t.equal(closest('exce', COMMANDS), 'exec');
  t.equal(closest('upadte', COMMANDS), 'update');
  t.equal(closest('frobnicate', COMMANDS), undefined);
  t.equal(closest('x', COMMANDS), undefined, 'a one-letter word is a guess too far');
  t.equal(closest('pz', COMMANDS), 'ps', 'a short word allows one edit');
});

t.test('didYouMean formats the guess, or nothing', async (t) => {
  t.equal(didYouMean('crate', COMMANDS), ' (did you mean create?)');
  t.equal(didYouMean('bundel', ['bundle', 'pid-file'], '--'), ' (did you mean --bundle?)');
  t.equal(didYouMean('zzzzzz', COMMANDS), '');
});
