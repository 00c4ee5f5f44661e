// Which Linux security modules this host enforces, read from securityfs,
// selinuxfs and procfs. spec/lsm-checks.ts refuses labels for the others;
// plan/lsm.ts picks the attr file the init writes.
import { existsSync, readFileSync } from 'node:fs';

export interface HostLsm {
  apparmor: boolean;
  selinux: boolean;
  /** Kernels since 5.8 have a per-LSM attr/apparmor/ directory; older ones only attr/exec. */
  apparmorAttrDir: boolean;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** runc's tests: AppArmor's securityfs directory and its module parameter; SELinux's selinuxfs. */
export function readHostLsm(): HostLsm {
  return {
    apparmor: existsSync('/sys/kernel/security/apparmor') && readOr('/sys/module/apparmor/parameters/enabled', 'N').startsWith('Y'),
    selinux: existsSync('/sys/fs/selinux/enforce'),
    apparmorAttrDir: existsSync('/proc/thread-self/attr/apparmor'),
  };
}
