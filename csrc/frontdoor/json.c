/* A growing buffer, and the OCI state document written byte for byte as
 * JSON.stringify(ociState(...)) writes it (src/container/oci-state.ts). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "frontdoor.h"

void buf_add(struct buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) fallback();
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void buf_str(struct buf *b, const char *s) {
  buf_add(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = NULL;
  int n = vasprintf(&s, fmt, ap);
  va_end(ap);
  if (n < 0) fallback();
  buf_add(b, s, (size_t)n);
  free(s);
}

/* JSON.stringify's escapes: the short forms, \u00xx for other controls,
 * everything else (UTF-8 included) as is. */
void json_string(struct buf *b, const char *s) {
  buf_str(b, "\"");
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    switch (c) {
    case '"': buf_str(b, "\\\""); break;
    case '\\': buf_str(b, "\\\\"); break;
    case '\b': buf_str(b, "\\b"); break;
    case '\f': buf_str(b, "\\f"); break;
    case '\n': buf_str(b, "\\n"); break;
    case '\r': buf_str(b, "\\r"); break;
    case '\t': buf_str(b, "\\t"); break;
    default:
      if (c < 0x20) buf_printf(b, "\\u%04x", c);
      else buf_add(b, (const char *)&c, 1);
    }
  }
  buf_str(b, "\"");
}

static void field(struct buf *b, bool pretty, bool first, const char *indent, const char *key) {
  if (!first) buf_str(b, ",");
  if (pretty) buf_printf(b, "\n%s", indent);
  json_string(b, key);
  buf_str(b, pretty ? ": " : ":");
}

void state_json(struct buf *b, const struct lifecycle *lc, const char *status, bool pretty) {
  buf_str(b, "{");
  field(b, pretty, true, "  ", "ociVersion");
  json_string(b, lc->oci_version);
  field(b, pretty, false, "  ", "id");
  json_string(b, lc->id);
  field(b, pretty, false, "  ", "pid");
  buf_printf(b, "%d", strcmp(status, "stopped") == 0 ? 0 : (int)lc->pid);
  field(b, pretty, false, "  ", "status");
  json_string(b, status);
  field(b, pretty, false, "  ", "bundle");
  json_string(b, lc->bundle);
  field(b, pretty, false, "  ", "rootfs");
  json_string(b, lc->rootfs);
  field(b, pretty, false, "  ", "created");
  json_string(b, lc->created);
  field(b, pretty, false, "  ", "owner");
  json_string(b, lc->owner);
  if (lc->n_annotations) {
    field(b, pretty, false, "  ", "annotations");
    buf_str(b, "{");
    for (size_t i = 0; i < lc->n_annotations; i++) {
      field(b, pretty, i == 0, "    ", lc->annotations[i][0]);
      json_string(b, lc->annotations[i][1]);
    }
    buf_str(b, pretty ? "\n  }" : "}");
  }
  buf_str(b, pretty ? "\n}" : "}");
}

void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
}

int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int write_all(int fd, const char *data, size_t len) {
  for (size_t at = 0; at < len;) {
    ssize_t n = write(fd, data + at, len - at);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return -1;
    at += (size_t)n;
  }
  return 0;
}

int write_file(const char *path, const char *value) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, value, strlen(value));
  int err = errno;
  close(fd);
  errno = err;
  return n == (ssize_t)strlen(value) ? 0 : -1;
}

int read_file(const char *path, char *out, size_t len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t got = 0;
  while (got + 1 < len) {
    ssize_t n = read(fd, out + got, len - 1 - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(fd);
  out[got] = '\0';
  return (int)got;
}
