/* Load <root>/<id>/lifecycle (plan.h records 27..35) with the launch plan's
 * reader: every size, count and terminator checked before use, and every
 * record's named slots and strings there (plan_check refuses it otherwise). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontdoor.h"

static int read_whole(const char *path, void **out, size_t *size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) < 0 || st.st_size <= 0 || (uint64_t)st.st_size > TSR_PLAN_MAX_SIZE) {
    close(fd);
    return -1;
  }
  char *buf = malloc((size_t)st.st_size);
  size_t got = 0;
  while (buf && got < (size_t)st.st_size) {
    ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(fd);
  if (!buf || got != (size_t)st.st_size) {
    free(buf);
    return -1;
  }
  *out = buf;
  *size = got;
  return 0;
}

/* Returns 0, or -1 when the record is missing, malformed or not one this
 * front door understands (the caller then hands the call to node). */
int lifecycle_load(const char *dir, struct lifecycle *lc) {
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/lifecycle", dir) >= sizeof path) return -1;
  void *buf;
  size_t size;
  if (read_whole(path, &buf, &size) < 0) return -1;
  if (lifecycle_parse(lc, buf, size) < 0) {
    free(buf);
    return -1;
  }
  lc->buf = buf;
  return 0;
}

int lifecycle_parse(struct lifecycle *lc, const void *buf, size_t size) {
  memset(lc, 0, sizeof *lc);
  const char *why;
  if (plan_check(&lc->plan, buf, size, &why) < 0) return -1;
  bool container = false;
  struct record r;
  const uint8_t *cur = NULL;
  while (plan_next(&lc->plan, &cur, &r)) {
    switch (r.kind) {
    case REC_LC_CONTAINER:
      lc->pid = (pid_t)rec_num(&r, LC_CONTAINER_PID);
      lc->start_time = rec_num(&r, LC_CONTAINER_START_TIME);
      lc->flags = rec_num(&r, LC_CONTAINER_FLAGS);
      lc->oci_version = rec_str(&r, LC_CONTAINER_STR_OCI_VERSION);
      lc->id = rec_str(&r, LC_CONTAINER_STR_ID);
      lc->bundle = rec_str(&r, LC_CONTAINER_STR_BUNDLE);
      lc->rootfs = rec_str(&r, LC_CONTAINER_STR_ROOTFS);
      lc->created = rec_str(&r, LC_CONTAINER_STR_CREATED);
      lc->owner = rec_str(&r, LC_CONTAINER_STR_OWNER);
      container = true;
      break;
    case REC_LC_ANNOTATION:
      if (lc->n_annotations >= MAX_LC_ITEMS) return -1;
      lc->annotations[lc->n_annotations][0] = rec_str(&r, 0);
      lc->annotations[lc->n_annotations++][1] = rec_str(&r, 1);
      break;
    case REC_LC_FIFO: lc->fifo = rec_str(&r, 0); break;
    case REC_LC_FREEZER:
      lc->freezer.present = true;
      lc->freezer.kind = rec_num(&r, LC_FREEZER_KIND);
      if (lc->freezer.kind != FREEZER_V1 && lc->freezer.kind != FREEZER_V2) return -1;
      lc->freezer.control = rec_str(&r, 0);
      lc->freezer.freeze_value = rec_str(&r, 1);
      lc->freezer.thaw_value = rec_str(&r, 2);
      lc->freezer.state_file = rec_str(&r, 3);
      lc->freezer.state_key = rec_str(&r, 4);
      break;
    case REC_LC_PROCS:
      if (lc->n_procs >= MAX_LC_ITEMS) return -1;
      lc->procs[lc->n_procs].flags = rec_num(&r, LC_PROCS_FLAGS);
      lc->procs[lc->n_procs++].path = rec_str(&r, 0);
      break;
    case REC_LC_CGROUP_KILL:
      lc->cgroup_kill = rec_str(&r, 0);
      lc->cgroup_kill_flags = rec_num(&r, LC_CGROUP_KILL_FLAGS);
      break;
    case REC_LC_RMDIR:
      if (lc->n_rmdirs >= MAX_LC_ITEMS) return -1;
      lc->rmdirs[lc->n_rmdirs].flags = rec_num(&r, LC_RMDIR_HOW);
      lc->rmdirs[lc->n_rmdirs++].path = rec_str(&r, 0);
      break;
    case REC_LC_HOOK: {
      /* path, argv[argc], env[env_count] exactly; compared without a sum
       * that two huge counts could wrap back to str_count */
      uint64_t argc = rec_num(&r, LC_HOOK_ARGC), envc = rec_num(&r, LC_HOOK_ENV_COUNT);
      if (lc->n_hooks >= MAX_LC_ITEMS || argc > r.str_count - 1 || envc != r.str_count - 1 - argc) return -1;
      lc->hooks[lc->n_hooks++] = r;
      break;
    }
    default: return -1; /* a launch-plan record, or a newer kind: not ours to guess */
    }
  }
  if (!container || !lc->fifo || lc->n_procs == 0) return -1;
  return 0;
}

/* state.json as create left it? Otherwise (update, a hand edit, a corrupt
 * file) the TypeScript side decides from state.json. */
bool state_file_unchanged(const char *dir, const struct lifecycle *lc) {
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/state.json", dir) >= sizeof path) return false;
  struct record r;
  if (!plan_find(&lc->plan, REC_LC_CONTAINER, &r)) return false;
  struct stat st;
  if (stat(path, &st) < 0) return false;
  uint64_t mtime = (uint64_t)st.st_mtim.tv_sec * 1000000000ull + (uint64_t)st.st_mtim.tv_nsec;
  return (uint64_t)st.st_ino == rec_num(&r, LC_CONTAINER_STATE_INO) && (uint64_t)st.st_size == rec_num(&r, LC_CONTAINER_STATE_SIZE) &&
         mtime == rec_num(&r, LC_CONTAINER_STATE_MTIME_NS);
}
