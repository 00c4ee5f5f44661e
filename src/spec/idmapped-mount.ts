// config.md (1.2): a mount is id-mapped when it has uidMappings or
// gidMappings of its own, or the idmap/ridmap option. The semantic checks
// hold such a mount to its rules; plan/idmap.ts plans it.
import { IDMAP_OPTIONS } from '../kernel/mount-flags.ts';
import type { Mount } from './types.ts';

export function isIdmapped(m: Mount): boolean {
  return Boolean(m.uidMappings?.length || m.gidMappings?.length || (m.options ?? []).some((o) => IDMAP_OPTIONS.has(o)));
}
