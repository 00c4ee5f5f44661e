/* Namespaces: the user namespace first (its id maps are written by the
 * parent), then joins by fd, then one unshare for the new ones, then a fork
 * so that the container process is inside new pid and time namespaces. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const char *ns_name(uint64_t flag) {
  switch (flag) {
  case CLONE_NEWUSER: return "user";
  case CLONE_NEWNS: return "mount";
  case CLONE_NEWUTS: return "uts";
  case CLONE_NEWIPC: return "ipc";
  case CLONE_NEWNET: return "network";
  case CLONE_NEWPID: return "pid";
  case CLONE_NEWCGROUP: return "cgroup";
  case CLONE_NEWTIME: return "time";
  default: return "unknown";
  }
}

/* After entering a user namespace, become its root so that the set-up
 * that follows runs with the namespace's full capabilities. */
static void become_namespace_root(void) {
  if (setresgid(0, 0, 0) < 0) fail(STEP_IDMAP, errno, "setresgid(0) in the user namespace");
  if (setresuid(0, 0, 0) < 0) fail(STEP_IDMAP, errno, "setresuid(0) in the user namespace");
}

static void enter_user_namespace(void) {
  struct record rec;
  const uint8_t *cur = NULL;
  while (plan_next(&g.plan, &cur, &rec)) {
    if (rec.kind != REC_NAMESPACE || rec_num(&rec, NAMESPACE_FLAG) != CLONE_NEWUSER) continue;
    int fd = (int)(int64_t)rec_num(&rec, NAMESPACE_FD);
    if (fd >= 0) {
      if (setns(fd, CLONE_NEWUSER) < 0) fail(STEP_NAMESPACES, errno, "join user namespace");
    } else {
      /* A parent that is not root (rootless) opens our /proc/<pid>/uid_map
       * as our owner, which a non-dumpable process does not have (its /proc
       * files belong to root): dumpable only while the maps are written, as
       * runc does. Nothing of more privilege than that user's is held yet. */
      int rootless = geteuid() != 0;
      if (unshare(CLONE_NEWUSER) < 0) fail(STEP_NAMESPACES, errno, "create user namespace");
      if (rootless && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0) fail(STEP_IDMAP, errno, "PR_SET_DUMPABLE 1");
      /* Only the parent, outside, may write our maps: ask and wait. */
      send_msg(MSG_READY_IDMAP, 0, NULL, 0);
      char none[1];
      recv_msg(MSG_IDMAP_DONE, none, 0);
      if (rootless && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) fail(STEP_IDMAP, errno, "PR_SET_DUMPABLE 0");
    }
    become_namespace_root();
  }
}

static void write_time_offsets(void) {
  struct record rec;
  const uint8_t *cur = NULL;
  char buf[256];
  while (plan_next(&g.plan, &cur, &rec)) {
    if (rec.kind != REC_TIME_OFFSET) continue;
    int n = snprintf(buf, sizeof buf, "%d %lld %lld\n", (int)rec_num(&rec, TIME_OFFSET_CLOCK),
                     (long long)(int64_t)rec_num(&rec, TIME_OFFSET_SECS), (long long)rec_num(&rec, TIME_OFFSET_NANOSECS));
    if (write_file("/proc/self/timens_offsets", buf, (size_t)n) < 0)
      fail(STEP_NAMESPACES, errno, "write /proc/self/timens_offsets%s", proc_refusal());
  }
}

/* The intermediate process reports the child's pid (as the parent sees
 * it) and exits; the child waits for that report before it goes on, so
 * the parent receives PID before anything the child sends. */
static void fork_into_namespaces(void) {
  int gate[2];
  if (pipe2(gate, O_CLOEXEC) < 0) fail(STEP_NAMESPACES, errno, "pipe");
  pid_t child = fork();
  if (child < 0) fail(STEP_NAMESPACES, errno, "fork into the new pid namespace");
  if (child > 0) {
    send_msg(MSG_PID, child, NULL, 0);
    _exit(0);
  }
  close(gate[1]);
  char c;
  while (read(gate[0], &c, 1) < 0 && errno == EINTR) {
  }
  close(gate[0]);
}

void step_namespaces(void) {
  enter_user_namespace();

  int new_flags = 0, needs_fork = 0;
  struct record rec;
  const uint8_t *cur = NULL;
  while (plan_next(&g.plan, &cur, &rec)) {
    if (rec.kind != REC_NAMESPACE) continue;
    uint64_t flag = rec_num(&rec, NAMESPACE_FLAG);
    int fd = (int)(int64_t)rec_num(&rec, NAMESPACE_FD);
    if (flag == CLONE_NEWUSER) continue;
    if (flag == 0) {
      /* After the joins above (they come first in the plan); /proc of the
       * host still resolves the fd's path until here. */
      if (fd < 0 || fchdir(fd) < 0 || chroot(".") < 0) fail(STEP_NAMESPACES, errno, "enter the container's root directory");
      continue;
    }
    if (flag == CLONE_NEWPID || flag == CLONE_NEWTIME) needs_fork = 1;
    if (fd < 0) {
      new_flags |= (int)flag;
      continue;
    }
    if (setns(fd, (int)flag) < 0) fail(STEP_NAMESPACES, errno, "join %s namespace", ns_name(flag));
  }
  if (new_flags && unshare(new_flags) < 0) fail(STEP_NAMESPACES, errno, "create namespaces (flags 0x%x)", new_flags);
  if (new_flags & CLONE_NEWTIME) write_time_offsets();

  if (needs_fork) {
    fork_into_namespaces();
  } else {
    send_msg(MSG_PID, getpid(), NULL, 0);
  }
}
