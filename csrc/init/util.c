/* Writes into procfs, checked on the opened fd. A hostile config or image
 * can put something else where a /proc file is expected (a bind mount of
 * a host file over /proc/sys/..., a tmpfs over /proc): writing there as
 * root would write the host (CVE-2025-52881 class). So the walk starts at
 * a procfs root checked by fstatfs and inode, never crosses a mount
 * (RESOLVE_NO_XDEV: anything mounted over any component is refused), and
 * the fd written is itself checked to be on procfs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

#define PROC_ROOT_INO 1

static int on_procfs(int fd) {
  struct statfs sfs;
  return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

int write_proc_file(const char *rel, const char *data, size_t len, const char **why) {
  *why = "";
  int root = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (root < 0) {
    *why = " (opening /proc)";
    return -1;
  }
  struct stat st;
  if (!on_procfs(root) || fstat(root, &st) < 0 || st.st_ino != PROC_ROOT_INO) {
    close(root);
    *why = " (refused: /proc is not the root of a procfs mount)";
    errno = EXDEV;
    return -1;
  }
  struct open_how how = {.flags = O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC,
                         .resolve = RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH};
  int fd = (int)syscall(SYS_openat2, root, rel, &how, sizeof how);
  int err = errno;
  close(root);
  if (fd < 0) {
    if (err == EXDEV) *why = " (refused: something is mounted over it, the write would leave procfs)";
    errno = err;
    return -1;
  }
  if (!on_procfs(fd) || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    *why = " (refused: not a procfs file)";
    errno = EXDEV;
    return -1;
  }
  ssize_t n;
  do n = write(fd, data, len);
  while (n < 0 && errno == EINTR);
  err = errno;
  close(fd);
  if (n < 0 || (size_t)n != len) {
    errno = n < 0 ? err : EIO;
    return -1;
  }
  return 0;
}

/* Every /proc write goes through the checks above; the reason of a refusal
 * is kept for the caller's message (proc_refusal). */
static const char *last_refusal = "";

const char *proc_refusal(void) {
  return last_refusal;
}

int write_file(const char *path, const char *data, size_t len) {
  last_refusal = "";
  if (strncmp(path, "/proc/", 6) == 0) return write_proc_file(path + 6, data, len, &last_refusal);
  int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n;
  do n = write(fd, data, len);
  while (n < 0 && errno == EINTR);
  int err = errno;
  close(fd);
  if (n < 0 || (size_t)n != len) {
    errno = n < 0 ? err : EIO;
    return -1;
  }
  return 0;
}

void fd_mount_path(char *out, size_t size, int fd, const char *fallback) {
  if (access("/proc/self/fd", X_OK) == 0) snprintf(out, size, "/proc/self/fd/%d", fd);
  else snprintf(out, size, "%s", fallback ? fallback : "");
}
