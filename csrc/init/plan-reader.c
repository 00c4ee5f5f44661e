#define _GNU_SOURCE
#include "plan-reader.h"

#include <string.h>

/* The fewest numbers and strings a record of each kind has: its named
 * slots (plan.h) and the strings every reader takes. A record with fewer
 * is a plan error here, before the first step, rather than a 0 or "" read
 * later. Kinds not listed have no minimum. */
static const struct {
  uint32_t nums, strs;
} record_minimum[REC_KIND_MAX] = {
    [REC_USER] = {USER_SLOTS, 0},
    [REC_PROCESS] = {PROCESS_SLOTS, 1},
    [REC_ARG] = {0, 1},
    [REC_ENV] = {0, 1},
    [REC_CWD] = {0, 1},
    [REC_NAMESPACE] = {NAMESPACE_SLOTS, 0},
    [REC_TIME_OFFSET] = {TIME_OFFSET_SLOTS, 0},
    [REC_HOSTNAME] = {0, 1},
    [REC_DOMAINNAME] = {0, 1},
    [REC_ROOTFS] = {ROOTFS_SLOTS, 2},
    [REC_MOUNT] = {MOUNT_SLOTS, 4},
    [REC_DEVICE] = {DEVICE_SLOTS, 2},
    [REC_SYMLINK] = {0, 2},
    [REC_MASKED] = {0, 1},
    [REC_READONLY] = {0, 1},
    [REC_SYSCTL] = {0, 2},
    [REC_RLIMIT] = {LIMIT_SLOTS, 0},
    [REC_CAPS] = {CAPS_SLOTS, 0},
    [REC_HOOK] = {HOOK_SLOTS, 1},
    [REC_PERSONALITY] = {PERSONALITY_SLOTS, 0},
    [REC_SECCOMP] = {FILTER_SLOTS, 0},
    [REC_IOPRIO] = {IOP_SLOTS, 0},
    [REC_SCHEDULER] = {SCHEDULER_SLOTS, 0},
    [REC_CPU_AFFINITY] = {AFFINITY_SLOTS, 0},
    [REC_LSM] = {LSM_SLOTS, 2},
    [REC_LC_CONTAINER] = {LC_CONTAINER_SLOTS, LC_CONTAINER_STRS},
    [REC_LC_ANNOTATION] = {0, 2},
    [REC_LC_FIFO] = {0, 1},
    [REC_LC_FREEZER] = {LC_FREEZER_SLOTS, 5},
    [REC_LC_PROCS] = {LC_PROCS_SLOTS, 1},
    [REC_LC_CGROUP_KILL] = {LC_CGROUP_KILL_SLOTS, 1},
    [REC_LC_RMDIR] = {LC_RMDIR_SLOTS, 1},
    [REC_LC_HOOK] = {LC_HOOK_SLOTS, 1},
};

static int check_record(const uint8_t *at, const uint8_t *end, struct record *out, const char **why) {
  struct tsr_record head;
  if ((size_t)(end - at) < sizeof head) {
    *why = "record header past the end";
    return -1;
  }
  memcpy(&head, at, sizeof head);
  if (head.size < sizeof head || head.size % 8 || head.size > (size_t)(end - at)) {
    *why = "record size out of bounds";
    return -1;
  }
  if (head.kind == 0 || head.kind >= REC_KIND_MAX) {
    *why = "unknown record kind";
    return -1;
  }
  size_t nums_bytes = (size_t)head.num_count * 8;
  if (nums_bytes > head.size - sizeof head) {
    *why = "record numbers past its end";
    return -1;
  }
  const char *strs = (const char *)at + sizeof head + nums_bytes;
  const char *rec_end = (const char *)at + head.size;
  const char *p = strs;
  for (uint32_t i = 0; i < head.str_count; i++) {
    const char *nul = memchr(p, '\0', (size_t)(rec_end - p));
    if (!nul) {
      *why = "record string not terminated";
      return -1;
    }
    p = nul + 1;
  }
  if (head.num_count < record_minimum[head.kind].nums) {
    *why = "record has fewer numbers than its kind's slots";
    return -1;
  }
  if (head.str_count < record_minimum[head.kind].strs) {
    *why = "record has fewer strings than its kind needs";
    return -1;
  }
  out->kind = head.kind;
  out->num_count = head.num_count;
  out->str_count = head.str_count;
  out->nums = (const uint64_t *)(at + sizeof head);
  out->strs = strs;
  out->next = at + head.size;
  return 0;
}

int plan_check(struct plan *plan, const void *base, size_t size, const char **why) {
  struct tsr_plan_header head;
  if (size < sizeof head) {
    *why = "plan shorter than its header";
    return -1;
  }
  memcpy(&head, base, sizeof head);
  if (memcmp(head.magic, TSR_PLAN_MAGIC, sizeof head.magic) != 0) {
    *why = "bad plan magic";
    return -1;
  }
  if (head.version != TSR_PLAN_VERSION) {
    *why = "plan version mismatch between tsrun and tsrun-init";
    return -1;
  }
  if (head.size != size || head.size > TSR_PLAN_MAX_SIZE) {
    *why = "plan size does not match its memfd";
    return -1;
  }
  const uint8_t *at = (const uint8_t *)base + sizeof head;
  const uint8_t *end = (const uint8_t *)base + size;
  struct record rec;
  for (uint32_t i = 0; i < head.record_count; i++) {
    if (check_record(at, end, &rec, why) < 0) return -1;
    at = rec.next;
  }
  if (at != end) {
    *why = "bytes after the last record";
    return -1;
  }
  plan->base = base;
  plan->size = head.size;
  plan->record_count = head.record_count;
  return 0;
}

int plan_next(const struct plan *plan, const uint8_t **cursor, struct record *out) {
  const uint8_t *end = plan->base + plan->size;
  const uint8_t *at = *cursor ? *cursor : plan->base + sizeof(struct tsr_plan_header);
  const char *why;
  if (at >= end || check_record(at, end, out, &why) < 0) return 0;
  *cursor = out->next;
  return 1;
}

int plan_find(const struct plan *plan, uint32_t kind, struct record *out) {
  const uint8_t *cursor = NULL;
  while (plan_next(plan, &cursor, out))
    if (out->kind == kind) return 1;
  return 0;
}

/* A named slot is always there (check_record); past them, callers bound
 * their index by num_count. */
uint64_t rec_num(const struct record *rec, uint32_t i) {
  if (i >= rec->num_count) return 0;
  uint64_t v;
  memcpy(&v, rec->nums + i, sizeof v);
  return v;
}

const char *rec_str(const struct record *rec, uint32_t i) {
  if (i >= rec->str_count) return "";
  const char *p = rec->strs;
  while (i--) p += strlen(p) + 1;
  return p;
}
