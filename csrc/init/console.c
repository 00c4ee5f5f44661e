/* process.terminal: a pty made inside the container (its /dev/pts), the
 * master sent to --console-socket with SCM_RIGHTS (what containerd and
 * conmon expect), the slave becoming stdio, controlling tty and
 * /dev/console. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "init.h"

static void send_master(int sock, int master) {
  static const char name[] = "/dev/ptmx";
  char control[CMSG_SPACE(sizeof(int))];
  memset(control, 0, sizeof control);
  struct iovec iov = {.iov_base = (void *)name, .iov_len = sizeof name - 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &master, sizeof master);
  if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) fail(STEP_CONSOLE, errno, "send the pty master to the console socket");
}

void step_console(void) {
  struct record proc;
  if (!plan_find(&g.plan, REC_PROCESS, &proc) || !(rec_num(&proc, 0) & PROC_TERMINAL)) return;
  int sock = g.fd_base + FD_OFF_CONSOLE;

  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) fail(STEP_CONSOLE, errno, "open /dev/ptmx in the container");
  int unlock = 0, n;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0) fail(STEP_CONSOLE, errno, "unlock the pty");
  if (ioctl(master, TIOCGPTN, &n) < 0) fail(STEP_CONSOLE, errno, "get the pty number");
  if (rec_num(&proc, 0) & PROC_CONSOLE_SIZE) {
    struct winsize ws = {.ws_row = (unsigned short)rec_num(&proc, 2), .ws_col = (unsigned short)rec_num(&proc, 3)};
    if (ioctl(master, TIOCSWINSZ, &ws) < 0) fail(STEP_CONSOLE, errno, "set the console size");
  }
  char slave_path[64];
  snprintf(slave_path, sizeof slave_path, "/dev/pts/%d", n);

  int f = open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (f >= 0) close(f);
  if (mount(slave_path, "/dev/console", NULL, MS_BIND, NULL) < 0) fail(STEP_CONSOLE, errno, "bind %s at /dev/console", slave_path);

  send_master(sock, master);
  close(master);
  close(sock);

  if (setsid() < 0 && errno != EPERM) fail(STEP_CONSOLE, errno, "setsid");
  int slave = open(slave_path, O_RDWR | O_CLOEXEC);
  if (slave < 0) fail(STEP_CONSOLE, errno, "open %s", slave_path);
  if (ioctl(slave, TIOCSCTTY, 0) < 0) fail(STEP_CONSOLE, errno, "make %s the controlling terminal", slave_path);
  for (int fd = 0; fd < 3; fd++)
    if (dup2(slave, fd) < 0) fail(STEP_CONSOLE, errno, "dup the pty to fd %d", fd);
  close(slave);
}
