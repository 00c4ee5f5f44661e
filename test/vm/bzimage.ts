// Pull the ELF vmlinux out of a bzImage (what the kernel's
// scripts/extract-vmlinux does by scanning for compression magics; here the
// boot header says exactly where the payload is). qemu boots the ELF through
// its PVH entry point, which skips the ~4 s of self-decompression under TCG.
import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';

/** Offset and length of the compressed kernel inside a bzImage (boot protocol ≥ 2.08). */
export function bzImagePayload(image: Buffer): { offset: number; length: number } {
  if (image.length < 0x250 || image.toString('latin1', 0x202, 0x206) !== 'HdrS') {
    throw new Error('not a bzImage: no HdrS boot header at 0x202');
  }
  const setupSects = image[0x1f1] || 4; // 0 means 4, per Documentation/arch/x86/boot.rst
  const protectedModeStart = (setupSects + 1) * 512;
  const offset = protectedModeStart + image.readUInt32LE(0x248);
  const length = image.readUInt32LE(0x24c);
  if (offset + length > image.length) throw new Error('bzImage payload runs past the end of the file');
  return { offset, length };
}

const DECOMPRESSORS: { magic: Buffer; name: string; run: (b: Buffer) => Buffer }[] = [
  { magic: Buffer.from([0x1f, 0x8b]), name: 'gzip', run: (b) => gunzipSync(b) },
  {
    magic: Buffer.from('fd377a585a00', 'hex'),
    name: 'xz',
    run: (b) => execFileSync('xz', ['-dc'], { input: b, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'ignore'] }),
  },
  {
    magic: Buffer.from('28b52ffd', 'hex'),
    name: 'zstd',
    run: (b) => execFileSync('zstd', ['-dc'], { input: b, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'ignore'] }),
  },
];

export function extractVmlinux(image: Buffer): Buffer {
  const { offset, length } = bzImagePayload(image);
  const payload = image.subarray(offset, offset + length);
  const d = DECOMPRESSORS.find((x) => payload.subarray(0, x.magic.length).equals(x.magic));
  if (!d) throw new Error(`bzImage payload compressed with an unknown method (magic ${payload.subarray(0, 6).toString('hex')})`);
  // xz and zstd report trailing bytes (the payload length includes padding) as an error on stderr but still write the kernel; gzip ignores them.
  let elf: Buffer;
  try {
    elf = d.run(payload);
  } catch (err: any) {
    if (!Buffer.isBuffer(err?.stdout) || err.stdout.length === 0) throw err;
    elf = err.stdout;
  }
  if (!elf.subarray(0, 4).equals(Buffer.from('\x7fELF', 'latin1'))) throw new Error(`${d.name} payload did not decompress to an ELF vmlinux`);
  return elf;
}
