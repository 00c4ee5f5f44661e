// A newc ("070701") cpio writer: the initramfs format the kernel unpacks.
// Written here so building the guest image needs no cpio tool on the host.

export interface CpioEntry {
  name: string; // path inside the archive, no leading slash
  mode: number; // file type and permission bits (0o100755, 0o040755, 0o120777)
  data?: Buffer; // file content, or the link target of a symlink
}

const S_IFDIR = 0o040000;

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function header(ino: number, mode: number, nlink: number, size: number, nameSize: number): string {
  const field = (n: number) => n.toString(16).padStart(8, '0');
  // magic ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
  return '070701' + [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, nameSize, 0].map(field).join('');
}

function record(ino: number, name: string, mode: number, data: Buffer): Buffer {
  const nameBuf = Buffer.from(name + '\0');
  const nlink = (mode & 0o170000) === S_IFDIR ? 2 : 1;
  const head = Buffer.from(header(ino, mode, nlink, data.length, nameBuf.length));
  const headLen = head.length + nameBuf.length;
  return Buffer.concat([head, nameBuf, Buffer.alloc(pad4(headLen)), data, Buffer.alloc(pad4(data.length))]);
}

/** The archive: each entry in order (parents first), then the TRAILER!!! record. */
export function cpioArchive(entries: CpioEntry[]): Buffer {
  const parts = entries.map((e, i) => record(i + 1, e.name, e.mode, e.data ?? Buffer.alloc(0)));
  parts.push(record(0, 'TRAILER!!!', 0, Buffer.alloc(0)));
  return Buffer.concat(parts);
}
