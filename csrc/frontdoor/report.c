/* Errors and warnings worded and logged as src/cli/report.ts does: one
 * stderr line "tsrun: <command>: <msg>" (warnings "tsrun: warning: <msg>"),
 * and with --log the same in runc's text or JSON format (containerd's shim
 * reads that file). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errno-names.h"
#include "frontdoor.h"

static const struct globals *G;

void report_init(const struct globals *g) {
  G = g;
}

/* new Date().toISOString() */
static void iso_now(char *out, size_t len) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
           tm.tm_sec, ts.tv_nsec / 1000000);
}

static void log_line(const char *level, const char *msg) {
  if (!G || !G->log || !*G->log) return;
  char time[96];
  iso_now(time, sizeof time);
  struct buf b = {0};
  if (G->log_json) {
    buf_printf(&b, "{\"level\":\"%s\",\"msg\":", level);
    json_string(&b, msg);
    buf_printf(&b, ",\"time\":\"%s\"}\n", time);
  } else {
    buf_printf(&b, "time=\"%s\" level=%s msg=", time, level);
    json_string(&b, msg);
    buf_str(&b, "\n");
  }
  /* Best effort, as appendFileSync in a try: stderr has the message. */
  int fd = open(G->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd >= 0) {
    (void)write_all(fd, b.data, b.len);
    close(fd);
  }
  free(b.data);
}

void report_error(const char *msg) {
  struct buf line = {0};
  buf_printf(&line, "%s: %s", G->command, msg);
  struct buf out = {0};
  buf_printf(&out, "tsrun: %s\n", line.data);
  (void)write_all(2, out.data, out.len);
  log_line("error", line.data);
  free(line.data);
  free(out.data);
}

void report_warn(const char *msg) {
  struct buf out = {0};
  buf_printf(&out, "tsrun: warning: %s\n", msg);
  (void)write_all(2, out.data, out.len);
  log_line("warning", msg);
  free(out.data);
}

const char *errno_text(int err) {
  for (size_t i = 0; i < sizeof ERRNO_NAMES / sizeof ERRNO_NAMES[0]; i++)
    if (ERRNO_NAMES[i].errnum == err) return ERRNO_NAMES[i].text;
  return NULL;
}

void errno_code(int err, char *out, size_t len) {
  const char *t = errno_text(err);
  if (!t) {
    snprintf(out, len, "%d", err);
    return;
  }
  snprintf(out, len, "%.*s", (int)strcspn(t, " "), t);
}
