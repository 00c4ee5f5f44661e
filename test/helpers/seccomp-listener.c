/* A seccomp notify listener for test/integration/seccomp.test.ts, built by
 * the test with gcc: Node cannot receive SCM_RIGHTS on a stream socket nor
 * make the notify ioctls.
 *
 *   seccomp-listener <socket path> <out file> <errno|continue>
 *
 * Listens on the socket, takes one connection, receives the container
 * process state (JSON) and the notify fd, writes the JSON to <out file>,
 * then answers every notification: with -errno, or by letting the syscall
 * run (SECCOMP_USER_NOTIF_FLAG_CONTINUE). For each one it appends
 * "notified <syscall nr>\n" to <out file>. Ends when the fd reports the
 * filter gone (every process using it exited). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: seccomp-listener SOCKET OUT errno|continue\n");
    return 2;
  }
  int answer_continue = strcmp(argv[3], "continue") == 0;
  int answer_errno = answer_continue ? 0 : atoi(argv[3]);

  int srv = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", argv[1]);
  unlink(argv[1]);
  if (srv < 0 || bind(srv, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(srv, 1) < 0) {
    perror("listen");
    return 1;
  }
  /* Tell the test the socket is ready. */
  printf("ready\n");
  fflush(stdout);
  int conn = accept(srv, NULL, NULL);
  if (conn < 0) {
    perror("accept");
    return 1;
  }

  static char state[65536];
  char control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = state, .iov_len = sizeof state - 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  ssize_t n = recvmsg(conn, &msg, 0);
  if (n <= 0) {
    perror("recvmsg");
    return 1;
  }
  int notify_fd = -1;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(&notify_fd, CMSG_DATA(c), sizeof(int));
  FILE *out = fopen(argv[2], "w");
  if (!out) {
    perror("open out file");
    return 1;
  }
  fprintf(out, "%.*s\n", (int)n, state);
  fflush(out);
  if (notify_fd < 0) {
    fprintf(stderr, "no fd with the state\n");
    return 1;
  }

  struct seccomp_notif_sizes sizes;
  if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
    perror("SECCOMP_GET_NOTIF_SIZES");
    return 1;
  }
  struct seccomp_notif *req = calloc(1, sizes.seccomp_notif);
  struct seccomp_notif_resp *resp = calloc(1, sizes.seccomp_notif_resp);
  for (;;) {
    /* POLLHUP: every process behind the filter is gone. */
    struct pollfd p = {.fd = notify_fd, .events = POLLIN};
    if (poll(&p, 1, -1) < 0 && errno != EINTR) break;
    if (!(p.revents & POLLIN)) {
      if (p.revents & (POLLHUP | POLLERR)) break;
      continue;
    }
    memset(req, 0, sizes.seccomp_notif);
    if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
      if (errno == EINTR) continue;
      break; /* ENOENT: no process left behind the filter */
    }
    fprintf(out, "notified %d\n", req->data.nr);
    fflush(out);
    memset(resp, 0, sizes.seccomp_notif_resp);
    resp->id = req->id;
    if (answer_continue) resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    else resp->error = -answer_errno;
    if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT) perror("SECCOMP_IOCTL_NOTIF_SEND");
  }
  return 0;
}
