import t from 'tap';
import { MOUNT_ATTR, MOUNT_EXT, MS } from '../../../src/kernel/mount-flags.ts';
import { parseMountOptions } from '../../../src/plan/mount-options.ts';

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

t.test('runc extensions are never filesystem data', async (t) => {
  const p = parseMountOptions(['rbind', 'rro', 'rnosuid', 'tmpcopyup', 'mode=1777']);
  t.same(p.data, ['mode=1777'], 'only the tmpfs option is data');
  t.equal(p.attrSet, MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID);
  t.equal(p.attrClear, 0);
  t.equal(p.extensions, MOUNT_EXT.TMPCOPYUP);
  t.equal(p.flags, MS.BIND | MS.REC, 'no mount(2) flag from the r* options');
});

t.test('recursive options: later wins, atime values clear the atime mask', async (t) => {
  let p = parseMountOptions(['rro', 'rrw']);
  t.equal(p.attrSet & MOUNT_ATTR.RDONLY, 0);
  t.equal(p.attrClear, MOUNT_ATTR.RDONLY);
  p = parseMountOptions(['rrw', 'rro']);
  t.equal(p.attrSet, MOUNT_ATTR.RDONLY);
  t.equal(p.attrClear, 0);
  p = parseMountOptions(['rnoatime']);
  t.equal(p.attrSet, MOUNT_ATTR.NOATIME);
  t.equal(p.attrClear, MOUNT_ATTR.ATIME_MASK);
  p = parseMountOptions(['rnoatime', 'rstrictatime']);
  t.equal(p.attrSet, MOUNT_ATTR.STRICTATIME, 'one atime value at a time');
  t.equal(p.attrClear, MOUNT_ATTR.ATIME_MASK);
});
