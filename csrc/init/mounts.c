/* The root filesystem: propagation, the rootfs bind, the configured
 * mounts, pivot_root, and after it masked/readonly paths and the
 * read-only root. Before pivot_root every path inside the rootfs is
 * resolved with openat2(RESOLVE_IN_ROOT), so a symlink in a hostile image
 * cannot point a mount outside of it; mounts then target /proc/self/fd/N
 * (CVE-2021-30465 class). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <dirent.h>

#include "init.h"

static int openat2_in_root(const char *path, int flags) {
  struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  return (int)syscall(SYS_openat2, g.root_fd, path, &how, sizeof how);
}

/* Opens `path` inside the rootfs as O_PATH, creating missing directories
 * (and the last component as an empty file when create_as_file). */
int open_in_root(const char *path, int flags, int create_as_file) {
  int fd = openat2_in_root(path, O_PATH | flags);
  if (fd >= 0 || errno != ENOENT) return fd;

  char buf[PATH_MAX];
  size_t len = strlen(path);
  if (len >= sizeof buf) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(buf, path, len + 1);
  for (size_t i = 1; i <= len; i++) {
    if (buf[i] != '/' && buf[i] != '\0') continue;
    if (buf[i - 1] == '/') continue;
    int last = buf[i] == '\0' || (buf[i] == '/' && buf[i + 1] == '\0');
    char saved = buf[i];
    buf[i] = '\0';
    int probe = openat2_in_root(buf, O_PATH);
    if (probe >= 0) {
      close(probe);
    } else if (errno == ENOENT) {
      char *slash = strrchr(buf, '/');
      const char *name = slash ? slash + 1 : buf;
      int parent;
      if (slash == buf || !slash) {
        parent = openat2_in_root("/", O_PATH | O_DIRECTORY);
      } else {
        *slash = '\0';
        parent = openat2_in_root(buf, O_PATH | O_DIRECTORY);
        *slash = '/';
      }
      if (parent < 0) return -1;
      int rc;
      if (last && create_as_file) {
        rc = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (rc >= 0) close(rc);
      } else {
        rc = mkdirat(parent, name, 0755);
      }
      int err = errno;
      close(parent);
      if (rc < 0 && err != EEXIST) {
        errno = err;
        return -1;
      }
    } else {
      return -1;
    }
    buf[i] = saved;
  }
  return openat2_in_root(path, O_PATH | flags);
}

static void fd_path(char *out, size_t size, int fd) {
  snprintf(out, size, "/proc/self/fd/%d", fd);
}

/* In a user namespace the kernel refuses to clear nosuid/nodev/noexec/
 * atime flags locked by the source mount: keep them on remount. */
static unsigned long locked_flags(const char *path) {
  struct statvfs st;
  if (statvfs(path, &st) < 0) return 0;
  unsigned long f = 0;
  if (st.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) f |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) f |= MS_RELATIME;
  return f;
}

static int remount_bind(const char *target, unsigned long flags) {
  unsigned long f = MS_BIND | MS_REMOUNT | flags;
  if (mount(NULL, target, NULL, f, NULL) == 0) return 0;
  if (errno != EPERM) return -1;
  return mount(NULL, target, NULL, f | locked_flags(target), NULL);
}

static const unsigned long propagation_flags[] = {MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE};

static void apply_propagation(const char *target, const char *dest, unsigned long prop) {
  unsigned long rec = prop & MS_REC;
  for (size_t i = 0; i < sizeof propagation_flags / sizeof propagation_flags[0]; i++) {
    if (!(prop & propagation_flags[i])) continue;
    if (mount(NULL, target, NULL, propagation_flags[i] | rec, NULL) < 0) fail(STEP_MOUNTS, errno, "set propagation of %s", dest);
  }
}

/* tmpcopyup (runc, crun): the new tmpfs starts with what the image had at
 * its destination. The covered directory stays readable through `from`,
 * opened before the mount. No allocation: getdents64 into a stack buffer,
 * recursion bounded by COPY_MAX_DEPTH, names never leave their parent fd. */
#define COPY_MAX_DEPTH 32

struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

/* Ownership the user namespace cannot map (EINVAL) stays the tmpfs's own. */
static int keep_owner(int dir, const char *name, const struct stat *st) {
  if (fchownat(dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) == 0 || errno == EINVAL) return 0;
  return -1;
}

static int copy_file(int from, int to, const char *name, const struct stat *st) {
  int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0) return -1;
  int out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 07777);
  if (out < 0) {
    close(in);
    return -1;
  }
  char buf[16384];
  ssize_t n;
  int rc = 0;
  while ((n = read(in, buf, sizeof buf)) > 0) {
    for (ssize_t at = 0; at < n;) {
      ssize_t w = write(out, buf + at, (size_t)(n - at));
      if (w < 0) {
        rc = -1;
        break;
      }
      at += w;
    }
    if (rc < 0) break;
  }
  if (n < 0) rc = -1;
  int err = errno;
  close(in);
  close(out);
  errno = err;
  return rc;
}

static int copy_tree(int from, int to, int depth) {
  if (depth > COPY_MAX_DEPTH) {
    errno = ELOOP;
    return -1;
  }
  char buf[4096] __attribute__((aligned(8)));
  for (;;) {
    long n = syscall(SYS_getdents64, from, buf, sizeof buf);
    if (n < 0) return -1;
    if (n == 0) return 0;
    for (long at = 0; at < n;) {
      struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + at);
      at += d->d_reclen;
      const char *name = d->d_name;
      if (!strcmp(name, ".") || !strcmp(name, "..")) continue;
      struct stat st;
      if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return -1;
      if (S_ISDIR(st.st_mode)) {
        if (mkdirat(to, name, 0700) < 0) return -1;
        int sub_from = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int sub_to = sub_from < 0 ? -1 : openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int rc = sub_to < 0 ? -1 : copy_tree(sub_from, sub_to, depth + 1);
        int err = errno;
        if (sub_from >= 0) close(sub_from);
        if (sub_to >= 0) close(sub_to);
        errno = err;
        if (rc < 0) return -1;
        /* the mode last: a read-only directory must still receive its content */
        if (fchmodat(to, name, st.st_mode & 07777, 0) < 0) return -1;
      } else if (S_ISREG(st.st_mode)) {
        if (copy_file(from, to, name, &st) < 0) return -1;
      } else if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t len = readlinkat(from, name, target, sizeof target - 1);
        if (len < 0) return -1;
        target[len] = '\0';
        if (symlinkat(target, to, name) < 0) return -1;
      } else if (mknodat(to, name, st.st_mode, st.st_rdev) < 0) {
        return -1;
      }
      if (keep_owner(to, name, &st) < 0) return -1;
    }
  }
}

/* runc's recursive options (rro, rnosuid…): mount_setattr AT_RECURSIVE on
 * the new mount and every mount below it. */
static void set_recursive_attrs(int fd, const char *dest, uint64_t set, uint64_t clear) {
  if (!set && !clear) return;
  struct mount_attr attr = {.attr_set = set, .attr_clr = clear};
  if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    fail(STEP_MOUNTS, errno, "mount_setattr (recursive options) on %s", dest);
}

static void do_mount(const struct record *rec) {
  unsigned long flags = rec_num(rec, MOUNT_FLAGS), prop = rec_num(rec, MOUNT_PROPAGATION);
  uint64_t kind = rec_num(rec, MOUNT_KIND);
  const char *source = rec_str(rec, 0), *dest = rec_str(rec, 1), *fstype = rec_str(rec, 2), *data = rec_str(rec, 3);

  /* procfs and sysfs must land on a real directory of the image: a symlink
   * there (or on the way) would let the image choose where the kernel's
   * files appear, and with them where sysctls and LSM labels are written
   * (CVE-2019-19921, CVE-2023-27561 class). runc refuses it too. */
  if (kind != MOUNT_BIND && (strcmp(fstype, "proc") == 0 || strcmp(fstype, "sysfs") == 0)) {
    struct open_how how = {.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS};
    int probe = (int)syscall(SYS_openat2, g.root_fd, dest, &how, sizeof how);
    struct stat st;
    if ((probe < 0 && errno == ELOOP) || (probe >= 0 && fstat(probe, &st) == 0 && S_ISLNK(st.st_mode)))
      fail(STEP_MOUNTS, ELOOP, "refusing to mount %s at %s: it is a symlink in the rootfs, or goes through one", fstype, dest);
    if (probe >= 0 && fstat(probe, &st) == 0 && !S_ISDIR(st.st_mode))
      fail(STEP_MOUNTS, ENOTDIR, "refusing to mount %s at %s: not a directory in the rootfs", fstype, dest);
    if (probe >= 0) close(probe);
  }

  int as_file = 0;
  if (kind == MOUNT_BIND || kind == MOUNT_TREE) {
    struct stat st;
    if (stat(source, &st) < 0) fail(STEP_MOUNTS, errno, "bind source %s", source);
    as_file = !S_ISDIR(st.st_mode);
  }
  int fd = open_in_root(dest, 0, as_file);
  if (fd < 0) fail(STEP_MOUNTS, errno, "mount point %s in the rootfs", dest);
  char target[64];
  fd_path(target, sizeof target, fd);

  if (kind == MOUNT_TREE) {
    int tree = (int)(int64_t)rec_num(rec, MOUNT_TREE_FD);
    if (syscall(SYS_move_mount, tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      fail(STEP_MOUNTS, errno, "move the id-mapped tree of %s to %s", source, dest);
    close(tree);
    close(fd);
    fd = open_in_root(dest, 0, 0);
    if (fd < 0) fail(STEP_MOUNTS, errno, "reopen %s", dest);
    fd_path(target, sizeof target, fd);
  } else if (kind == MOUNT_BIND) {
    if (mount(source, target, NULL, MS_BIND | (flags & MS_REC), NULL) < 0) fail(STEP_MOUNTS, errno, "bind %s at %s", source, dest);
    close(fd);
    /* The fd still names the covered directory: reopen to reach the new mount. */
    fd = open_in_root(dest, 0, 0);
    if (fd < 0) fail(STEP_MOUNTS, errno, "reopen %s", dest);
    fd_path(target, sizeof target, fd);
    unsigned long extra = flags & ~(MS_BIND | MS_REC);
    if (extra && remount_bind(target, extra) < 0) fail(STEP_MOUNTS, errno, "remount %s with its options", dest);
  } else {
    int copy_from = -1;
    if (rec_num(rec, MOUNT_EXTENSIONS) & EXT_TMPCOPYUP) {
      copy_from = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (copy_from < 0) fail(STEP_MOUNTS, errno, "tmpcopyup: open %s in the rootfs", dest);
    }
    const char *fallback = rec->str_count > 4 ? rec_str(rec, 4) : "";
    int bound = 0;
    if (mount(source, target, fstype, flags, data[0] ? data : NULL) < 0) {
      /* A user namespace that owns no cgroup namespace may not mount
       * cgroup2 (EPERM; EBUSY on some kernels): bind the container's own
       * cgroup directory instead, as runc does (runc binds the whole
       * hierarchy when there is no cgroup namespace; this shows less). */
      if (!fallback[0] || (errno != EPERM && errno != EBUSY)) fail(STEP_MOUNTS, errno, "mount %s (%s) at %s", source, fstype, dest);
      if (mount(fallback, target, NULL, MS_BIND | MS_REC, NULL) < 0)
        fail(STEP_MOUNTS, errno, "bind %s at %s (%s is not mountable here)", fallback, dest, fstype);
      bound = 1;
    }
    close(fd);
    fd = open_in_root(dest, 0, 0);
    if (fd < 0) fail(STEP_MOUNTS, errno, "reopen %s", dest);
    fd_path(target, sizeof target, fd);
    unsigned long extra = flags & ~(MS_BIND | MS_REC);
    if (bound && extra && remount_bind(target, extra) < 0) fail(STEP_MOUNTS, errno, "remount %s with its options", dest);
    if (copy_from >= 0) {
      int copy_to = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (copy_to < 0 || copy_tree(copy_from, copy_to, 0) < 0)
        fail(STEP_MOUNTS, errno, "tmpcopyup: copy the image's %s into the tmpfs", dest);
      close(copy_to);
      close(copy_from);
    }
  }
  set_recursive_attrs(fd, dest, rec_num(rec, MOUNT_SET_ATTRS), rec_num(rec, MOUNT_CLEAR_ATTRS));
  if (prop) apply_propagation(target, dest, prop);
  close(fd);
}

void step_mounts(void) {
  struct record root;
  if (!plan_find(&g.plan, REC_ROOTFS, &root)) return;
  unsigned long prop = rec_num(&root, ROOTFS_HOST_PROPAGATION);
  const char *rootfs = rec_str(&root, 0), *parent = rec_str(&root, 1);

  /* The plan's propagation for "/" keeps the container's mount events
   * from reaching the host (rslave unless the config says otherwise); 0
   * in the runtime's own mount namespace, where "/" and the parent are the
   * host's and everything lands on the rootfs bind, which `delete`
   * detaches as a whole. */
  if (prop && mount(NULL, "/", NULL, prop, NULL) < 0) fail(STEP_MOUNTS, errno, "set propagation of /");
  /* pivot_root refuses a new root whose parent mount is shared. */
  if (parent[0] && mount(NULL, parent, NULL, MS_PRIVATE, NULL) < 0 && errno != EINVAL)
    fail(STEP_MOUNTS, errno, "make %s private", parent);
  if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) fail(STEP_MOUNTS, errno, "bind rootfs %s", rootfs);
  g.root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (g.root_fd < 0) fail(STEP_MOUNTS, errno, "open rootfs %s", rootfs);

  struct record rec;
  const uint8_t *cur = NULL;
  while (plan_next(&g.plan, &cur, &rec))
    if (rec.kind == REC_MOUNT) do_mount(&rec);

  /* Like runc, a cwd missing from the image is created (root-owned, 0755). */
  if (plan_find(&g.plan, REC_CWD, &rec)) {
    int fd = open_in_root(rec_str(&rec, 0), O_DIRECTORY, 0);
    if (fd < 0) fail(STEP_MOUNTS, errno, "cwd %s in the rootfs", rec_str(&rec, 0));
    close(fd);
  }
}

void step_pivot_root(void) {
  struct record root;
  if (!plan_find(&g.plan, REC_ROOTFS, &root)) return;
  const char *rootfs = rec_str(&root, 0);

  if (rec_num(&root, ROOTFS_FLAGS) & ROOTFS_HOST_MOUNT_NS) {
    /* pivot_root would swap the host's root: chroot into the rootfs bind
     * instead, as runc does without a mount namespace. */
    if (chdir(rootfs) < 0) fail(STEP_PIVOT_ROOT, errno, "chdir %s", rootfs);
    if (chroot(".") < 0) fail(STEP_PIVOT_ROOT, errno, "chroot %s", rootfs);
  } else if (rec_num(&root, ROOTFS_FLAGS) & ROOTFS_NO_PIVOT) {
    if (chdir(rootfs) < 0) fail(STEP_PIVOT_ROOT, errno, "chdir %s", rootfs);
    if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0) fail(STEP_PIVOT_ROOT, errno, "move %s to /", rootfs);
    if (chroot(".") < 0) fail(STEP_PIVOT_ROOT, errno, "chroot");
  } else {
    int old_root = open("/", O_DIRECTORY | O_PATH | O_CLOEXEC);
    if (old_root < 0) fail(STEP_PIVOT_ROOT, errno, "open /");
    if (chdir(rootfs) < 0) fail(STEP_PIVOT_ROOT, errno, "chdir %s", rootfs);
    /* pivot_root(".", ".") stacks the old root on the new one; detach it
     * from here after making it a slave so the unmount stays ours. */
    if (syscall(SYS_pivot_root, ".", ".") < 0) fail(STEP_PIVOT_ROOT, errno, "pivot_root to %s", rootfs);
    if (fchdir(old_root) < 0) fail(STEP_PIVOT_ROOT, errno, "fchdir old root");
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) fail(STEP_PIVOT_ROOT, errno, "make old root rslave");
    if (umount2(".", MNT_DETACH) < 0) fail(STEP_PIVOT_ROOT, errno, "detach old root");
    close(old_root);
  }
  if (chdir("/") < 0) fail(STEP_PIVOT_ROOT, errno, "chdir /");
  close(g.root_fd);
  g.root_fd = -1;
}

/* Masking binds /dev/null over a file: it must be the null device, not a
 * symlink, a file or another device the image or a neighbour put there,
 * or masking would expose what it should hide (CVE-2025-31133 class).
 * Source and target are both used through their checked fds. */
static void mask_path(const char *path) {
  int target = open(path, O_PATH | O_CLOEXEC);
  if (target < 0) {
    if (errno == ENOENT) return;
    fail(STEP_PATHS, errno, "masked path %s", path);
  }
  struct stat st;
  if (fstat(target, &st) < 0) fail(STEP_PATHS, errno, "stat masked path %s", path);
  char to[64];
  fd_mount_path(to, sizeof to, target, path);
  if (S_ISDIR(st.st_mode)) {
    if (mount("tmpfs", to, "tmpfs", MS_RDONLY, NULL) < 0) fail(STEP_PATHS, errno, "mask %s", path);
  } else {
    int null = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (null < 0) fail(STEP_PATHS, errno, "open /dev/null to mask %s", path);
    struct stat ns;
    if (fstat(null, &ns) < 0) fail(STEP_PATHS, errno, "stat /dev/null");
    if (!S_ISCHR(ns.st_mode) || ns.st_rdev != makedev(1, 3))
      fail(STEP_PATHS, ENODEV, "refusing to mask %s: /dev/null in the container is not the null device (char 1:3)", path);
    char from[64];
    fd_mount_path(from, sizeof from, null, "/dev/null");
    if (mount(from, to, NULL, MS_BIND, NULL) < 0) fail(STEP_PATHS, errno, "mask %s", path);
    close(null);
  }
  close(target);
}

/* After pivot_root "/" is the container's root: absolute symlinks resolve
 * inside it, so plain paths are safe from here on. */
void step_paths(void) {
  struct record rec;
  const uint8_t *cur = NULL;
  while (plan_next(&g.plan, &cur, &rec)) {
    const char *path = rec_str(&rec, 0);
    if (rec.kind == REC_READONLY) {
      if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        if (errno == ENOENT) continue;
        fail(STEP_PATHS, errno, "bind readonly path %s", path);
      }
      if (remount_bind(path, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC) < 0 && remount_bind(path, MS_RDONLY) < 0)
        fail(STEP_PATHS, errno, "remount %s read-only", path);
    } else if (rec.kind == REC_MASKED) {
      mask_path(path);
    } else if (rec.kind == REC_SYSCTL) {
      char file[PATH_MAX];
      snprintf(file, sizeof file, "/proc/sys/%s", path);
      const char *value = rec_str(&rec, 1);
      if (write_file(file, value, strlen(value)) < 0) fail(STEP_PATHS, errno, "write sysctl %s%s", file, proc_refusal());
    }
  }

  struct record root;
  if (!plan_find(&g.plan, REC_ROOTFS, &root)) return;
  unsigned long prop = rec_num(&root, ROOTFS_ROOT_PROPAGATION);
  if (prop && mount(NULL, "/", NULL, prop, NULL) < 0) fail(STEP_PATHS, errno, "set propagation of the container's /");
  if ((rec_num(&root, ROOTFS_FLAGS) & ROOTFS_READONLY) && remount_bind("/", MS_RDONLY) < 0)
    fail(STEP_PATHS, errno, "remount / read-only");
}
