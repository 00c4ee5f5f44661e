/* Device nodes and /dev symlinks, created inside the rootfs before
 * pivot_root. In a user namespace mknod is refused, so the plan asks for
 * a bind of the host's node instead (DEVICE_BIND). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "init.h"

/* Splits "/dev/a/b" into an O_PATH fd of "/dev/a" (created as needed) and "b". */
static int open_parent(const char *path, const char **name) {
  char parent[PATH_MAX];
  const char *slash = strrchr(path, '/');
  if (!slash || slash[1] == '\0' || (size_t)(slash - path) >= sizeof parent) {
    errno = EINVAL;
    return -1;
  }
  size_t n = slash == path ? 1 : (size_t)(slash - path);
  memcpy(parent, path, n);
  parent[n] = '\0';
  *name = slash + 1;
  return open_in_root(parent, O_DIRECTORY, 0);
}

static void make_device(const struct record *rec) {
  mode_t type = (mode_t)rec_num(rec, DEVICE_TYPE), perm = (mode_t)rec_num(rec, DEVICE_MODE);
  unsigned major = (unsigned)rec_num(rec, DEVICE_MAJOR), minor = (unsigned)rec_num(rec, DEVICE_MINOR);
  uid_t uid = (uid_t)rec_num(rec, DEVICE_UID);
  gid_t gid = (gid_t)rec_num(rec, DEVICE_GID);
  const char *path = rec_str(rec, 0), *host = rec_str(rec, 1);
  const char *name;
  int dir = open_parent(path, &name);
  if (dir < 0) fail(STEP_DEVICES, errno, "parent directory of %s", path);

  if (rec_num(rec, DEVICE_HOW) == DEVICE_BIND) {
    int f = openat(dir, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (f < 0 && errno != EEXIST) fail(STEP_DEVICES, errno, "create mount point for %s", path);
    if (f >= 0) close(f);
    int target = open_in_root(path, 0, 0);
    if (target < 0) fail(STEP_DEVICES, errno, "open %s", path);
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", target);
    if (mount(host, proc, NULL, MS_BIND, NULL) < 0) fail(STEP_DEVICES, errno, "bind %s at %s", host, path);
    close(target);
  } else {
    if (mknodat(dir, name, type | perm, makedev(major, minor)) < 0) {
      if (errno != EEXIST) fail(STEP_DEVICES, errno, "mknod %s", path);
      /* config-linux.md: a file already at the path that does not match
       * the requested device is an error. */
      struct stat st;
      if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) fail(STEP_DEVICES, errno, "stat %s", path);
      if ((st.st_mode & S_IFMT) != type || (type != S_IFIFO && st.st_rdev != makedev(major, minor)))
        fail(STEP_DEVICES, EEXIST, "%s exists and is not the requested device", path);
    } else {
      if (fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) fail(STEP_DEVICES, errno, "chown %s", path);
      if (fchmodat(dir, name, perm, 0) < 0) fail(STEP_DEVICES, errno, "chmod %s", path);
    }
  }
  close(dir);
}

static void make_symlink(const struct record *rec) {
  const char *target = rec_str(rec, 0), *path = rec_str(rec, 1);
  const char *name;
  int dir = open_parent(path, &name);
  if (dir < 0) fail(STEP_DEVICES, errno, "parent directory of %s", path);
  if (symlinkat(target, dir, name) < 0 && errno != EEXIST) fail(STEP_DEVICES, errno, "symlink %s", path);
  close(dir);
}

void step_devices(void) {
  if (g.root_fd < 0) return;
  struct record rec;
  const uint8_t *cur = NULL;
  while (plan_next(&g.plan, &cur, &rec)) {
    if (rec.kind == REC_DEVICE) make_device(&rec);
    else if (rec.kind == REC_SYMLINK) make_symlink(&rec);
  }
}
