/* The cgroup steps of the later commands, over the files and directories
 * create recorded (src/cgroup/ decided them): freeze, thaw, list the
 * processes, kill them all, remove the directories. Same order, waits and
 * timeouts as the TypeScript managers (cgroup-dir.ts, v1-manager.ts). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontdoor.h"

#define FREEZE_TIMEOUT_MS 5000
#define REMOVE_TIMEOUT_MS 2000

static bool is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void trim(char *s) {
  size_t n = strlen(s);
  while (n && strchr(" \t\n\r\v\f", s[n - 1])) s[--n] = '\0';
  size_t k = strspn(s, " \t\n\r\v\f");
  memmove(s, s + k, n - k + 1);
}

/* The freezer's state: the file whole (v1), or one key of a flat-keyed file
 * (v2 cgroup.events). NULL when unreadable. */
static const char *freezer_value(const struct lc_freezer *f, char *text, size_t len) {
  if (read_file(f->state_file, text, len) < 0) return NULL;
  if (!*f->state_key) {
    trim(text);
    return text;
  }
  static char found[64];
  bool any = false;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char key[64], value[64];
    /* later lines win, as parseFlatKeyed's map */
    if (sscanf(line, " %63s %63s", key, value) == 2 && strcmp(key, f->state_key) == 0) {
      memcpy(found, value, sizeof found);
      any = true;
    }
  }
  return any ? found : NULL;
}

bool cg_is_frozen(const struct lifecycle *lc) {
  if (!lc->freezer.present) return false;
  char text[4096];
  const char *v = freezer_value(&lc->freezer, text, sizeof text);
  return v && strcmp(v, lc->freezer.freeze_value) == 0;
}

static bool is_thawed(const struct lifecycle *lc) {
  char text[4096];
  const char *v = freezer_value(&lc->freezer, text, sizeof text);
  /* v1 waits for THAWED (not FREEZING); v2 for "frozen" other than 1. */
  if (lc->freezer.kind == FREEZER_V1) return v && strcmp(v, lc->freezer.thaw_value) == 0;
  return !v || strcmp(v, lc->freezer.freeze_value) != 0;
}

/* Poll with a short, growing interval (cgroup-dir.ts pollUntil). */
static bool poll_until(bool (*check)(const struct lifecycle *), const struct lifecycle *lc, int timeout_ms) {
  int64_t deadline = now_ms() + timeout_ms;
  int delay = 1;
  for (;;) {
    if (check(lc)) return true;
    int64_t left = deadline - now_ms();
    if (left <= 0) return false;
    sleep_ms(delay < left ? delay : (int)left);
    delay = delay * 2 < 25 ? delay * 2 : 25;
  }
}

static void dir_of(const char *file, char *out, size_t len) {
  snprintf(out, len, "%s", file);
  char *slash = strrchr(out, '/');
  if (slash && slash != out) *slash = '\0';
}

static void write_error(const char *value, const char *file, int err, char *why, size_t len) {
  char code[32];
  errno_code(err, code, sizeof code);
  struct buf b = {0};
  buf_str(&b, "cannot write ");
  json_string(&b, value);
  buf_printf(&b, " to %s: %s", file, code);
  snprintf(why, len, "%s", b.data ? b.data : "");
  free(b.data);
}

#define NO_FREEZER "the host has no freezer (neither the v1 freezer controller nor cgroup v2)"

int cg_freeze(const struct lifecycle *lc, char *why, size_t len) {
  const struct lc_freezer *f = &lc->freezer;
  if (!f->present) {
    snprintf(why, len, NO_FREEZER);
    return -1;
  }
  if (write_file(f->control, f->freeze_value) < 0) {
    write_error(f->freeze_value, f->control, errno, why, len);
    return -1;
  }
  if (poll_until(cg_is_frozen, lc, FREEZE_TIMEOUT_MS)) return 0;
  (void)write_file(f->control, f->thaw_value);
  char dir[4096];
  dir_of(f->control, dir, sizeof dir);
  snprintf(why, len, "cgroup %s did not freeze within %d ms", dir, FREEZE_TIMEOUT_MS);
  return -1;
}

int cg_thaw(const struct lifecycle *lc, char *why, size_t len) {
  const struct lc_freezer *f = &lc->freezer;
  if (!f->present) {
    snprintf(why, len, NO_FREEZER);
    return -1;
  }
  if (write_file(f->control, f->thaw_value) < 0) {
    write_error(f->thaw_value, f->control, errno, why, len);
    return -1;
  }
  if (poll_until(is_thawed, lc, FREEZE_TIMEOUT_MS)) return 0;
  char dir[4096];
  dir_of(f->control, dir, sizeof dir);
  snprintf(why, len, "cgroup %s did not thaw within %d ms", dir, FREEZE_TIMEOUT_MS);
  return -1;
}

struct pids {
  pid_t *v;
  size_t n, cap;
};

static void add_pid(struct pids *p, pid_t pid) {
  for (size_t i = 0; i < p->n; i++)
    if (p->v[i] == pid) return;
  if (p->n == p->cap) {
    p->cap = p->cap ? p->cap * 2 : 64;
    p->v = realloc(p->v, p->cap * sizeof *p->v);
    if (!p->v) fallback();
  }
  p->v[p->n++] = pid;
}

/* cgroup.procs of `dir`: ENOENT is none, another error -1. */
static int read_pids(const char *dir, struct pids *out) {
  char path[4096];
  snprintf(path, sizeof path, "%s/cgroup.procs", dir);
  FILE *f = fopen(path, "re");
  if (!f) return errno == ENOENT ? 0 : -1;
  long v;
  while (fscanf(f, "%ld", &v) == 1) add_pid(out, (pid_t)v);
  fclose(f);
  return 0;
}

/* `dir` and every sub-cgroup below it, parents first (breadth first). */
static int subtree(const char *dir, char ***out, size_t *n) {
  size_t cap = 16;
  char **dirs = malloc(cap * sizeof *dirs);
  if (!dirs) return -1;
  dirs[0] = strdup(dir);
  *n = 1;
  for (size_t i = 0; i < *n; i++) {
    DIR *d = opendir(dirs[i]);
    if (!d) {
      if (errno == ENOENT) continue;
      return -1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
      if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      if (*n == cap) {
        cap *= 2;
        dirs = realloc(dirs, cap * sizeof *dirs);
        if (!dirs) fallback();
      }
      if (asprintf(&dirs[(*n)++], "%s/%s", dirs[i], e->d_name) < 0) fallback();
    }
    closedir(d);
  }
  *out = dirs;
  return 0;
}

static int all_pids(const char *dir, struct pids *out) {
  if (!is_dir(dir)) return 0;
  char **dirs;
  size_t n;
  if (subtree(dir, &dirs, &n) < 0) return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) rc = read_pids(dirs[i], out);
  return rc;
}

int cg_procs(const struct lifecycle *lc, pid_t **out, size_t *n) {
  struct pids p = {0};
  for (size_t i = 0; i < lc->n_procs; i++) {
    if ((lc->procs[i].flags & PROCS_ALONE) && is_dir(lc->procs[i].path)) {
      p.n = 0;
      if (all_pids(lc->procs[i].path, &p) < 0) return -1;
      break;
    }
    if (lc->procs[i].flags & PROCS_ALONE) continue;
    if (all_pids(lc->procs[i].path, &p) < 0) return -1;
  }
  *out = p.v;
  *n = p.n;
  return 0;
}

static int signal_each(const struct lifecycle *lc, int sig) {
  pid_t *pids;
  size_t n;
  if (cg_procs(lc, &pids, &n) < 0) return -1;
  for (size_t i = 0; i < n; i++)
    if (kill(pids[i], sig) < 0 && errno != ESRCH) return -1;
  free(pids);
  return 0;
}

/* As the managers' killAll: cgroup.kill for SIGKILL where the kernel has it,
 * else freeze, signal each, thaw (a paused container stays paused except
 * after SIGKILL). */
int cg_kill_all(const struct lifecycle *lc, int sig) {
  char why[512];
  struct stat st;
  if (sig == SIGKILL && lc->cgroup_kill && stat(lc->cgroup_kill, &st) == 0) {
    bool was_frozen = cg_is_frozen(lc);
    if (write_file(lc->cgroup_kill, "1") < 0) return -1;
    if (was_frozen && (lc->cgroup_kill_flags & CGKILL_THAW_FROZEN)) return cg_thaw(lc, why, sizeof why);
    return 0;
  }
  bool was_frozen = cg_is_frozen(lc);
  if (!was_frozen && cg_freeze(lc, why, sizeof why) < 0) return signal_each(lc, sig);
  int rc = signal_each(lc, sig);
  if (!was_frozen || sig == SIGKILL) {
    if (cg_thaw(lc, why, sizeof why) < 0) rc = -1;
  }
  return rc;
}

static bool is_empty(const struct lifecycle *lc) {
  pid_t *pids;
  size_t n;
  if (cg_procs(lc, &pids, &n) < 0) return false;
  free(pids);
  return n == 0;
}

bool cg_wait_empty(const struct lifecycle *lc, int timeout_ms) {
  return poll_until(is_empty, lc, timeout_ms);
}

static bool dir_empty(const char *dir) {
  struct pids p = {0};
  if (read_pids(dir, &p) < 0) return false;
  free(p.v);
  return p.n == 0;
}

/* rmdir, waiting out EBUSY (a killed task leaves only once reaped). */
static int rmdir_when_empty(const char *dir, int64_t deadline) {
  for (;;) {
    if (rmdir(dir) == 0 || errno == ENOENT) return 0;
    if (errno != EBUSY || now_ms() >= deadline) return -1;
    int delay = 1;
    while (!dir_empty(dir) && now_ms() < deadline) {
      sleep_ms(delay);
      delay = delay * 2 < 25 ? delay * 2 : 25;
    }
    sleep_ms(5);
  }
}

int cg_remove(const struct lifecycle *lc) {
  int rc = 0;
  for (size_t i = 0; i < lc->n_rmdirs; i++) {
    const char *dir = lc->rmdirs[i].path;
    if (lc->rmdirs[i].flags == RMDIR_IF_EMPTY) {
      if (rmdir(dir) < 0 && errno != ENOENT && errno != EBUSY && errno != ENOTEMPTY) rc = -1;
      continue;
    }
    int64_t deadline = now_ms() + REMOVE_TIMEOUT_MS;
    char **dirs;
    size_t n;
    if (subtree(dir, &dirs, &n) < 0) {
      rc = -1;
      continue;
    }
    for (size_t k = n; k-- > 1;)
      if (rmdir_when_empty(dirs[k], deadline) < 0) rc = -1;
    if (rmdir_when_empty(dir, deadline) < 0) rc = -1;
  }
  return rc;
}

/* src/container/cgroup-guard.ts: the recorded cgroup must hold the live
 * container process, and (with a mount namespace of its own) no process of
 * the runtime's mount namespace. false sends the call to node, which
 * refuses with its message. */
bool cg_guard_ok(const struct lifecycle *lc, enum status st) {
  pid_t *pids;
  size_t n;
  if (cg_procs(lc, &pids, &n) < 0) return false;
  bool ok = true;
  if (st != ST_STOPPED) {
    ok = false;
    for (size_t i = 0; i < n; i++)
      if (pids[i] == lc->pid) ok = true;
  }
  if (ok && (lc->flags & LCF_MOUNT_NS)) {
    char own[64] = "", other[64], path[64];
    ssize_t k = readlink("/proc/self/ns/mnt", own, sizeof own - 1);
    if (k > 0) own[k] = '\0';
    for (size_t i = 0; i < n && ok; i++) {
      snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int)pids[i]);
      ssize_t m = readlink(path, other, sizeof other - 1);
      if (m <= 0) continue;
      other[m] = '\0';
      if (strcmp(own, other) == 0) ok = false;
    }
  }
  free(pids);
  return ok;
}
