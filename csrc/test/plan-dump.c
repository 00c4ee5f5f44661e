/* Test helper: reads a plan on stdin, checks it with plan-reader.c as
 * tsrun-init does, and prints its records as JSON lines
 * {"kind":K,"fields":{"uid":"1000",...},"list":["..."],"nums":["..."],"strs":["..."]}:
 * numbers as decimal strings, the named slots of plan.h under their names
 * (lowercase), the numbers after them as "list", and all of them as "nums". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../init/plan-reader.h"

/* Slot names by kind, indexed by the slot enums of plan.h. */
static const char *const slot_names[REC_KIND_MAX][8] = {
    [REC_USER] = {[USER_UID] = "uid", [USER_GID] = "gid", [USER_UMASK] = "umask"},
    [REC_PROCESS] = {[PROCESS_FLAGS] = "flags", [PROCESS_OOM_SCORE_ADJ] = "oom_score_adj",
                     [PROCESS_CONSOLE_ROWS] = "console_rows", [PROCESS_CONSOLE_COLS] = "console_cols",
                     [PROCESS_PRESERVE_FDS] = "preserve_fds", [PROCESS_KEYRING_PERM] = "keyring_perm"},
    [REC_NAMESPACE] = {[NAMESPACE_FLAG] = "flag", [NAMESPACE_FD] = "fd"},
    [REC_TIME_OFFSET] = {[TIME_OFFSET_CLOCK] = "clock", [TIME_OFFSET_SECS] = "secs", [TIME_OFFSET_NANOSECS] = "nanosecs"},
    [REC_ROOTFS] = {[ROOTFS_FLAGS] = "flags", [ROOTFS_HOST_PROPAGATION] = "host_propagation",
                    [ROOTFS_ROOT_PROPAGATION] = "root_propagation"},
    [REC_MOUNT] = {[MOUNT_FLAGS] = "flags", [MOUNT_PROPAGATION] = "propagation", [MOUNT_KIND] = "kind",
                   [MOUNT_SET_ATTRS] = "set_attrs", [MOUNT_CLEAR_ATTRS] = "clear_attrs",
                   [MOUNT_EXTENSIONS] = "extensions", [MOUNT_TREE_FD] = "tree_fd"},
    [REC_DEVICE] = {[DEVICE_TYPE] = "type", [DEVICE_MAJOR] = "major", [DEVICE_MINOR] = "minor", [DEVICE_MODE] = "mode",
                    [DEVICE_UID] = "uid", [DEVICE_GID] = "gid", [DEVICE_HOW] = "how"},
    [REC_RLIMIT] = {[LIMIT_RESOURCE] = "resource", [LIMIT_SOFT] = "soft", [LIMIT_HARD] = "hard"},
    [REC_CAPS] = {[CAPS_BOUNDING] = "bounding", [CAPS_EFFECTIVE] = "effective", [CAPS_INHERITABLE] = "inheritable",
                  [CAPS_PERMITTED] = "permitted", [CAPS_AMBIENT] = "ambient"},
    [REC_HOOK] = {[HOOK_KIND] = "kind", [HOOK_TIMEOUT] = "timeout", [HOOK_ARGC] = "argc"},
    [REC_PERSONALITY] = {[PERSONALITY_PERSONA] = "persona"},
    [REC_SECCOMP] = {[FILTER_FLAGS] = "flags", [FILTER_LISTENER_FD] = "listener_fd"},
    [REC_IOPRIO] = {[IOP_VALUE] = "value"},
    [REC_SCHEDULER] = {[SCHEDULER_POLICY] = "policy", [SCHEDULER_NICE] = "nice", [SCHEDULER_PRIORITY] = "priority",
                       [SCHEDULER_FLAGS] = "flags", [SCHEDULER_RUNTIME] = "runtime", [SCHEDULER_DEADLINE] = "deadline",
                       [SCHEDULER_PERIOD] = "period"},
    [REC_CPU_AFFINITY] = {[AFFINITY_WHEN] = "when"},
    [REC_LSM] = {[LSM_KIND] = "kind"},
};

static void print_json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

static uint32_t named_slots(uint32_t kind) {
  uint32_t n = 0;
  while (n < 8 && slot_names[kind][n]) n++;
  return n;
}

int main(void) {
  static unsigned char buf[TSR_PLAN_MAX_SIZE];
  size_t n = fread(buf, 1, sizeof buf, stdin);
  struct plan plan;
  const char *why;
  if (plan_check(&plan, buf, n, &why) < 0) {
    printf("{\"error\":");
    print_json_string(why);
    printf("}\n");
    return 1;
  }
  struct record rec;
  const uint8_t *cur = NULL;
  while (plan_next(&plan, &cur, &rec)) {
    uint32_t named = named_slots(rec.kind);
    if (named > rec.num_count) named = rec.num_count;
    printf("{\"kind\":%u,\"fields\":{", rec.kind);
    for (uint32_t i = 0; i < named; i++)
      printf("%s\"%s\":\"%llu\"", i ? "," : "", slot_names[rec.kind][i], (unsigned long long)rec_num(&rec, i));
    printf("},\"list\":[");
    for (uint32_t i = named; i < rec.num_count; i++)
      printf("%s\"%llu\"", i > named ? "," : "", (unsigned long long)rec_num(&rec, i));
    printf("],\"nums\":[");
    for (uint32_t i = 0; i < rec.num_count; i++) printf("%s\"%llu\"", i ? "," : "", (unsigned long long)rec_num(&rec, i));
    printf("],\"strs\":[");
    for (uint32_t i = 0; i < rec.str_count; i++) {
      if (i) putchar(',');
      print_json_string(rec_str(&rec, i));
    }
    printf("]}\n");
  }
  return 0;
}
