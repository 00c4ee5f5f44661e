/* Container status, as src/state/status.ts derives it: the init alive (same
 * pid *and* start time, not a zombie), then the freezer, then the exec fifo
 * (still there, the init not yet exec'd = not started). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "frontdoor.h"

bool pid_alive(pid_t pid, uint64_t start_time) {
  if (pid <= 0) return false;
  char path[64], text[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  if (read_file(path, text, sizeof text) < 0) return false;
  /* comm may hold spaces and parens: fields start after the last ')'. */
  char *p = strrchr(text, ')');
  if (!p || p[1] != ' ') return false;
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

/* The init is named "tsrun:[init]" until execve (csrc/init/main.c): a fifo
 * left behind a process that already exec'd (a start killed before it
 * removed the fifo) means running, not created. */
static bool has_execed(pid_t pid) {
  char path[64], comm[64];
  snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
  if (read_file(path, comm, sizeof comm) < 0) return false; /* exited meanwhile */
  return strcmp(comm, "tsrun:[init]\n") != 0;
}

enum status container_status(const struct lifecycle *lc) {
  if (!pid_alive(lc->pid, lc->start_time)) return ST_STOPPED;
  /* runc: a paused created container is "paused" too. */
  if (cg_is_frozen(lc)) return ST_PAUSED;
  struct stat st;
  if (stat(lc->fifo, &st) == 0 && !has_execed(lc->pid)) return ST_CREATED;
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
