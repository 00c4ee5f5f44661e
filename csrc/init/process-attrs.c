/* The process attributes a scheduler sees: CPU affinity (initial, before
 * any set-up, and final, just before execve), I/O priority, the
 * scheduling policy; and the LSM label the next execve takes on. The
 * numbers come ready from the plan (src/plan/process-attrs.ts, lsm.ts). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

#define IOPRIO_WHO_PROCESS 1
#define MAX_MASK_WORDS (1024 / 64)

/* linux/sched/types.h, SCHED_ATTR_SIZE_VER1: glibc has no wrapper yet. */
struct sched_attr_v1 {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};

void step_cpu_affinity(uint64_t when) {
  struct record rec;
  const uint8_t *cur = NULL;
  while (plan_next(&g.plan, &cur, &rec)) {
    if (rec.kind != REC_CPU_AFFINITY || rec.num_count <= AFFINITY_SLOTS || rec_num(&rec, AFFINITY_WHEN) != when) continue;
    uint64_t words[MAX_MASK_WORDS] = {0};
    uint32_t n = rec.num_count - AFFINITY_SLOTS;
    if (n > MAX_MASK_WORDS) fail(STEP_PROCESS_ATTRS, EINVAL, "CPU affinity mask of %u words", n);
    for (uint32_t i = 0; i < n; i++) words[i] = rec_num(&rec, AFFINITY_SLOTS + i);
    /* The kernel reads the mask as unsigned longs: 64-bit words on the
     * architectures tsrun builds for, least significant CPU first. */
    if (syscall(SYS_sched_setaffinity, 0, sizeof words, words) < 0)
      fail(STEP_PROCESS_ATTRS, errno, "sched_setaffinity (execCPUAffinity.%s)", when == CPU_AFFINITY_INITIAL ? "initial" : "final");
  }
}

/* Before CREATED, as root in the container's namespaces: a refused
 * policy or priority fails `create` (or `exec`) with the reason. */
void step_process_attrs(void) {
  struct record rec;
  if (plan_find(&g.plan, REC_IOPRIO, &rec) && syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, (int)rec_num(&rec, IOP_VALUE)) < 0)
    fail(STEP_PROCESS_ATTRS, errno, "ioprio_set class %d level %d (process.ioPriority)", (int)(rec_num(&rec, IOP_VALUE) >> 13),
         (int)(rec_num(&rec, IOP_VALUE) & 0x1fff));
  if (plan_find(&g.plan, REC_SCHEDULER, &rec)) {
    struct sched_attr_v1 attr = {
        .size = sizeof attr,
        .sched_policy = (uint32_t)rec_num(&rec, SCHEDULER_POLICY),
        .sched_nice = (int32_t)rec_num(&rec, SCHEDULER_NICE),
        .sched_priority = (uint32_t)rec_num(&rec, SCHEDULER_PRIORITY),
        .sched_flags = rec_num(&rec, SCHEDULER_FLAGS),
        .sched_runtime = rec_num(&rec, SCHEDULER_RUNTIME),
        .sched_deadline = rec_num(&rec, SCHEDULER_DEADLINE),
        .sched_period = rec_num(&rec, SCHEDULER_PERIOD),
    };
    if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
      fail(STEP_PROCESS_ATTRS, errno, "sched_setattr policy %u nice %d priority %u (process.scheduler)", attr.sched_policy,
           attr.sched_nice, attr.sched_priority);
  }
}

/* After the startContainer hooks (their own execve would consume the
 * request) and before uid, capabilities and no_new_privs change, as runc
 * orders it: AppArmor refuses most profile changes under no_new_privs. */
void step_lsm(void) {
  struct record rec;
  if (!plan_find(&g.plan, REC_LSM, &rec)) return;
  const char *value = rec_str(&rec, 0), *file = rec_str(&rec, 1);
  const char *field = rec_num(&rec, LSM_KIND) == LSM_APPARMOR ? "process.apparmorProfile" : "process.selinuxLabel";
  char path[128];
  snprintf(path, sizeof path, "/proc/thread-self/attr/%s", file);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail(STEP_LSM, errno, "open %s for %s", path, field);
  ssize_t n = write(fd, value, strlen(value));
  int err = errno;
  close(fd);
  if (n < 0) fail(STEP_LSM, err, "write %s %s to %s", field, value, path);
}
