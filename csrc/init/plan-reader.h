/* Bounds-checked access to the mapped LaunchPlan (see plan.h). */
#ifndef TSRUN_PLAN_READER_H
#define TSRUN_PLAN_READER_H

#include <stddef.h>
#include <stdint.h>

#include "../include/plan.h"

struct plan {
  const uint8_t *base;
  uint32_t size;
  uint32_t record_count;
};

/* A record made safe to read: nums and strs point into the plan. */
struct record {
  uint32_t kind;
  uint32_t num_count;
  uint32_t str_count;
  const uint64_t *nums;
  const char *strs; /* str_count NUL-terminated strings, back to back */
  const uint8_t *next;
};

/* Checks the header, every record's size, counts and string terminators.
 * Returns 0, or -1 with `why` naming the first problem. */
int plan_check(struct plan *plan, const void *base, size_t size, const char **why);

/* Iterates records: `cursor` starts NULL; returns 0 at the end. */
int plan_next(const struct plan *plan, const uint8_t **cursor, struct record *out);

/* The first record of a kind, or 0 when there is none. */
int plan_find(const struct plan *plan, uint32_t kind, struct record *out);

/* Number i of a record: a named slot of its kind (plan.h), which plan_check
 * guarantees, or a list index below num_count. */
uint64_t rec_num(const struct record *rec, uint32_t i);

/* String i of a record (checked by plan_check), "" when absent. */
const char *rec_str(const struct record *rec, uint32_t i);

#endif
