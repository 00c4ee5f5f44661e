// A mount's options → mount(2) flags. Unknown options become the data
// string, as runc and crun do (e.g. "mode=755", "size=65536k"). runc's own
// extensions are never data: the recursive "r*" options become
// mount_setattr(2) attributes, "tmpcopyup" an extension flag, and idmap/ridmap
// are planned by idmap.ts. The name tables are in kernel/mount-flags.ts.
import { EXTENSION_OPTIONS, MOUNT_OPTIONS, PROPAGATION_OPTIONS, RECURSIVE_OPTIONS } from '../kernel/mount-flags.ts';

export interface ParsedOptions {
  flags: number;
  propagation: number;
  data: string[];
  /** MOUNT_ATTR_* to set and clear recursively after mounting (0, 0: none). */
  attrSet: number;
  attrClear: number;
  extensions: number;
}

export function parseMountOptions(options: readonly string[]): ParsedOptions {
  let flags = 0;
  let propagation = 0;
  let attrSet = 0;
  let attrClear = 0;
  let extensions = 0;
  const data: string[] = [];
  for (const option of options) {
    const flag = MOUNT_OPTIONS[option];
    const prop = PROPAGATION_OPTIONS[option];
    const rec = RECURSIVE_OPTIONS[option];
    const ext = EXTENSION_OPTIONS[option];
    if (flag) {
      flags = (flags | (flag.set ?? 0)) & ~(flag.clear ?? 0);
    } else if (prop !== undefined) {
      propagation |= prop;
    } else if (rec) {
      // later options win, as for the plain flags
      attrSet = (attrSet & ~(rec.clear ?? 0) & ~(rec.set ?? 0)) | (rec.set ?? 0);
      attrClear = (attrClear & ~(rec.set ?? 0)) | (rec.clear ?? 0);
    } else if (ext !== undefined) {
      extensions |= ext;
    } else {
      data.push(option);
    }
  }
  return { flags, propagation, data, attrSet, attrClear, extensions };
}
