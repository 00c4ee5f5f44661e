/* The cgroup lock primer, for create, run and exec on hosts with cgroup v1
 * hierarchies.
 *
 * There tsrun-init joins the container's v1 cgroups by writing to their
 * cgroup.procs files (v1 has no CLONE_INTO_CGROUP). The first such write
 * takes the kernel's global cgroup threadgroup lock for writing, which
 * waits for an RCU grace period: 10-25 ms on the 2-core development VM,
 * spent while node and the init wait (spawn measured at 10-25 ms, 1.5 ms
 * without the wait). A writer that comes within about one grace period of
 * the last one does not wait again.
 *
 * So before node starts, the front door forks this primer. It writes its
 * own pid into the cgroup it is already in (the kernel moves nothing, but
 * takes the lock), which pays the grace period during node's start-up, and
 * writes again every PERIOD_MS so the lock stays ready until node has
 * spawned tsrun-init. Then node kills it (src/launch/primer.ts, which finds
 * it through PRIMER_ENV); it also dies with its parent, and gives up after
 * LIFETIME_MS. It holds no fd of the caller's (no pipe stays open because
 * of it), and it makes no change anywhere: a failure only costs the wait.
 * Pure cgroup v2 hosts need none of it (CLONE_INTO_CGROUP). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "frontdoor.h"

#define PRIMER_ENV "TSRUN_CGROUP_PRIMER" /* src/launch/primer.ts */
#define PRIMER_NAME "tsrun:[primer]"     /* src/launch/primer.ts: how node knows it */
#define CGROUP2_SUPER_MAGIC 0x63677270
#define PERIOD_MS 2
#define LIFETIME_MS 1000

/* This process's own cgroup.procs: in the cgroup2 hierarchy of a hybrid
 * host, else in the v1 pids hierarchy. NULL when neither is found. */
static const char *own_procs_file(char *out, size_t size) {
  FILE *f = fopen("/proc/self/cgroup", "re");
  if (!f) return NULL;
  char line[4096];
  char v2[4096] = "", pids[4096] = "";
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    if (strncmp(line, "0::", 3) == 0) snprintf(v2, sizeof v2, "%s", line + 3);
    char *name = strchr(line, ':');
    char *path = name ? strchr(name + 1, ':') : NULL;
    if (path && path - name - 1 == 4 && strncmp(name + 1, "pids", 4) == 0) snprintf(pids, sizeof pids, "%s", path + 1);
  }
  fclose(f);
  /* Outside its cgroup namespace's root a path reads "/../x": not ours to touch. */
  if (strstr(v2, "/..")) *v2 = '\0';
  if (strstr(pids, "/..")) *pids = '\0';
  if (*v2) {
    snprintf(out, size, "/sys/fs/cgroup/unified%s/cgroup.procs", strcmp(v2, "/") == 0 ? "" : v2);
    if (access(out, W_OK) == 0) return out;
  }
  if (*pids) {
    snprintf(out, size, "/sys/fs/cgroup/pids%s/cgroup.procs", strcmp(pids, "/") == 0 ? "" : pids);
    if (access(out, W_OK) == 0) return out;
  }
  return NULL;
}

static _Noreturn void primer(pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(0);
  prctl(PR_SET_NAME, PRIMER_NAME);
  syscall(SYS_close_range, 0u, ~0u, 0u);
  char file[4200];
  if (!own_procs_file(file, sizeof file)) _exit(0);
  int fd = open(file, O_WRONLY | O_CLOEXEC);
  if (fd < 0) _exit(0);
  struct timespec period = {0, PERIOD_MS * 1000000L};
  for (int i = 0; i < LIFETIME_MS / PERIOD_MS; i++) {
    if (write(fd, "0", 1) < 0) _exit(0);
    nanosleep(&period, NULL);
  }
  _exit(0);
}

void cgroup_lock_prime(void) {
  struct statfs fs;
  if (statfs("/sys/fs/cgroup", &fs) < 0 || fs.f_type == CGROUP2_SUPER_MAGIC) return;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) primer(parent);
  if (pid < 0) return;
  char text[16];
  snprintf(text, sizeof text, "%d", (int)pid);
  setenv(PRIMER_ENV, text, 1);
}
