/* process.terminal: a pty made inside the container (its /dev/pts), the
 * master sent to --console-socket with SCM_RIGHTS (what containerd and
 * conmon expect), the slave becoming stdio, controlling tty and
 * /dev/console. Each of the three is checked on its fd before use. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/major.h>
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
  if (!plan_find(&g.plan, REC_PROCESS, &proc) || !(rec_num(&proc, PROCESS_FLAGS) & PROC_TERMINAL)) return;
  int sock = g.fd_base + FD_OFF_CONSOLE;

  /* The image or a config could put anything at /dev/ptmx: only the pty
   * multiplexer (5:2, also what /dev/pts/ptmx is) is used (CVE-2025-52565 class). */
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) fail(STEP_CONSOLE, errno, "open /dev/ptmx in the container");
  struct stat st;
  if (fstat(master, &st) < 0) fail(STEP_CONSOLE, errno, "stat /dev/ptmx");
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2)
    fail(STEP_CONSOLE, ENODEV, "refusing /dev/ptmx: it is not the pty multiplexer (char 5:2)");
  int unlock = 0;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0) fail(STEP_CONSOLE, errno, "unlock the pty");
  if (rec_num(&proc, PROCESS_FLAGS) & PROC_CONSOLE_SIZE) {
    struct winsize ws = {.ws_row = (unsigned short)rec_num(&proc, PROCESS_CONSOLE_ROWS),
                         .ws_col = (unsigned short)rec_num(&proc, PROCESS_CONSOLE_COLS)};
    if (ioctl(master, TIOCSWINSZ, &ws) < 0) fail(STEP_CONSOLE, errno, "set the console size");
  }
  /* The slave straight from the master, never by a path the container's
   * /dev/pts could redirect. */
  int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) fail(STEP_CONSOLE, errno, "open the pty slave");
  if (fstat(slave, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) < UNIX98_PTY_SLAVE_MAJOR ||
      major(st.st_rdev) >= UNIX98_PTY_SLAVE_MAJOR + UNIX98_PTY_MAJOR_COUNT)
    fail(STEP_CONSOLE, ENODEV, "the pty slave is not a pty");

  /* create/run: the pty also becomes /dev/console, a file we made or a
   * file or device already there, never a symlink or a directory; the bind
   * goes through the verified fds. exec leaves /dev/console alone, as runc. */
  struct record root;
  if (plan_find(&g.plan, REC_ROOTFS, &root)) {
    int f = open("/dev/console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (f >= 0) close(f);
    int target = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (target < 0) fail(STEP_CONSOLE, errno, "open /dev/console");
    if (fstat(target, &st) < 0) fail(STEP_CONSOLE, errno, "stat /dev/console");
    if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
      fail(STEP_CONSOLE, EINVAL, "refusing to bind the console at /dev/console: it is not a file or a character device");
    char from[64], to[64];
    fd_mount_path(from, sizeof from, slave, NULL);
    fd_mount_path(to, sizeof to, target, "/dev/console");
    if (strcmp(from, "") == 0) {
      /* No /proc in the container: the slave by its name in our devpts. */
      int n;
      if (ioctl(master, TIOCGPTN, &n) < 0) fail(STEP_CONSOLE, errno, "get the pty number");
      snprintf(from, sizeof from, "/dev/pts/%d", n);
    }
    if (mount(from, to, NULL, MS_BIND, NULL) < 0) fail(STEP_CONSOLE, errno, "bind the pty at /dev/console");
    close(target);
  }

  send_master(sock, master);
  close(master);
  close(sock);

  if (setsid() < 0 && errno != EPERM) fail(STEP_CONSOLE, errno, "setsid");
  if (ioctl(slave, TIOCSCTTY, 0) < 0) fail(STEP_CONSOLE, errno, "make the pty the controlling terminal");
  for (int fd = 0; fd < 3; fd++)
    if (dup2(slave, fd) < 0) fail(STEP_CONSOLE, errno, "dup the pty to fd %d", fd);
  close(slave);
}
