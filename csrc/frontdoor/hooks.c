/* poststart and poststop hooks, as src/hooks/run-hooks.ts runs them: the
 * state JSON on stdin (a hook that does not read it is judged by how it
 * ended, never by EPIPE), stdout and stderr piped, `timeout` seconds then
 * SIGKILL, and a failure only warned, naming the hook ("poststart[0]"). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frontdoor.h"

#define MAX_OUTPUT (1u << 20) /* spawnSync's maxBuffer */

extern char **environ;

/* Node's names for a terminating signal (signo_string). */
static const char *node_signal_name(int sig) {
  static const char *names[] = {
      [1] = "SIGHUP",   [2] = "SIGINT",     [3] = "SIGQUIT",  [4] = "SIGILL",     [5] = "SIGTRAP",  [6] = "SIGABRT",
      [7] = "SIGBUS",   [8] = "SIGFPE",     [9] = "SIGKILL",  [10] = "SIGUSR1",   [11] = "SIGSEGV", [12] = "SIGUSR2",
      [13] = "SIGPIPE", [14] = "SIGALRM",   [15] = "SIGTERM", [16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT",
      [19] = "SIGSTOP", [20] = "SIGTSTP",   [21] = "SIGTTIN", [22] = "SIGTTOU",   [23] = "SIGURG",  [24] = "SIGXCPU",
      [25] = "SIGXFSZ", [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH",  [29] = "SIGIO",   [30] = "SIGPWR",
      [31] = "SIGSYS",
  };
  return sig > 0 && sig < 32 ? names[sig] : NULL;
}

/* The last three lines of the trimmed stderr, joined by spaces. */
static void tail(struct buf *out, char *err) {
  size_t n = strlen(err);
  while (n && strchr(" \t\n\r\v\f", err[n - 1])) err[--n] = '\0';
  char *s = err + strspn(err, " \t\n\r\v\f");
  if (!*s) return;
  char *start = s + strlen(s);
  int lines = 0;
  while (start > s) {
    if (start[-1] == '\n' && ++lines == 3) break;
    start--;
  }
  buf_str(out, ": ");
  for (char *p = start; *p; p++) buf_add(out, *p == '\n' ? " " : p, 1);
}

/* Runs one hook; returns NULL on success, else the warning text (malloc'd). */
static char *run_hook(const struct record *r, const char *name, const char *state) {
  const char *path = rec_str(r, 0);
  uint32_t argc = (uint32_t)rec_num(r, LC_HOOK_ARGC);
  uint32_t envc = (uint32_t)rec_num(r, LC_HOOK_ENV_COUNT);
  uint64_t timeout = rec_num(r, LC_HOOK_TIMEOUT);
  bool has_env = rec_num(r, LC_HOOK_HAS_ENV) != 0;
  /* argv: args, or the path alone; execve's file is always the path. */
  char **argv = calloc((size_t)argc + 2, sizeof *argv);
  char **envp = calloc((size_t)envc + 1, sizeof *envp);
  if (!argv || !envp) fallback();
  if (argc == 0) argv[0] = (char *)path;
  for (uint32_t i = 0; i < argc; i++) argv[i] = (char *)rec_str(r, 1 + i);
  /* envObject() keeps entries with a '=' after the first character. */
  uint32_t k = 0;
  for (uint32_t i = 0; i < envc; i++) {
    const char *e = rec_str(r, 1 + argc + i);
    const char *eq = strchr(e, '=');
    if (eq && eq > e) envp[k++] = (char *)e;
  }

  struct buf msg = {0};
  int in[2], outp[2], errp[2], report[2];
  if (pipe2(in, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0) fallback();
  pid_t pid = fork();
  if (pid < 0) fallback();
  if (pid == 0) {
    signal(SIGPIPE, SIG_DFL);
    dup2(in[0], 0);
    dup2(outp[1], 1);
    dup2(errp[1], 2);
    if (has_env) environ = envp;
    execvp(path, argv);
    int e = errno;
    (void)!write(report[1], &e, sizeof e);
    _exit(127);
  }
  close(in[0]);
  close(outp[1]);
  close(errp[1]);
  close(report[1]);
  int spawn_err = 0;
  if (read(report[0], &spawn_err, sizeof spawn_err) != sizeof spawn_err) spawn_err = 0;
  close(report[0]);

  fcntl(in[1], F_SETFL, O_NONBLOCK);
  struct buf errbuf = {0};
  size_t state_len = strlen(state), written = 0;
  int64_t deadline = timeout ? now_ms() + (int64_t)timeout * 1000 : 0;
  bool timed_out = false;
  struct pollfd fds[3] = {{in[1], POLLOUT, 0}, {outp[0], POLLIN, 0}, {errp[0], POLLIN, 0}};
  if (state_len == 0 || spawn_err) {
    close(in[1]);
    fds[0].fd = -1;
  }
  while (fds[1].fd >= 0 || fds[2].fd >= 0) {
    int wait = -1;
    if (deadline) {
      int64_t left = deadline - now_ms();
      if (left <= 0) {
        timed_out = true;
        kill(pid, SIGKILL);
        break;
      }
      wait = (int)left;
    }
    if (poll(fds, 3, wait) < 0 && errno != EINTR) break;
    if (fds[0].fd >= 0 && fds[0].revents) {
      ssize_t n = write(in[1], state + written, state_len - written);
      if (n > 0) written += (size_t)n;
      /* EPIPE: the hook did not read its stdin; that says nothing about it. */
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == state_len) {
        close(in[1]);
        fds[0].fd = -1;
      }
    }
    for (int i = 1; i < 3; i++) {
      if (fds[i].fd < 0 || !fds[i].revents) continue;
      char chunk[4096];
      ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
      } else if (i == 2 && errbuf.len + (size_t)n <= MAX_OUTPUT) {
        buf_add(&errbuf, chunk, (size_t)n);
      }
    }
  }
  for (int i = 0; i < 3; i++)
    if (fds[i].fd >= 0) close(fds[i].fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  char *stderr_text = errbuf.data ? errbuf.data : strdup("");
  if (spawn_err) {
    char code[32];
    errno_code(spawn_err, code, sizeof code);
    buf_printf(&msg, "%s %s: spawnSync %s %s", name, path, path, code);
  } else if (timed_out) {
    buf_printf(&msg, "%s %s timed out after %llus", name, path, (unsigned long long)timeout);
  } else if (WIFSIGNALED(status)) {
    const char *sig = node_signal_name(WTERMSIG(status));
    if (sig) buf_printf(&msg, "%s %s killed by %s", name, path, sig);
    else buf_printf(&msg, "%s %s exited with status null", name, path);
    tail(&msg, stderr_text);
  } else if (WEXITSTATUS(status) != 0) {
    buf_printf(&msg, "%s %s exited with status %d", name, path, WEXITSTATUS(status));
    tail(&msg, stderr_text);
  }
  free(stderr_text);
  free(argv);
  free(envp);
  return msg.data;
}

void run_hooks_warning(const struct lifecycle *lc, uint64_t kind, const char *kind_name, const char *state) {
  int index = 0;
  for (size_t i = 0; i < lc->n_hooks; i++) {
    if (rec_num(&lc->hooks[i], LC_HOOK_KIND) != kind) continue;
    char name[64];
    snprintf(name, sizeof name, "%s[%d]", kind_name, index++);
    char *warning = run_hook(&lc->hooks[i], name, state);
    if (warning) report_warn(warning);
    free(warning);
  }
}
