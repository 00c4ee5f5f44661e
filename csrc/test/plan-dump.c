/* Test helper: reads a plan on stdin, checks it with plan-reader.c as
 * tsrun-init does, and prints its records as JSON lines
 * {"kind":K,"fields":{"uid":"1000",...},"list":["..."],"nums":["..."],"strs":["..."]}:
 * numbers as decimal strings, the named slots of plan.h under their names
 * (lowercase), the numbers after them as "list", and all of them as "nums". With
 * `--lifecycle DIR`: loads DIR/lifecycle with the front door's reader
 * (csrc/frontdoor/lifecycle.c, its named slots) and prints what it read as
 * one JSON object. With `--batch`: reads cases from stdin, each a u32 kind
 * (0 = a plan, 1 = a lifecycle record), a u32 length and that many bytes
 * (little endian), and dumps each from a buffer of exactly its length, so
 * the sanitizer fuzz (test/unit/launch/plan-reader-fuzz.test.ts) sees any
 * read past its end; "case N" on stderr before each names the culprit,
 * "rc R" after it says how it ended (0 dumped, 1 refused). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../frontdoor/frontdoor.h"

/* Slot names by kind, indexed by the slot enums of plan.h. */
static const char *const slot_names[REC_KIND_MAX][8] = {
    [REC_USER] = {[USER_UID] = "uid", [USER_GID] = "gid", [USER_UMASK] = "umask"},
    [REC_PROCESS] = {[PROCESS_FLAGS] = "flags",
                     [PROCESS_OOM_SCORE_ADJ] = "oom_score_adj",
                     [PROCESS_CONSOLE_ROWS] = "console_rows",
                     [PROCESS_CONSOLE_COLS] = "console_cols",
                     [PROCESS_PRESERVE_FDS] = "preserve_fds",
                     [PROCESS_KEYRING_PERM] = "keyring_perm"},
    [REC_NAMESPACE] = {[NAMESPACE_FLAG] = "flag", [NAMESPACE_FD] = "fd"},
    [REC_TIME_OFFSET] = {[TIME_OFFSET_CLOCK] = "clock", [TIME_OFFSET_SECS] = "secs", [TIME_OFFSET_NANOSECS] = "nanosecs"},
    [REC_ROOTFS] =
        {[ROOTFS_FLAGS] = "flags", [ROOTFS_HOST_PROPAGATION] = "host_propagation", [ROOTFS_ROOT_PROPAGATION] = "root_propagation"},
    [REC_MOUNT] = {[MOUNT_FLAGS] = "flags",
                   [MOUNT_PROPAGATION] = "propagation",
                   [MOUNT_KIND] = "kind",
                   [MOUNT_SET_ATTRS] = "set_attrs",
                   [MOUNT_CLEAR_ATTRS] = "clear_attrs",
                   [MOUNT_EXTENSIONS] = "extensions",
                   [MOUNT_TREE_FD] = "tree_fd"},
    [REC_DEVICE] = {[DEVICE_TYPE] = "type",
                    [DEVICE_MAJOR] = "major",
                    [DEVICE_MINOR] = "minor",
                    [DEVICE_MODE] = "mode",
                    [DEVICE_UID] = "uid",
                    [DEVICE_GID] = "gid",
                    [DEVICE_HOW] = "how"},
    [REC_RLIMIT] = {[LIMIT_RESOURCE] = "resource", [LIMIT_SOFT] = "soft", [LIMIT_HARD] = "hard"},
    [REC_CAPS] = {[CAPS_BOUNDING] = "bounding",
                  [CAPS_EFFECTIVE] = "effective",
                  [CAPS_INHERITABLE] = "inheritable",
                  [CAPS_PERMITTED] = "permitted",
                  [CAPS_AMBIENT] = "ambient"},
    [REC_HOOK] = {[HOOK_KIND] = "kind", [HOOK_TIMEOUT] = "timeout", [HOOK_ARGC] = "argc"},
    [REC_PERSONALITY] = {[PERSONALITY_PERSONA] = "persona"},
    [REC_SECCOMP] = {[FILTER_FLAGS] = "flags", [FILTER_LISTENER_FD] = "listener_fd"},
    [REC_IOPRIO] = {[IOP_VALUE] = "value"},
    [REC_SCHEDULER] = {[SCHEDULER_POLICY] = "policy",
                       [SCHEDULER_NICE] = "nice",
                       [SCHEDULER_PRIORITY] = "priority",
                       [SCHEDULER_FLAGS] = "flags",
                       [SCHEDULER_RUNTIME] = "runtime",
                       [SCHEDULER_DEADLINE] = "deadline",
                       [SCHEDULER_PERIOD] = "period"},
    [REC_CPU_AFFINITY] = {[AFFINITY_WHEN] = "when"},
    [REC_LSM] = {[LSM_KIND] = "kind"},
    [REC_LC_CONTAINER] = {[LC_CONTAINER_PID] = "pid",
                          [LC_CONTAINER_START_TIME] = "start_time",
                          [LC_CONTAINER_FLAGS] = "flags",
                          [LC_CONTAINER_STATE_INO] = "state_ino",
                          [LC_CONTAINER_STATE_SIZE] = "state_size",
                          [LC_CONTAINER_STATE_MTIME_NS] = "state_mtime_ns"},
    [REC_LC_FREEZER] = {[LC_FREEZER_KIND] = "kind"},
    [REC_LC_PROCS] = {[LC_PROCS_FLAGS] = "flags"},
    [REC_LC_CGROUP_KILL] = {[LC_CGROUP_KILL_FLAGS] = "flags"},
    [REC_LC_RMDIR] = {[LC_RMDIR_HOW] = "how"},
    [REC_LC_HOOK] = {[LC_HOOK_KIND] = "kind",
                     [LC_HOOK_TIMEOUT] = "timeout",
                     [LC_HOOK_ARGC] = "argc",
                     [LC_HOOK_ENV_COUNT] = "env_count",
                     [LC_HOOK_HAS_ENV] = "has_env"},
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

static void str_field(const char *key, const char *value, int last) {
  printf("\"%s\":", key);
  print_json_string(value ? value : "");
  printf(last ? "" : ",");
}

static int print_lifecycle(const struct lifecycle *lc, int ok) {
  if (ok < 0) {
    printf("{\"error\":\"lifecycle record refused\"}\n");
    return 1;
  }
  printf("{\"pid\":%d,\"startTime\":\"%llu\",\"flags\":%llu,", (int)lc->pid, (unsigned long long)lc->start_time,
         (unsigned long long)lc->flags);
  str_field("ociVersion", lc->oci_version, 0);
  str_field("id", lc->id, 0);
  str_field("bundle", lc->bundle, 0);
  str_field("rootfs", lc->rootfs, 0);
  str_field("created", lc->created, 0);
  str_field("owner", lc->owner, 0);
  str_field("fifo", lc->fifo, 0);
  printf("\"annotations\":[");
  for (size_t i = 0; i < lc->n_annotations; i++) {
    printf("%s[", i ? "," : "");
    print_json_string(lc->annotations[i][0]);
    putchar(',');
    print_json_string(lc->annotations[i][1]);
    putchar(']');
  }
  printf("],\"freezer\":");
  if (lc->freezer.present) {
    printf("{\"kind\":%llu,", (unsigned long long)lc->freezer.kind);
    str_field("control", lc->freezer.control, 0);
    str_field("freeze", lc->freezer.freeze_value, 0);
    str_field("thaw", lc->freezer.thaw_value, 0);
    str_field("stateFile", lc->freezer.state_file, 0);
    str_field("stateKey", lc->freezer.state_key, 1);
    putchar('}');
  } else {
    printf("null");
  }
  printf(",\"procs\":[");
  for (size_t i = 0; i < lc->n_procs; i++) {
    printf("%s{\"flags\":%llu,", i ? "," : "", (unsigned long long)lc->procs[i].flags);
    str_field("path", lc->procs[i].path, 1);
    putchar('}');
  }
  printf("],\"cgroupKill\":");
  if (lc->cgroup_kill) {
    printf("{\"flags\":%llu,", (unsigned long long)lc->cgroup_kill_flags);
    str_field("path", lc->cgroup_kill, 1);
    putchar('}');
  } else {
    printf("null");
  }
  printf(",\"rmdirs\":[");
  for (size_t i = 0; i < lc->n_rmdirs; i++) {
    printf("%s{\"how\":%llu,", i ? "," : "", (unsigned long long)lc->rmdirs[i].flags);
    str_field("path", lc->rmdirs[i].path, 1);
    putchar('}');
  }
  printf("],\"hooks\":[");
  for (size_t i = 0; i < lc->n_hooks; i++) {
    const struct record *r = &lc->hooks[i];
    uint64_t argc = rec_num(r, LC_HOOK_ARGC), envc = rec_num(r, LC_HOOK_ENV_COUNT);
    printf("%s{\"kind\":%llu,\"timeout\":%llu,\"hasEnv\":%llu,", i ? "," : "", (unsigned long long)rec_num(r, LC_HOOK_KIND),
           (unsigned long long)rec_num(r, LC_HOOK_TIMEOUT), (unsigned long long)rec_num(r, LC_HOOK_HAS_ENV));
    str_field("path", rec_str(r, 0), 0);
    printf("\"args\":[");
    for (uint64_t k = 0; k < argc; k++) {
      if (k) putchar(',');
      print_json_string(rec_str(r, (uint32_t)(1 + k)));
    }
    printf("],\"env\":[");
    for (uint64_t k = 0; k < envc; k++) {
      if (k) putchar(',');
      print_json_string(rec_str(r, (uint32_t)(1 + argc + k)));
    }
    printf("]}");
  }
  printf("]}\n");
  return 0;
}

static int dump_plan(const void *buf, size_t n) {
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
    for (uint32_t i = named; i < rec.num_count; i++) printf("%s\"%llu\"", i > named ? "," : "", (unsigned long long)rec_num(&rec, i));
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

static int read_exact(void *out, size_t len) {
  return fread(out, 1, len, stdin) == len ? 0 : -1;
}

static int batch(void) {
  uint32_t head[2];
  for (unsigned long n = 0; read_exact(head, sizeof head) == 0; n++) {
    if (head[1] > TSR_PLAN_MAX_SIZE + 1024) return 2;
    unsigned char *buf = malloc(head[1] ? head[1] : 1);
    if (!buf || read_exact(buf, head[1]) < 0) return 2;
    fprintf(stderr, "case %lu\n", n);
    int rc;
    if (head[0] == 0) {
      rc = dump_plan(buf, head[1]);
    } else {
      struct lifecycle lc;
      rc = print_lifecycle(&lc, lifecycle_parse(&lc, buf, head[1]));
    }
    fflush(stdout);
    fprintf(stderr, "rc %d\n", rc);
    free(buf);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--lifecycle") == 0) {
    struct lifecycle lc;
    return print_lifecycle(&lc, lifecycle_load(argv[2], &lc));
  }
  if (argc == 2 && strcmp(argv[1], "--batch") == 0) return batch();
  static unsigned char buf[TSR_PLAN_MAX_SIZE];
  return dump_plan(buf, fread(buf, 1, sizeof buf, stdin));
}
