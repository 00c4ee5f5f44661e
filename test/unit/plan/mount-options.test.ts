import t from 'tap';
import { MS, parseMountOptions } from '../../../src/plan/mount-options.ts';

t.test('flags, propagation and data', async (t) => {
  const p = parseMountOptions(['nosuid', 'noexec', 'nodev', 'ro', 'rslave', 'mode=755', 'size=65536k']);
  t.equal(p.flags, MS.NOSUID | MS.NOEXEC | MS.NODEV | MS.RDONLY);
  t.equal(p.propagation, MS.SLAVE | MS.REC);
  t.same(p.data, ['mode=755', 'size=65536k']);
});

t.test('later options win: ro then rw is rw', async (t) => {
  t.equal(parseMountOptions(['ro', 'rw']).flags & MS.RDONLY, 0);
  t.equal(parseMountOptions(['rbind']).flags, MS.BIND | MS.REC);
  t.equal(parseMountOptions(['defaults']).flags, 0);
});
