/* Id-mapped mount trees, made in the parent: mount_setattr(2) with
 * MOUNT_ATTR_IDMAP needs CAP_SYS_ADMIN over the filesystem (the initial
 * user namespace for a host filesystem), which tsrun-init no longer has
 * once it is in the container's user namespace. The detached tree goes
 * to the init as an fd, which move_mount(2)s it into place (runc 1.2 and
 * crun do the same). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "native.h"

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

static int write_text(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  ssize_t n = write(fd, text, strlen(text));
  int err = errno;
  close(fd);
  return n < 0 ? -err : 0;
}

/* A user namespace with these maps, as an fd: a child is cloned straight
 * into a new one and only blocks on a pipe (async-signal-safe, as in
 * spawn.c) while its maps are written from here; then it exits. */
static int userns_with_maps(const char *uid_map, const char *gid_map) {
  int gate[2];
  if (pipe2(gate, O_CLOEXEC) < 0) return -errno;
  pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) {
    int err = errno;
    close(gate[0]);
    close(gate[1]);
    return -err;
  }
  if (pid == 0) {
    char c;
    close(gate[1]);
    while (read(gate[0], &c, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
  }
  close(gate[0]);
  char path[64];
  int rc;
  snprintf(path, sizeof path, "/proc/%d/uid_map", pid);
  rc = write_text(path, uid_map);
  if (rc == 0) {
    snprintf(path, sizeof path, "/proc/%d/gid_map", pid);
    rc = write_text(path, gid_map);
  }
  int fd = -1;
  if (rc == 0) {
    snprintf(path, sizeof path, "/proc/%d/ns/user", pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) rc = -errno;
  }
  close(gate[1]);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
  }
  return rc < 0 ? rc : fd;
}

int tsrun_idmapped_tree(const char *source, int clone_recursive, int recursive, uint64_t attr_set, uint64_t attr_clr,
                        const char *uid_map, const char *gid_map, const char **failed) {
  *failed = "user namespace for the mapping";
  int userns = userns_with_maps(uid_map, gid_map);
  if (userns < 0) return userns;
  *failed = "open_tree";
  int tree = (int)syscall(SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (clone_recursive ? AT_RECURSIVE : 0));
  if (tree < 0) {
    int err = errno;
    close(userns);
    return -err;
  }
  struct mount_attr attr = {.attr_set = attr_set, .attr_clr = attr_clr, .userns_fd = (uint64_t)userns};
  *failed = "mount_setattr";
  long rc = syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr);
  int err = errno;
  close(userns);
  if (rc < 0) {
    close(tree);
    return -err;
  }
  return tree;
}
