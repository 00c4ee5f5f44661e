/* The C front door (bin/tsrun): serves start, state, kill, delete, pause,
 * resume and ps from a container's lifecycle record, and hands every other
 * call to the TypeScript CLI (node dist/tsrun.cjs) with argv unchanged.
 * Whatever it does not fully understand — an unknown flag, an error whose
 * wording the TypeScript side owns, a container without a lifecycle
 * record — also goes to node, before any side effect where possible. */
#ifndef TSRUN_FRONTDOOR_H
#define TSRUN_FRONTDOOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../init/plan-reader.h"

#define MAX_LC_ITEMS 64

struct lc_freezer {
  bool present;
  uint64_t kind; /* FREEZER_* */
  const char *control, *freeze_value, *thaw_value, *state_file, *state_key;
};

struct lc_dir {
  uint64_t flags; /* PROCS_* or RMDIR_* */
  const char *path;
};

/* A loaded lifecycle record: strings point into its buffer. */
struct lifecycle {
  void *buf;
  struct plan plan;
  pid_t pid;
  uint64_t start_time, flags;
  const char *oci_version, *id, *bundle, *rootfs, *created, *owner;
  const char *fifo;
  const char *annotations[MAX_LC_ITEMS][2];
  size_t n_annotations;
  struct lc_freezer freezer;
  struct lc_dir procs[MAX_LC_ITEMS];
  size_t n_procs;
  const char *cgroup_kill;
  uint64_t cgroup_kill_flags;
  struct lc_dir rmdirs[MAX_LC_ITEMS];
  size_t n_rmdirs;
  struct record hooks[MAX_LC_ITEMS];
  size_t n_hooks;
};

enum status { ST_CREATED, ST_RUNNING, ST_PAUSED, ST_STOPPED };

/* What the command line said (global flags as src/cli/global-flags.ts). */
struct globals {
  const char *root;
  const char *log;
  bool log_json;
  const char *command;
};

/* main.c: exec node with the original argv; never returns. In the
 * foreground wait (foreground_exit_code >= 0) it runs `node ... delete
 * --force ID` instead and exits with the container's status. */
_Noreturn void fallback(void);
extern int foreground_exit_code;

/* primer.c: for create, run and exec on a host with cgroup v1, fork the
 * process that takes the cgroup lock's grace period while node starts. */
void cgroup_lock_prime(void);

/* lifecycle.c */
int lifecycle_load(const char *dir, struct lifecycle *lc);
/* The same from a buffer the caller keeps (lc points into it). */
int lifecycle_parse(struct lifecycle *lc, const void *buf, size_t size);
bool state_file_unchanged(const char *dir, const struct lifecycle *lc);

/* status.c */
bool pid_alive(pid_t pid, uint64_t start_time);
enum status container_status(const struct lifecycle *lc);
const char *status_name(enum status s);

/* cgroup.c: -1 with errno set on failure; `why` (when given) a message as
 * the TypeScript CgroupError words it. */
bool cg_is_frozen(const struct lifecycle *lc);
int cg_freeze(const struct lifecycle *lc, char *why, size_t len);
int cg_thaw(const struct lifecycle *lc, char *why, size_t len);
int cg_procs(const struct lifecycle *lc, pid_t **out, size_t *n);
int cg_kill_all(const struct lifecycle *lc, int sig);
bool cg_wait_empty(const struct lifecycle *lc, int timeout_ms);
int cg_remove(const struct lifecycle *lc);
bool cg_guard_ok(const struct lifecycle *lc, enum status st);

/* report.c */
void report_init(const struct globals *g);
void report_error(const char *msg);
void report_warn(const char *msg);
const char *errno_text(int err);                 /* "ENOENT (no such file or directory)" or NULL */
void errno_code(int err, char *out, size_t len); /* "ENOENT" */

/* json.c: the OCI state document as src/container/oci-state.ts + JSON.stringify. */
struct buf {
  char *data;
  size_t len, cap;
};
void buf_add(struct buf *b, const char *s, size_t n);
void buf_str(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void json_string(struct buf *b, const char *s);
void state_json(struct buf *b, const struct lifecycle *lc, const char *status, bool pretty);

/* hooks.c: poststart / poststop, failures warned. */
void run_hooks_warning(const struct lifecycle *lc, uint64_t kind, const char *kind_name, const char *state);

/* util */
void sleep_ms(int ms);
int64_t now_ms(void);
int write_file(const char *path, const char *value);
int read_file(const char *path, char *out, size_t len);
int write_all(int fd, const char *data, size_t len);

/* commands.c */
int cmd_start(const struct globals *g, const char *id);
int cmd_state(const struct globals *g, const char *id);
int cmd_kill(const struct globals *g, const char *id, int sig, bool all);
int cmd_delete(const struct globals *g, const char *id, bool force);
int cmd_pause(const struct globals *g, const char *id);
int cmd_resume(const struct globals *g, const char *id);
int cmd_foreground(const struct globals *g, const char *id, pid_t pid, bool keep);
int cmd_ps(const struct globals *g, const char *id, bool json, char **ps_args, int n_ps_args);

#endif
