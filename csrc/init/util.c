#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "init.h"

int write_file(const char *path, const char *data, size_t len) {
  int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
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
