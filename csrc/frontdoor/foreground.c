/* `tsrun run` in the foreground without a terminal: after create and start
 * the node process execs the front door as
 *   tsrun --root R [--log F] --log-format X __foreground ID PID keep|delete
 * in the same process, which stays the container's subreaper and parent.
 * It waits for PID, forwards the signals src/cli/foreground.ts forwards,
 * deletes the container (unless --keep) and exits with its status as a
 * shell would (128 + signal when killed). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frontdoor.h"

static volatile pid_t target;

static void forward(int sig) {
  int saved = errno;
  if (target > 0) kill(target, sig);
  errno = saved;
}

int cmd_foreground(const struct globals *g, const char *id, pid_t pid, bool keep) {
  static const int FORWARDED[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
  target = pid;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof FORWARDED / sizeof *FORWARDED; i++) sigaction(FORWARDED[i], &sa, NULL);
  /* Node may have left signals blocked in the mask execve keeps. */
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno == EINTR) continue;
    status = 0; /* not our child (already reaped): nothing to report */
    break;
  }
  int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  target = 0;
  if (!keep) {
    foreground_exit_code = code;
    cmd_delete(g, id, true);
  }
  return code;
}
