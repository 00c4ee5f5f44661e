/* The commands the front door serves, each a few syscalls over the
 * lifecycle record, in the order src/container/{start,kill,delete,pause,
 * ps}.ts take them. A check whose failure the TypeScript side words (wrong
 * status, a foreign cgroup, a failed syscall before any effect) hands the
 * call to node instead of copying its text. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../include/wire.h"
#include "frontdoor.h"

#define FIFO_TIMEOUT_MS 120000
#define FIFO_POLL_SLICE_MS 10
#define DELETE_WAIT_MS 10000

static void container_dir(const struct globals *g, const char *id, char *out, size_t len) {
  if ((size_t)snprintf(out, len, "%s/%s", g->root, id) >= len) fallback();
}

/* The record of a container whose state.json is as create left it. */
static void load(const struct globals *g, const char *id, char *dir, size_t len, struct lifecycle *lc) {
  container_dir(g, id, dir, len);
  if (lifecycle_load(dir, lc) < 0 || strcmp(lc->id, id) != 0 || !state_file_unchanged(dir, lc)) fallback();
}

/* The per-container lock of src/state/lock.ts (flock on the directory).
 * O_CLOEXEC: a hand-over to node releases it. */
static int lock_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fallback();
  while (flock(fd, LOCK_EX) < 0)
    if (errno != EINTR) fallback();
  return fd;
}

int cmd_state(const struct globals *g, const char *id) {
  char dir[4096];
  struct lifecycle lc;
  load(g, id, dir, sizeof dir, &lc);
  struct buf b = {0};
  state_json(&b, &lc, status_name(container_status(&lc)), true);
  buf_str(&b, "\n");
  return write_all(1, b.data, b.len) < 0 ? 1 : 0;
}

static const char *STEP_NAMES[] = {
    [STEP_PLAN] = "plan",
    [STEP_NAMESPACES] = "namespaces",
    [STEP_IDMAP] = "idmap",
    [STEP_MOUNTS] = "mounts",
    [STEP_DEVICES] = "devices",
    [STEP_HOOKS] = "hooks",
    [STEP_PIVOT_ROOT] = "pivot_root",
    [STEP_PATHS] = "paths",
    [STEP_IDENTITY] = "identity",
    [STEP_CONSOLE] = "console",
    [STEP_CAPABILITIES] = "capabilities",
    [STEP_NO_NEW_PRIVS] = "no_new_privs",
    [STEP_FDS] = "fds",
    [STEP_EXEC_FIFO] = "exec_fifo",
    [STEP_EXEC] = "exec",
    [STEP_SYNC] = "sync",
    [STEP_SECCOMP] = "seccomp",
    [STEP_PROCESS_ATTRS] = "process_attrs",
    [STEP_LSM] = "lsm",
};

/* What the init wrote on the fifo after its "0" (csrc/init/report.c): the
 * socket's ERROR message, a struct tsr_msg and `len` bytes of detail;
 * reported as start.ts reports its InitError (src/launch/exec-fifo.ts). */
static void init_error(const char *data, size_t len) {
  struct tsr_msg m;
  struct buf b = {0};
  if (len >= sizeof m) memcpy(&m, data, sizeof m);
  if (len < sizeof m || m.type != MSG_ERROR || m.len > len - sizeof m) {
    buf_printf(&b, "exec_fifo: malformed report on the exec fifo (%zu bytes)", len + 1);
    report_error(b.data);
    return;
  }
  const char *name = m.step < sizeof STEP_NAMES / sizeof *STEP_NAMES ? STEP_NAMES[m.step] : NULL;
  if (name) buf_str(&b, name);
  else buf_printf(&b, "step %u", m.step);
  buf_printf(&b, ": %.*s", (int)m.len, data + sizeof m);
  if (m.value) {
    const char *t = errno_text(m.value);
    if (t) buf_printf(&b, ": %s", t);
    else buf_printf(&b, ": errno %d", m.value);
  }
  report_error(b.data);
}

int cmd_start(const struct globals *g, const char *id) {
  char dir[4096];
  container_dir(g, id, dir, sizeof dir);
  int lock = lock_dir(dir);
  struct lifecycle lc;
  load(g, id, dir, sizeof dir, &lc);
  if (container_status(&lc) != ST_CREATED) fallback();
  /* The exec fifo protocol (csrc/init/exec.c): "0" once the init has it
   * open, then EOF at execve; on failure the ERROR message after the "0".
   * Non-blocking: a dead init never hangs start. */
  int fd = open(lc.fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) fallback();
  /* Gone from here on, as start.ts does: the fifo's presence means
   * "created", and a start killed after this point must not leave a
   * container that runs while it still looks created. */
  if (unlink(lc.fifo) < 0) {
    int err = errno;
    const char *t = errno_text(err);
    /* node's fs error: "ENOENT: no such file or directory, unlink '<path>'" */
    char code[32];
    errno_code(err, code, sizeof code);
    struct buf b = {0};
    buf_printf(&b, "%s: %.*s, unlink '%s'", code, t ? (int)(strlen(t) - strlen(code) - 3) : 0, t ? t + strlen(code) + 2 : "", lc.fifo);
    report_error(b.data);
    close(fd);
    return 1;
  }
  struct buf got = {0};
  int64_t deadline = now_ms() + FIFO_TIMEOUT_MS;
  char msg[512];
  for (;;) {
    char chunk[1024];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n > 0) {
      buf_add(&got, chunk, (size_t)n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      close(fd);
      fallback();
    }
    if (n == 0 && got.len) break;
    if (!got.len && !pid_alive(lc.pid, lc.start_time)) {
      snprintf(msg, sizeof msg, "container %s exited before it could start", id);
      report_error(msg);
      return 1;
    }
    if (now_ms() > deadline) {
      snprintf(msg, sizeof msg, "container %s did not answer on its exec fifo", id);
      report_error(msg);
      return 1;
    }
    /* Woken by the "0" or by the EOF of the init's execve, not a polling
     * tick later; in slices, so that an init that died is noticed. A
     * writer that left without a word makes poll return at once: sleep. */
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (n == 0 || poll(&p, 1, FIFO_POLL_SLICE_MS) < 0) sleep_ms(1);
  }
  close(fd);
  if (got.data[0] != '0') {
    struct buf b = {0};
    buf_printf(&b, "exec_fifo: unexpected data on the exec fifo");
    report_error(b.data);
    return 1;
  }
  if (got.len > 1) {
    init_error(got.data + 1, got.len - 1);
    return 1;
  }
  close(lock);
  struct buf state = {0};
  state_json(&state, &lc, "running", false);
  run_hooks_warning(&lc, LC_HOOK_KIND_POSTSTART, "poststart", state.data);
  return 0;
}

int cmd_kill(const struct globals *g, const char *id, int sig, bool all) {
  char dir[4096];
  struct lifecycle lc;
  load(g, id, dir, sizeof dir, &lc);
  enum status st = container_status(&lc);
  /* "container not running" is containerd's to parse: node words it. */
  if (st == ST_STOPPED || !cg_guard_ok(&lc, st)) fallback();
  if (all) {
    if (cg_kill_all(&lc, sig) < 0) fallback();
    return 0;
  }
  if (kill(lc.pid, sig) < 0) fallback();
  /* runc: a frozen task handles SIGKILL only once thawed. */
  char why[512];
  if (sig == SIGKILL && st == ST_PAUSED && cg_thaw(&lc, why, sizeof why) < 0) {
    report_error(why);
    return 1;
  }
  return 0;
}

/* rm -rf of the container directory (its files are tsrun's own). */
static int remove_tree(int parent, const char *name) {
  int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return unlinkat(parent, name, 0) == 0 || errno == ENOENT ? 0 : -1;
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return -1;
  }
  struct dirent *e;
  int rc = 0;
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (remove_tree(dirfd(d), e->d_name) < 0) rc = -1;
  }
  closedir(d);
  if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT) rc = -1;
  return rc;
}

int cmd_delete(const struct globals *g, const char *id, bool force) {
  char dir[4096];
  container_dir(g, id, dir, sizeof dir);
  int lock = lock_dir(dir);
  struct lifecycle lc;
  load(g, id, dir, sizeof dir, &lc);
  enum status st = container_status(&lc);
  if ((st == ST_RUNNING || st == ST_PAUSED) && !force) fallback();
  /* Host mounts and network devices to undo: the TypeScript delete does it. */
  if ((lc.flags & LCF_DELETE_IN_NODE) || !cg_guard_ok(&lc, st)) fallback();
  /* Also for a stopped container: without a pid namespace, daemons the
   * init forked outlive it, and the cgroup cannot go with them in it. */
  pid_t *pids;
  size_t n;
  if (cg_procs(&lc, &pids, &n) < 0) fallback();
  free(pids);
  if ((st != ST_STOPPED || n > 0) && cg_kill_all(&lc, SIGKILL) < 0) fallback();
  if (!cg_wait_empty(&lc, DELETE_WAIT_MS)) {
    char msg[512];
    snprintf(msg, sizeof msg, "processes of container %s still alive after SIGKILL", id);
    report_warn(msg);
  }
  /* On failure node redoes delete from state.json, still in place. */
  if (cg_remove(&lc) < 0) fallback();
  const char *slash = strrchr(dir, '/');
  char parent[4096];
  snprintf(parent, sizeof parent, "%.*s", slash ? (int)(slash - dir) : 0, dir);
  int pfd = open(*parent ? parent : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (pfd < 0 || remove_tree(pfd, slash ? slash + 1 : dir) < 0) fallback();
  close(pfd);
  close(lock);
  struct buf state = {0};
  state_json(&state, &lc, "stopped", false);
  run_hooks_warning(&lc, LC_HOOK_KIND_POSTSTOP, "poststop", state.data);
  return 0;
}

int cmd_pause(const struct globals *g, const char *id) {
  char dir[4096];
  struct lifecycle lc;
  load(g, id, dir, sizeof dir, &lc);
  enum status st = container_status(&lc);
  if ((st != ST_RUNNING && st != ST_CREATED) || !lc.freezer.present) fallback();
  char why[512];
  if (cg_freeze(&lc, why, sizeof why) < 0) {
    report_error(why);
    return 1;
  }
  return 0;
}

int cmd_resume(const struct globals *g, const char *id) {
  char dir[4096];
  struct lifecycle lc;
  load(g, id, dir, sizeof dir, &lc);
  if (container_status(&lc) != ST_PAUSED) fallback();
  char why[512];
  if (cg_thaw(&lc, why, sizeof why) < 0) {
    report_error(why);
    return 1;
  }
  return 0;
}

static int cmp_pid(const void *a, const void *b) {
  pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
  return (x > y) - (x < y);
}

/* Whitespace-separated field `index` of a line, or NULL. */
static const char *nth_field(const char *line, size_t end, int index, size_t *len) {
  size_t i = 0;
  for (int f = 0;; f++) {
    while (i < end && strchr(" \t\r\v\f", line[i])) i++;
    if (i >= end) return NULL;
    size_t start = i;
    while (i < end && !strchr(" \t\r\v\f", line[i])) i++;
    if (f == index) {
      *len = i - start;
      return line + start;
    }
  }
}

/* ps(1)'s output: its header and the lines whose PID is the container's
 * (src/container/ps.ts filterPsTable). */
static int ps_table(pid_t *pids, size_t n, char **ps_args, int n_ps_args) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) < 0) fallback();
  char *argv[n_ps_args + 3];
  argv[0] = "ps";
  int argc = 1;
  if (n_ps_args == 0) argv[argc++] = "-ef";
  for (int i = 0; i < n_ps_args; i++) argv[argc++] = ps_args[i];
  argv[argc] = NULL;
  pid_t child = fork();
  if (child < 0) fallback();
  if (child == 0) {
    dup2(out[1], 1);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 2);
    execvp("ps", argv);
    _exit(127);
  }
  close(out[1]);
  struct buf text = {0};
  char chunk[8192];
  ssize_t k;
  while ((k = read(out[0], chunk, sizeof chunk)) != 0) {
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) break;
    buf_add(&text, chunk, (size_t)k);
  }
  close(out[0]);
  int status;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  /* ps failed or printed no PID column: node words the error. */
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !text.data) fallback();
  const char *header = text.data;
  size_t header_end = strcspn(header, "\n");
  int column = -1;
  size_t len;
  for (int f = 0; nth_field(header, header_end, f, &len); f++) {
    const char *w = nth_field(header, header_end, f, &len);
    if (len == 3 && memcmp(w, "PID", 3) == 0) {
      column = f;
      break;
    }
  }
  if (column < 0) fallback();
  struct buf res = {0};
  buf_add(&res, header, header_end);
  buf_str(&res, "\n");
  for (const char *line = header + header_end; *line;) {
    line++;
    size_t end = strcspn(line, "\n");
    const char *w = nth_field(line, end, column, &len);
    if (w && len > 0 && len < 12 && strspn(w, "0123456789") == len) {
      pid_t pid = (pid_t)strtol(w, NULL, 10);
      for (size_t i = 0; i < n; i++)
        if (pids[i] == pid) {
          buf_add(&res, line, end);
          buf_str(&res, "\n");
          break;
        }
    }
    line += end;
  }
  return write_all(1, res.data, res.len) < 0 ? 1 : 0;
}

int cmd_ps(const struct globals *g, const char *id, bool json, char **ps_args, int n_ps_args) {
  char dir[4096];
  struct lifecycle lc;
  load(g, id, dir, sizeof dir, &lc);
  pid_t *pids;
  size_t n;
  if (cg_procs(&lc, &pids, &n) < 0) fallback();
  qsort(pids, n, sizeof *pids, cmp_pid);
  if (!json) return ps_table(pids, n, ps_args, n_ps_args);
  struct buf b = {0};
  buf_str(&b, "[");
  for (size_t i = 0; i < n; i++) buf_printf(&b, "%s%d", i ? "," : "", (int)pids[i]);
  buf_str(&b, "]\n");
  return write_all(1, b.data, b.len) < 0 ? 1 : 0;
}
