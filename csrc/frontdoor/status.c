/* Container status, as src/state/status.ts derives it: the init alive (same
 * pid *and* start time, not a zombie), then the freezer, then the exec fifo
 * (still there, the init not yet exec'd = not started). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "frontdoor.h"

/* What /proc/<pid>/stat says of the init; false when the pid is not the
 * init create started (gone, reused, a zombie). One read gives both the
 * liveness and the name. */
struct init_stat {
  char comm[64];
};

static bool init_stat(pid_t pid, uint64_t start_time, struct init_stat *out) {
  if (pid <= 0) return false;
  char path[64], text[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  if (read_file(path, text, sizeof text) < 0) return false;
  /* "pid (comm) state ...": comm may hold spaces and parens, so it ends at
   * the last ')' and the fields start after it. */
  char *open = strchr(text, '(');
  char *p = strrchr(text, ')');
  if (!open || !p || p < open || p[1] != ' ') return false;
  size_t comm_len = (size_t)(p - open - 1);
  if (comm_len >= sizeof out->comm) comm_len = sizeof out->comm - 1;
  memcpy(out->comm, open + 1, comm_len);
  out->comm[comm_len] = '\0';
  p += 2;
  char state = *p;
  /* p is field 3 (state); the start time is field 22. */
  for (int field = 3; field < 22; field++) {
    p = strchr(p, ' ');
    if (!p) return false;
    p++;
  }
  char *end;
  unsigned long long t = strtoull(p, &end, 10);
  if (end == p) return false;
  return t == start_time && state != 'Z' && state != 'X';
}

bool pid_alive(pid_t pid, uint64_t start_time) {
  struct init_stat st;
  return init_stat(pid, start_time, &st);
}

enum status container_status(const struct lifecycle *lc) {
  struct init_stat init;
  if (!init_stat(lc->pid, lc->start_time, &init)) return ST_STOPPED;
  /* runc: a paused created container is "paused" too. */
  if (cg_is_frozen(lc)) return ST_PAUSED;
  /* The init is named "tsrun:[init]" until execve (csrc/init/main.c): a
   * fifo left behind a process that already exec'd (a start killed before
   * it removed the fifo) means running, not created. */
  struct stat st;
  if (stat(lc->fifo, &st) == 0 && strcmp(init.comm, "tsrun:[init]") == 0) return ST_CREATED;
  return ST_RUNNING;
}

const char *status_name(enum status s) {
  switch (s) {
  case ST_CREATED: return "created";
  case ST_RUNNING: return "running";
  case ST_PAUSED: return "paused";
  default: return "stopped";
  }
}
