/* tsrun-init: started by tsrun from a sealed memfd with the LaunchPlan on
 * fd base+0 (argv[1] = base). A fresh single-threaded process: it runs the
 * steps below in order and ends in execve or _exit, never back in JS. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init.h"

struct init g = {.sync_fd = -1, .root_fd = -1, .fifo_fd = -1, .fd_base = -1};

static void map_plan(void) {
  int fd = g.fd_base + FD_OFF_PLAN;
  struct stat st;
  if (fstat(fd, &st) < 0) fail(STEP_PLAN, errno, "stat the plan fd");
  if (st.st_size <= 0 || st.st_size > TSR_PLAN_MAX_SIZE) fail(STEP_PLAN, EINVAL, "plan size %lld", (long long)st.st_size);
  void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) fail(STEP_PLAN, errno, "map the plan");
  const char *why;
  if (plan_check(&g.plan, p, (size_t)st.st_size, &why) < 0) fail(STEP_PLAN, EINVAL, "%s", why);
  close(fd);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  g.fd_base = atoi(argv[1]);
  if (g.fd_base < 3) return 2;
  g.sync_fd = g.fd_base + FD_OFF_SYNC;
  prctl(PR_SET_NAME, "tsrun:[init]", 0, 0, 0);
  /* Until execve (which resets it) nothing in the container may ptrace
   * us or open our /proc/<pid>/fd, exe or mem: we hold the sync socket,
   * the exec fifo and namespace fds of the host side (CVE-2019-5736,
   * CVE-2016-9962 class). */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) fail(STEP_PLAN, errno, "PR_SET_DUMPABLE");
  /* Modes of created nodes and directories come from the plan, exactly. */
  umask(0);

  map_plan();
  step_cpu_affinity(CPU_AFFINITY_INITIAL);
  step_namespaces();

  /* exec: no rootfs in the plan; the namespaces joined above are the
   * container's, the mount namespace's root is already its root. */
  struct record root;
  if (!plan_find(&g.plan, REC_ROOTFS, &root)) {
    step_process_attrs();
    step_console();
    step_resolve_exec();
    step_seccomp_prepare();
    send_msg(MSG_CREATED, 0, NULL, 0);
    close(g.sync_fd);
    g.sync_fd = -1;
    step_close_fds();
    /* Before the credentials: without no_new_privs the seccomp filter is
     * loaded there, and nothing after it may be a call it could kill. */
    step_cpu_affinity(CPU_AFFINITY_FINAL);
    step_credentials();
    step_exec();
  }

  step_mounts();
  step_devices();

  send_msg(MSG_READY_HOOKS, 0, NULL, 0);
  g.state_len = recv_msg(MSG_HOOKS_DONE, g.state_json, sizeof g.state_json);
  step_hooks(HOOK_CREATE_CONTAINER);

  step_pivot_root();
  step_paths();
  step_identity();
  step_process_attrs();
  step_console();
  step_resolve_exec();
  step_seccomp_prepare();

  send_msg(MSG_CREATED, 0, NULL, 0);
  /* Wait until tsrun has recorded the container: if tsrun dies before
   * (kill -9 in the middle of create), recv_msg sees EOF and the init
   * exits instead of waiting forever on a fifo nobody knows about. */
  char none[1];
  recv_msg(MSG_RECORDED, none, 0);
  close(g.sync_fd);
  g.sync_fd = -1;

  step_wait_exec_fifo();
  step_hooks(HOOK_START_CONTAINER);
  step_close_fds();
  step_cpu_affinity(CPU_AFFINITY_FINAL);
  step_credentials();
  step_exec();
}
