/* createContainer and startContainer hooks run inside the container's
 * namespaces, so tsrun-init runs them itself: the state JSON on stdin,
 * the timeout enforced through a pidfd. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"

#define HOOK_MAX_ARGS 256
#define HOOK_MAX_ENV 1024

static const char *hook_kind_name(uint64_t kind) {
  return kind == HOOK_CREATE_CONTAINER ? "createContainer" : "startContainer";
}

static void run_hook(const struct record *rec, int index) {
  static char *argv[HOOK_MAX_ARGS + 1], *envp[HOOK_MAX_ENV + 1];
  const char *name = hook_kind_name(rec_num(rec, HOOK_KIND));
  uint64_t timeout = rec_num(rec, HOOK_TIMEOUT), argc = rec_num(rec, HOOK_ARGC);
  const char *path = rec_str(rec, 0);
  if (argc > HOOK_MAX_ARGS || rec->str_count - 1 - argc > HOOK_MAX_ENV)
    fail(STEP_HOOKS, E2BIG, "%s[%d] %s: too many arguments", name, index, path);
  uint32_t i = 0, e = 0;
  for (; i < argc; i++) argv[i] = (char *)rec_str(rec, 1 + i);
  argv[i] = NULL;
  for (uint32_t s = 1 + (uint32_t)argc; s < rec->str_count; s++) envp[e++] = (char *)rec_str(rec, s);
  envp[e] = NULL;

  int in[2];
  if (pipe2(in, O_CLOEXEC) < 0) fail(STEP_HOOKS, errno, "pipe for %s[%d]", name, index);
  pid_t pid = fork();
  if (pid < 0) fail(STEP_HOOKS, errno, "fork for %s[%d]", name, index);
  if (pid == 0) {
    if (dup2(in[0], 0) < 0) _exit(127);
    execve(path, argc ? argv : (char *[]){(char *)path, NULL}, envp);
    _exit(127);
  }
  close(in[0]);
  /* A hook that ignores stdin must not block us: EPIPE is fine. */
  signal(SIGPIPE, SIG_IGN);
  (void)!write(in[1], g.state_json, g.state_len);
  close(in[1]);
  signal(SIGPIPE, SIG_DFL);

  if (timeout) {
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    int r;
    do r = poll(&p, 1, (int)(timeout * 1000));
    while (r < 0 && errno == EINTR);
    if (r == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, NULL, 0);
      fail(STEP_HOOKS, ETIMEDOUT, "%s[%d] %s timed out after %llus", name, index, path, (unsigned long long)timeout);
    }
    close(pidfd);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) fail(STEP_HOOKS, errno, "wait for %s[%d]", name, index);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  if (WIFEXITED(status)) fail(STEP_HOOKS, 0, "%s[%d] %s exited with status %d", name, index, path, WEXITSTATUS(status));
  fail(STEP_HOOKS, 0, "%s[%d] %s killed by signal %d", name, index, path, WTERMSIG(status));
}

void step_hooks(uint32_t kind) {
  struct record rec;
  const uint8_t *cur = NULL;
  int index = 0;
  while (plan_next(&g.plan, &cur, &rec))
    if (rec.kind == REC_HOOK && rec_num(&rec, HOOK_KIND) == kind) run_hook(&rec, index++);
}
