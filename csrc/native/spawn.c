/* Start tsrun-init from inside the multithreaded Node process. Between
 * clone3 and execveat the child only makes async-signal-safe system calls
 * on data prepared before the clone: no malloc, no locks, no JS. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "native.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* The child reports {errno, stage}: stage i >= 0 is join_fds[i], -1 the
 * fd table or execveat. */
static void child_fail_at(int err_pipe, int err, int stage) {
  int report[2] = {err, stage};
  (void)!write(err_pipe, report, sizeof report);
  _exit(127);
}

static void child_fail(int err_pipe, int err) { child_fail_at(err_pipe, err, -1); }

/* Runs in the child. Every needed fd is first duplicated above all
 * targets, so that placing one cannot clobber another still to be placed. */
static void child(int exec_fd, char *const argv[], const int *table, int count, const int *join_fds, int join_count,
                  int err_pipe, int high) {
  static char *const empty_env[] = {NULL};
  int temp[256];
  /* cgroup v1 has no CLONE_INTO_CGROUP: join each v1 cgroup before
   * anything else runs, so that every process the init forks is inside
   * them too. "0" in cgroup.procs means the writing process. */
  for (int i = 0; i < join_count; i++) {
    ssize_t n;
    do n = write(join_fds[i], "0", 1);
    while (n < 0 && errno == EINTR);
    if (n < 0) child_fail_at(err_pipe, errno, i);
  }
  int ep = fcntl(err_pipe, F_DUPFD_CLOEXEC, high);
  if (ep < 0) child_fail(err_pipe, errno);
  err_pipe = ep;
  int ex = fcntl(exec_fd, F_DUPFD_CLOEXEC, high);
  if (ex < 0) child_fail(err_pipe, errno);
  for (int i = 0; i < count; i++) {
    temp[i] = table[i] < 0 ? -1 : fcntl(table[i], F_DUPFD_CLOEXEC, high);
    if (table[i] >= 0 && temp[i] < 0) child_fail(err_pipe, errno);
  }
  for (int i = 0; i < count; i++) {
    if (temp[i] < 0) {
      close(i);
    } else if (dup3(temp[i], i, 0) < 0) {
      child_fail(err_pipe, errno);
    }
  }
  /* Park the exec fd and the error pipe right after the table, close the rest. */
  if (dup3(ex, count, O_CLOEXEC) < 0 || dup3(err_pipe, count + 1, O_CLOEXEC) < 0) child_fail(err_pipe, errno);
  err_pipe = count + 1;
  if (syscall(SYS_close_range, count + 2, ~0u, 0) < 0) child_fail(err_pipe, errno);

  /* Node ignores SIGPIPE and blocks some signals; exec keeps both. */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &dfl, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);

  syscall(SYS_execveat, count, "", argv, empty_env, AT_EMPTY_PATH);
  child_fail(err_pipe, errno);
}

int tsrun_spawn(int exec_fd, char *const argv[], const int *table, int count, int cgroup_fd, const int *join_fds,
                int join_count, pid_t *pid_out, int *pidfd_out, const char **syscall_name, int *join_failed) {
  *join_failed = -1;
  if (count > 256) {
    *syscall_name = "spawn";
    return -E2BIG;
  }
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) < 0) {
    *syscall_name = "pipe2";
    return -errno;
  }
  int high = count + 2;
  for (int i = 0; i < count; i++)
    if (table[i] >= high) high = table[i] + 1;
  if (exec_fd >= high) high = exec_fd + 1;
  if (err_pipe[1] >= high) high = err_pipe[1] + 1;

  int pidfd = -1;
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = CLONE_PIDFD | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
  args.pidfd = (uint64_t)(uintptr_t)&pidfd;
  args.exit_signal = SIGCHLD;
  args.cgroup = cgroup_fd >= 0 ? (uint64_t)cgroup_fd : 0;
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) {
    int err = errno;
    close(err_pipe[0]);
    close(err_pipe[1]);
    *syscall_name = "clone3";
    return -err;
  }
  if (pid == 0) child(exec_fd, argv, table, count, join_fds, join_count, err_pipe[1], high);

  close(err_pipe[1]);
  int report[2] = {0, -1};
  ssize_t n;
  do n = read(err_pipe[0], report, sizeof report);
  while (n < 0 && errno == EINTR);
  close(err_pipe[0]);
  if (n == sizeof report) {
    waitpid((pid_t)pid, NULL, 0);
    close(pidfd);
    *syscall_name = report[1] >= 0 ? "write" : "execveat";
    *join_failed = report[1];
    return -report[0];
  }
  *pid_out = (pid_t)pid;
  *pidfd_out = pidfd;
  return 0;
}
