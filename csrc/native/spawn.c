/* Start tsrun-init from inside the multithreaded Node process. Between
 * clone3 and execveat the child only makes async-signal-safe system calls
 * on data prepared before the clone: no malloc, no locks, no JS.
 *
 * The child shares the parent's memory until it execs (CLONE_VM |
 * CLONE_VFORK, as posix_spawn does) on a stack of its own: copying the
 * page tables of a Node process (tens of MB) and then taking a write fault
 * on every page Node touches afterwards cost more than the rest of the
 * spawn. The calling thread sleeps until the child execs or exits; all
 * signals stay blocked across the clone, so no Node handler can run in the
 * child before it resets them. Other architectures than x86-64 (no
 * trampoline below yet) fall back to a plain copy (fork). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "native.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#define CHILD_STACK (64 * 1024)

struct child_args {
  int exec_fd;
  char *const *argv;
  const int *table;
  int count;
  const int *join_fds;
  int join_count;
  int err_pipe;
  int high;
};

/* The child reports {errno, stage}: stage i >= 0 is join_fds[i], -1 the
 * fd table or execveat. */
static void child_fail_at(int err_pipe, int err, int stage) {
  int report[2] = {err, stage};
  (void)!write(err_pipe, report, sizeof report);
  _exit(127);
}

static void child_fail(int err_pipe, int err) {
  child_fail_at(err_pipe, err, -1);
}

/* Runs in the child. Every needed fd is first duplicated above all
 * targets, so that placing one cannot clobber another still to be placed. */
static int child(void *p) {
  const struct child_args *a = p;
  static char *const empty_env[] = {NULL};
  int temp[256];
  int err_pipe = a->err_pipe;
  /* Node's handlers must never run here (shared memory): back to the
   * defaults before any signal is let through. Node ignores SIGPIPE and
   * blocks some signals; exec would keep both. */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &dfl, NULL);
  /* cgroup v1 has no CLONE_INTO_CGROUP: join each v1 cgroup before
   * anything else runs, so that every process the init forks is inside
   * them too. "0" in cgroup.procs means the writing process. */
  for (int i = 0; i < a->join_count; i++) {
    ssize_t n;
    do n = write(a->join_fds[i], "0", 1);
    while (n < 0 && errno == EINTR);
    if (n < 0) child_fail_at(err_pipe, errno, i);
  }
  int ep = fcntl(err_pipe, F_DUPFD_CLOEXEC, a->high);
  if (ep < 0) child_fail(err_pipe, errno);
  err_pipe = ep;
  int ex = fcntl(a->exec_fd, F_DUPFD_CLOEXEC, a->high);
  if (ex < 0) child_fail(err_pipe, errno);
  for (int i = 0; i < a->count; i++) {
    temp[i] = a->table[i] < 0 ? -1 : fcntl(a->table[i], F_DUPFD_CLOEXEC, a->high);
    if (a->table[i] >= 0 && temp[i] < 0) child_fail(err_pipe, errno);
  }
  for (int i = 0; i < a->count; i++) {
    if (temp[i] < 0) {
      close(i);
    } else if (dup3(temp[i], i, 0) < 0) {
      child_fail(err_pipe, errno);
    }
  }
  /* Park the exec fd and the error pipe right after the table, close the rest. */
  if (dup3(ex, a->count, O_CLOEXEC) < 0 || dup3(err_pipe, a->count + 1, O_CLOEXEC) < 0) child_fail(err_pipe, errno);
  err_pipe = a->count + 1;
  if (syscall(SYS_close_range, a->count + 2, ~0u, 0) < 0) child_fail(err_pipe, errno);

  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);

  syscall(SYS_execveat, a->count, "", a->argv, empty_env, AT_EMPTY_PATH);
  child_fail(err_pipe, errno);
  return 127;
}

#if defined(__x86_64__)
#define SHARED_VM_SPAWN 1
#else
#define SHARED_VM_SPAWN 0
#endif

#if SHARED_VM_SPAWN
/* clone3 whose child starts on args->stack and calls fn(arg), never
 * returning into this frame (whose stack it does not own). Returns the
 * child's pid or -errno in the parent. */
static long clone3_call(struct clone_args *args, int (*fn)(void *), void *arg) {
  long ret;
  __asm__ volatile(
      "syscall\n\t"
      "test %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      "xor %%ebp, %%ebp\n\t"
      "mov %[arg], %%rdi\n\t"
      "call *%[fn]\n\t"
      "mov %%eax, %%edi\n\t"
      "mov %[nr_exit], %%eax\n\t"
      "syscall\n\t"
      "hlt\n\t"
      "1:\n\t"
      : "=a"(ret)
      : "0"((long)SYS_clone3), "D"(args), "S"(sizeof *args), [fn] "r"(fn), [arg] "r"(arg), [nr_exit] "i"(SYS_exit)
      : "rcx", "r11", "memory");
  return ret;
}
#endif

int tsrun_spawn(int exec_fd, char *const argv[], const int *table, int count, int cgroup_fd, const int *join_fds, int join_count,
                pid_t *pid_out, int *pidfd_out, const char **syscall_name, int *join_failed) {
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
  struct child_args ca = {exec_fd, argv, table, count, join_fds, join_count, err_pipe[1], high};

  /* The child's stack, with a guard page below it. */
  char *stack = NULL;
  if (SHARED_VM_SPAWN) {
    stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED || mprotect(stack, 4096, PROT_NONE) < 0) {
      int err = errno;
      if (stack != MAP_FAILED) munmap(stack, CHILD_STACK);
      close(err_pipe[0]);
      close(err_pipe[1]);
      *syscall_name = "mmap";
      return -err;
    }
  }

  int pidfd = -1;
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = CLONE_PIDFD | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0) | (SHARED_VM_SPAWN ? CLONE_VM | CLONE_VFORK : 0);
  args.pidfd = (uint64_t)(uintptr_t)&pidfd;
  args.exit_signal = SIGCHLD;
  args.cgroup = cgroup_fd >= 0 ? (uint64_t)cgroup_fd : 0;
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
#if SHARED_VM_SPAWN
  args.stack = (uint64_t)(uintptr_t)stack;
  args.stack_size = CHILD_STACK;
  long pid = clone3_call(&args, child, &ca);
  if (pid < 0) {
    errno = (int)-pid;
    pid = -1;
  }
#else
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) child(&ca);
#endif
  int clone_errno = errno;
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  /* CLONE_VFORK: the child has exec'd or exited, its stack is free. */
  if (stack) munmap(stack, CHILD_STACK);
  if (pid < 0) {
    close(err_pipe[0]);
    close(err_pipe[1]);
    *syscall_name = "clone3";
    return -clone_errno;
  }

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
