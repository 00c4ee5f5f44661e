/* The end of the init: find the executable, wait for `tsrun start` on the
 * exec fifo, close every fd but stdio and the preserved ones, execve. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

#define MAX_ARGS 4096
#define MAX_ENV 4096
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static char *argv_buf[MAX_ARGS + 1], *envp_buf[MAX_ENV + 1];

static int is_executable(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static void collect_args_env(void) {
  struct record rec;
  const uint8_t *cur = NULL;
  size_t a = 0, e = 0;
  while (plan_next(&g.plan, &cur, &rec)) {
    if (rec.kind == REC_ARG) {
      if (a == MAX_ARGS) fail(STEP_EXEC, E2BIG, "more than %d arguments", MAX_ARGS);
      argv_buf[a++] = (char *)rec_str(&rec, 0);
    } else if (rec.kind == REC_ENV) {
      if (e == MAX_ENV) fail(STEP_EXEC, E2BIG, "more than %d environment variables", MAX_ENV);
      envp_buf[e++] = (char *)rec_str(&rec, 0);
    }
  }
  argv_buf[a] = NULL;
  envp_buf[e] = NULL;
  if (a == 0) fail(STEP_EXEC, EINVAL, "process.args is empty");
}

/* The cwd is resolved inside the container's root and never through a
 * /proc/self/fd/N magic link: an fd of ours that leaked or was passed in
 * cannot become the process's cwd outside the rootfs (CVE-2024-21626). */
static void enter_cwd(const char *cwd) {
  int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) fail(STEP_EXEC, errno, "open /");
  struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  int fd = (int)syscall(SYS_openat2, root, cwd, &how, sizeof how);
  if (fd < 0 && errno == ELOOP) fail(STEP_EXEC, ELOOP, "cwd %s: refused, it goes through a /proc magic link (or a symlink loop)", cwd);
  if (fd < 0) fail(STEP_EXEC, errno, "chdir to cwd %s", cwd);
  if (fchdir(fd) < 0) fail(STEP_EXEC, errno, "chdir to cwd %s", cwd);
  close(fd);
  close(root);
}

/* Resolved here, before CREATED, so that "not found" fails `create`. */
void step_resolve_exec(void) {
  struct record rec;
  if (plan_find(&g.plan, REC_CWD, &rec)) enter_cwd(rec_str(&rec, 0));
  collect_args_env();
  const char *name = argv_buf[0];
  if (strchr(name, '/')) {
    if (!is_executable(name)) fail(STEP_EXEC, errno ? errno : EACCES, "executable %s", name);
    snprintf(g.exec_path, sizeof g.exec_path, "%s", name);
    return;
  }
  const char *path = DEFAULT_PATH;
  for (size_t i = 0; envp_buf[i]; i++)
    if (strncmp(envp_buf[i], "PATH=", 5) == 0) path = envp_buf[i] + 5;
  while (*path) {
    const char *colon = strchrnul(path, ':');
    int n = snprintf(g.exec_path, sizeof g.exec_path, "%.*s%s%s", (int)(colon - path), path, colon == path ? "" : "/", name);
    if (n > 0 && (size_t)n < sizeof g.exec_path && is_executable(g.exec_path)) return;
    path = *colon ? colon + 1 : colon;
  }
  fail(STEP_EXEC, ENOENT, "executable file %s not found in $PATH", name);
}

void step_wait_exec_fifo(void) {
  char path[64];
  int fifo = g.fd_base + FD_OFF_FIFO;
  snprintf(path, sizeof path, "/proc/self/fd/%d", fifo);
  /* Blocks until `tsrun start` opens the fifo for reading. */
  int fd;
  do fd = open(path, O_WRONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) fail(STEP_EXEC_FIFO, errno, "open the exec fifo");
  if (write(fd, "0", 1) != 1) fail(STEP_EXEC_FIFO, errno, "write the exec fifo");
  close(fifo);
  /* Kept open until execve closes it (O_CLOEXEC): `start` reads to EOF,
   * so it learns whether startContainer hooks and exec succeeded. */
  g.fifo_fd = fd;
}

/* Closes every fd but stdio, the preserved ones, and those execve closes
 * itself (CLOEXEC) but the init needs until then: the exec fifo, to report
 * an error to `start`, and the seccomp notify listener's socket. */
void step_close_fds(void) {
  struct record proc;
  unsigned preserve = plan_find(&g.plan, REC_PROCESS, &proc) ? (unsigned)rec_num(&proc, PROCESS_PRESERVE_FDS) : 0;
  unsigned first = 3 + preserve;
  int keep[2] = {g.fifo_fd, seccomp_keep_fd()};
  if (keep[0] > keep[1]) {
    int t = keep[0];
    keep[0] = keep[1];
    keep[1] = t;
  }
  for (int i = 0; i < 2; i++) {
    if (keep[i] < (int)first) continue;
    if ((unsigned)keep[i] > first && syscall(SYS_close_range, first, (unsigned)keep[i] - 1, 0) < 0)
      fail(STEP_FDS, errno, "close_range");
    first = (unsigned)keep[i] + 1;
  }
  if (syscall(SYS_close_range, first, ~0u, 0) < 0) fail(STEP_FDS, errno, "close_range");
}

long exec_syscall(void) {
  return seccomp_syscall(SYS_execve, (long)g.exec_path, (long)argv_buf, (long)envp_buf, 0, 0, 0);
}

void step_exec(void) {
  /* Loaded last: after no_new_privs, only execve follows. */
  step_seccomp();
  exec_syscall();
  fail(STEP_EXEC, errno, "exec %s", g.exec_path);
}
