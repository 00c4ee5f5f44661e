/* Test helper: reads a plan on stdin, checks it with plan-reader.c as
 * tsrun-init does, and prints its records as JSON lines
 * {"kind":K,"nums":["..."],"strs":["..."]} (numbers as decimal strings).
 * With `--lifecycle DIR`: loads DIR/lifecycle with the front door's reader
 * (csrc/frontdoor/lifecycle.c, its named slots) and prints what it read as
 * one JSON object. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../frontdoor/frontdoor.h"

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

static void str_field(const char *key, const char *value, int last) {
  printf("\"%s\":", key);
  print_json_string(value ? value : "");
  printf(last ? "" : ",");
}

static int dump_lifecycle(const char *dir) {
  struct lifecycle lc;
  if (lifecycle_load(dir, &lc) < 0) {
    printf("{\"error\":\"lifecycle record refused\"}\n");
    return 1;
  }
  printf("{\"pid\":%d,\"startTime\":\"%llu\",\"flags\":%llu,", (int)lc.pid, (unsigned long long)lc.start_time,
         (unsigned long long)lc.flags);
  str_field("ociVersion", lc.oci_version, 0);
  str_field("id", lc.id, 0);
  str_field("bundle", lc.bundle, 0);
  str_field("rootfs", lc.rootfs, 0);
  str_field("created", lc.created, 0);
  str_field("owner", lc.owner, 0);
  str_field("fifo", lc.fifo, 0);
  printf("\"annotations\":[");
  for (size_t i = 0; i < lc.n_annotations; i++) {
    printf("%s[", i ? "," : "");
    print_json_string(lc.annotations[i][0]);
    putchar(',');
    print_json_string(lc.annotations[i][1]);
    putchar(']');
  }
  printf("],\"freezer\":");
  if (lc.freezer.present) {
    printf("{\"kind\":%llu,", (unsigned long long)lc.freezer.kind);
    str_field("control", lc.freezer.control, 0);
    str_field("freeze", lc.freezer.freeze_value, 0);
    str_field("thaw", lc.freezer.thaw_value, 0);
    str_field("stateFile", lc.freezer.state_file, 0);
    str_field("stateKey", lc.freezer.state_key, 1);
    putchar('}');
  } else {
    printf("null");
  }
  printf(",\"procs\":[");
  for (size_t i = 0; i < lc.n_procs; i++) {
    printf("%s{\"flags\":%llu,", i ? "," : "", (unsigned long long)lc.procs[i].flags);
    str_field("path", lc.procs[i].path, 1);
    putchar('}');
  }
  printf("],\"cgroupKill\":");
  if (lc.cgroup_kill) {
    printf("{\"flags\":%llu,", (unsigned long long)lc.cgroup_kill_flags);
    str_field("path", lc.cgroup_kill, 1);
    putchar('}');
  } else {
    printf("null");
  }
  printf(",\"rmdirs\":[");
  for (size_t i = 0; i < lc.n_rmdirs; i++) {
    printf("%s{\"how\":%llu,", i ? "," : "", (unsigned long long)lc.rmdirs[i].flags);
    str_field("path", lc.rmdirs[i].path, 1);
    putchar('}');
  }
  printf("],\"hooks\":[");
  for (size_t i = 0; i < lc.n_hooks; i++) {
    const struct record *r = &lc.hooks[i];
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

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--lifecycle") == 0) return dump_lifecycle(argv[2]);
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
    printf("{\"kind\":%u,\"nums\":[", rec.kind);
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
