/* Test helper: reads a plan on stdin, checks it with plan-reader.c as
 * tsrun-init does, and prints its records as JSON lines
 * {"kind":K,"nums":["..."],"strs":["..."]} (numbers as decimal strings). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../init/plan-reader.h"

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
