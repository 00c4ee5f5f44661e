/* bpf(2) without libbpf: BPF_PROG_LOAD then BPF_PROG_ATTACH. */
#define _GNU_SOURCE
#include "bpf.h"

#include <errno.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel only asks that the license be GPL-compatible when the program
 * calls GPL-only helpers; a device filter calls none, so the project's own
 * license is accepted (runc passes "Apache" for the same reason). */
static const char license[] = "Apache-2.0";

static int sys_bpf(int cmd, union bpf_attr *attr) {
  return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int load_program(const void *insns, size_t count, char *log, size_t log_size) {
  union bpf_attr attr;

  memset(&attr, 0, sizeof(attr));
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t)(uintptr_t)insns;
  attr.insn_cnt = (uint32_t)count;
  attr.license = (uint64_t)(uintptr_t)license;

  /* First without a log: with log_level set the verifier traces every
   * instruction, and a trace longer than the buffer fails the load with
   * ENOSPC even for a valid program. */
  /* The verifier gives up with EAGAIN when a signal is pending, and
   * Node's process gets signals (SIGCHLD, a profiler's SIGPROF every 50 us,
   * shorter than one verification): held back during the load, retried
   * for what still gets through. */
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &saved);
  int fd;
  int tries = 0;
  do fd = sys_bpf(BPF_PROG_LOAD, &attr);
  while (fd < 0 && (errno == EAGAIN || errno == EINTR) && ++tries < 100);
  int load_errno = errno;
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  if (fd >= 0) return fd;

  /* Load again only to learn why; keep the first errno, it is the real cause. */
  if (log != NULL && log_size > 1) {
    attr.log_level = 1;
    attr.log_buf = (uint64_t)(uintptr_t)log;
    attr.log_size = log_size > UINT32_MAX ? UINT32_MAX : (uint32_t)log_size;
    fd = sys_bpf(BPF_PROG_LOAD, &attr);
    if (fd >= 0) /* accepted the second time: use it */
      return fd;
    log[log_size - 1] = '\0';
  }
  return -load_errno;
}

int tsrun_attach_device_filter(int cgroup_fd, const void *insns, size_t insn_bytes, char *log, size_t log_size) {
  if (log != NULL && log_size > 0) log[0] = '\0';
  if (insns == NULL || insn_bytes == 0 || insn_bytes % sizeof(struct bpf_insn) != 0 ||
      insn_bytes / sizeof(struct bpf_insn) > UINT32_MAX)
    return -EINVAL;

  int prog_fd = load_program(insns, insn_bytes / sizeof(struct bpf_insn), log, log_size);
  if (prog_fd < 0) return prog_fd;

  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.target_fd = (uint32_t)cgroup_fd;
  attr.attach_bpf_fd = (uint32_t)prog_fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  /* ALLOW_MULTI, as runc, crun and systemd use: with flags 0 no cgroup below
   * this one could attach a program, so a runtime or systemd inside the
   * container could not confine its own children, and a later attach
   * with ALLOW_MULTI on this cgroup would fail with EPERM. Programs
   * in descendants only add restrictions: every attached program in the
   * path must allow an access. A fresh cgroup has no program to replace. */
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  int ret = sys_bpf(BPF_PROG_ATTACH, &attr);
  int attach_errno = errno;

  /* The attachment holds its own reference to the program. */
  close(prog_fd);
  return ret < 0 ? -attach_errno : 0;
}
