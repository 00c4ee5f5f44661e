// The pure parts of the guest image builder: the cpio writer, the bzImage
// header reader and module load order (test/vm/ boots the result for real).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractVmlinux, bzImagePayload } from '../../vm/bzimage.ts';
import { cpioArchive } from '../../vm/cpio.ts';
import { moduleDepends, moduleLoadOrder } from '../../vm/guest-image.ts';
import { gzipSync } from 'node:zlib';

t.test('cpioArchive writes what busybox cpio unpacks', (t) => {
  const archive = cpioArchive([
    { name: 'bin', mode: 0o040755 },
    { name: 'bin/hello', mode: 0o100755, data: Buffer.from('#!/bin/sh\necho hi\n') },
    { name: 'bin/link', mode: 0o120777, data: Buffer.from('hello') },
    { name: 'odd', mode: 0o100644, data: Buffer.from('x') }, // 1 byte: padding after data
  ]);
  t.equal(archive.length % 4, 0, 'records are 4-byte aligned');
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-cpio-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('busybox', ['cpio', '-id'], { cwd: dir, input: archive, stdio: ['pipe', 'ignore', 'ignore'] });
  t.equal(readFileSync(join(dir, 'bin/hello'), 'utf8'), '#!/bin/sh\necho hi\n');
  t.equal(readlinkSync(join(dir, 'bin/link')), 'hello');
  t.equal(readFileSync(join(dir, 'odd'), 'utf8'), 'x');
  t.end();
});

/** A minimal bzImage: boot header with HdrS, setup_sects, payload offset/length, then the payload. */
function fakeBzImage(payload: Buffer, setupSects = 1): Buffer {
  const start = (setupSects + 1) * 512;
  const image = Buffer.alloc(start + 16 + payload.length);
  image[0x1f1] = setupSects;
  image.write('HdrS', 0x202, 'latin1');
  image.writeUInt32LE(16, 0x248);
  image.writeUInt32LE(payload.length, 0x24c);
  payload.copy(image, start + 16);
  return image;
}

t.test('bzImagePayload reads the payload position from the boot header', (t) => {
  const image = fakeBzImage(Buffer.from('payload!'), 3);
  t.same(bzImagePayload(image), { offset: 4 * 512 + 16, length: 8 });
  t.throws(() => bzImagePayload(Buffer.alloc(4096)), /not a bzImage/);
  t.end();
});

t.test('extractVmlinux decompresses a gzip payload and checks it is an ELF', (t) => {
  const elf = Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.alloc(100, 7)]);
  t.same(extractVmlinux(fakeBzImage(gzipSync(elf))), elf);
  t.throws(() => extractVmlinux(fakeBzImage(gzipSync(Buffer.from('not an elf')))), /did not decompress to an ELF/);
  t.throws(() => extractVmlinux(fakeBzImage(Buffer.from('????????'))), /unknown method/);
  t.end();
});

t.test('moduleDepends reads depends= from .modinfo', (t) => {
  t.same(moduleDepends(Buffer.from('\0license=GPL\0depends=virtio,virtio_ring\0vermagic=6.1\0')), ['virtio', 'virtio_ring']);
  t.same(moduleDepends(Buffer.from('\0depends=\0name=x\0')), []);
  t.same(moduleDepends(Buffer.from('no modinfo')), []);
  t.end();
});

t.test('moduleLoadOrder puts each module after its dependencies, once', (t) => {
  const deps: Record<string, string[]> = {
    '9p': ['9pnet', 'fscache', 'netfs'],
    fscache: ['netfs'],
    '9pnet_virtio': ['virtio', '9pnet', 'virtio_ring'],
    virtio: ['virtio_ring'],
  };
  const order = moduleLoadOrder(['9pnet_virtio', '9p'], (m) => deps[m] ?? []);
  t.same(order, ['virtio_ring', 'virtio', '9pnet', '9pnet_virtio', 'netfs', 'fscache', '9p']);
  t.throws(() => moduleLoadOrder(['a'], (m) => (m === 'a' ? ['b'] : ['a'])), /cycle/);
  t.end();
});
