import t from 'tap';
import { checkContainerId } from '../../../src/spec/container-id.ts';

t.test('valid ids', async (t) => {
  for (const id of ['abc-1.2_x', 'a', '0', 'A+b', 'x'.repeat(255)]) t.equal(checkContainerId(id), undefined, id);
});

t.test('invalid ids say why', async (t) => {
  t.equal(checkContainerId(''), 'it is empty');
  t.equal(checkContainerId('x'.repeat(256)), 'it is longer than 255 characters');
  for (const id of ['../x', 'a/b', '.', '..', '/abs']) t.equal(checkContainerId(id), 'it must not be "." or ".." or contain "/"', id);
  for (const id of ['-a', '_a', '.hidden', 'a b', 'a:b', 'ä', 'a\0']) {
    t.equal(checkContainerId(id), 'it must start with a letter or digit and use only letters, digits and _ . + -', JSON.stringify(id));
  }
});
