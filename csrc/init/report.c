#define _GNU_SOURCE
/* Errors travel to the parent as one ERROR message. After CREATED that
 * parent is gone: once `tsrun start` holds the exec fifo, the error goes
 * there (start reports it and fails), else to the container's stderr. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "init.h"

void fail(int step, int err, const char *fmt, ...) {
  struct {
    struct tsr_msg head;
    char detail[512];
  } m;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(m.detail, sizeof m.detail, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof m.detail) n = sizeof m.detail - 1;
  m.head.type = MSG_ERROR;
  m.head.value = err;
  m.head.step = (uint32_t)step;
  m.head.len = (uint32_t)n;
  if (g.sync_fd >= 0) {
    (void)!send(g.sync_fd, &m, sizeof m.head + (size_t)n, MSG_NOSIGNAL);
  } else if (g.fifo_fd >= 0) {
    /* The same ERROR message as on the socket, after the "0" that told
     * `start` the init is past its wait; one write, well under PIPE_BUF,
     * so it arrives whole. A seccomp profile that kills write would turn
     * the report into SIGSYS. */
    if (seccomp_report_killed(g.fifo_fd)) _exit(1);
    (void)!write(g.fifo_fd, &m, sizeof m.head + (size_t)n);
  } else {
    if (seccomp_report_killed(2)) _exit(1);
    char line[700];
    int k = snprintf(line, sizeof line, "tsrun-init: step %d: %s%s%s\n", step, m.detail, err ? ": " : "", err ? strerror(err) : "");
    if (k > 0) (void)!write(2, line, (size_t)k < sizeof line ? (size_t)k : sizeof line - 1);
  }
  _exit(1);
}

void send_msg(uint32_t type, int32_t value, const void *payload, uint32_t len) {
  static char buf[sizeof(struct tsr_msg) + TSR_MSG_MAX];
  struct tsr_msg head = {.type = type, .value = value, .step = 0, .len = len};
  if (len > TSR_MSG_MAX) fail(STEP_SYNC, EMSGSIZE, "message too long");
  memcpy(buf, &head, sizeof head);
  if (len) memcpy(buf + sizeof head, payload, len);
  if (send(g.sync_fd, buf, sizeof head + len, MSG_NOSIGNAL) < 0) fail(STEP_SYNC, errno, "send message %u", type);
}

uint32_t recv_msg(uint32_t type, void *out, uint32_t cap) {
  static char buf[sizeof(struct tsr_msg) + TSR_MSG_MAX];
  ssize_t n;
  do n = recv(g.sync_fd, buf, sizeof buf, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) fail(STEP_SYNC, errno, "receive message %u", type);
  /* EOF: tsrun went away before the container was created; nothing to report to. */
  if (n == 0) _exit(1);
  struct tsr_msg head;
  if ((size_t)n < sizeof head) fail(STEP_SYNC, EPROTO, "short message");
  memcpy(&head, buf, sizeof head);
  if (head.type != type || head.len != (size_t)n - sizeof head || head.len > cap)
    fail(STEP_SYNC, EPROTO, "expected message %u, got %u", type, head.type);
  memcpy(out, buf + sizeof head, head.len);
  return head.len;
}
