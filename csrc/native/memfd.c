/* tsrun-init runs from a sealed memfd copy, so that /proc/self/exe of a
 * container process never names a host binary it could overwrite
 * (CVE-2019-5736). The plan travels the same way. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "native.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static int seal(int fd, const char **syscall_name) {
  if (fcntl(fd, F_ADD_SEALS, SEALS) < 0) {
    int err = errno;
    close(fd);
    *syscall_name = "fcntl(F_ADD_SEALS)";
    return -err;
  }
  return fd;
}

int tsrun_sealed_copy(const char *path, const char **syscall_name) {
  int src = open(path, O_RDONLY | O_CLOEXEC);
  if (src < 0) {
    *syscall_name = "open";
    return -errno;
  }
  struct stat st;
  int fd = -1, err = 0;
  if (fstat(src, &st) < 0) {
    err = errno;
    *syscall_name = "fstat";
    goto out;
  }
  fd = memfd_create("tsrun-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    err = errno;
    *syscall_name = "memfd_create";
    goto out;
  }
  for (off_t done = 0; done < st.st_size;) {
    ssize_t n = sendfile(fd, src, NULL, (size_t)(st.st_size - done));
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      *syscall_name = "sendfile";
      close(fd);
      fd = -1;
      goto out;
    }
    done += n;
  }
out:
  close(src);
  return fd < 0 ? -err : seal(fd, syscall_name);
}

int tsrun_sealed_buffer(const char *name, const void *data, size_t len, const char **syscall_name) {
  int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    *syscall_name = "memfd_create";
    return -errno;
  }
  const char *p = data;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      close(fd);
      *syscall_name = "write";
      return -err;
    }
    p += n;
    len -= (size_t)n;
  }
  return seal(fd, syscall_name);
}
