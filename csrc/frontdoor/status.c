/* Container status, as src/state/status.ts derives it: the init alive (same
 * pid *and* start time, not a zombie), then the freezer, then the exec fifo
 * (still there = not started). */
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

enum status container_status(const struct lifecycle *lc) {
  if (!pid_alive(lc->pid, lc->start_time)) return ST_STOPPED;
  /* runc: a paused created container is "paused" too. */
  if (cg_is_frozen(lc)) return ST_PAUSED;
  struct stat st;
  if (stat(lc->fifo, &st) == 0) return ST_CREATED;
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
