/* Files mapped read-only from the page cache, for the bundle loader
 * (src/cli/code-cache.ts). Reading a 270 KB bundle and its V8 code cache
 * costs three fresh copies (read buffer, V8 string, cache buffer), about
 * 200 page faults, ~5 ms of a create on the 2-core VM; a mapping of the
 * page cache costs a handful. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "native.h"

int tsrun_map_file(const char *path, void **data, size_t *len, const char **syscall_name) {
  *syscall_name = "open";
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  struct stat st;
  *syscall_name = "fstat";
  if (fstat(fd, &st) < 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  *len = (size_t)st.st_size;
  *data = NULL;
  if (*len > 0) {
    *syscall_name = "mmap";
    void *p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      close(fd);
      return -err;
    }
    *data = p;
  }
  close(fd);
  return 0;
}

int tsrun_all_ascii(const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++)
    if (p[i] & 0x80) return 0;
  return 1;
}
