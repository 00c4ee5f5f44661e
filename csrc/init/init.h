/* Shared state and step functions of tsrun-init. Each step lives in the
 * file named after its area; main.c runs them in order. */
#ifndef TSRUN_INIT_H
#define TSRUN_INIT_H

#include <stdint.h>
#include <sys/types.h>

#include "../include/wire.h"
#include "plan-reader.h"

struct init {
  struct plan plan;
  int fd_base;
  int sync_fd; /* -1 once CREATED is sent: errors then go to stderr */
  int root_fd; /* O_PATH fd of the rootfs, before pivot_root */
  int fifo_fd; /* write end of the exec fifo once `start` opened it, until execve */
  pid_t container_pid;
  char state_json[TSR_MSG_MAX]; /* the state hooks get on stdin */
  uint32_t state_len;
  char exec_path[4096]; /* args[0] resolved in the container's PATH */
};

extern struct init g;

/* report.c: send ERROR (or print it once detached) and _exit(1). */
__attribute__((noreturn, format(printf, 3, 4))) void fail(int step, int err, const char *fmt, ...);
void send_msg(uint32_t type, int32_t value, const void *payload, uint32_t len);
/* Receives one message of `type` into buf (payload); returns its length. */
uint32_t recv_msg(uint32_t type, void *buf, uint32_t cap);

/* namespaces.c */
void step_namespaces(void);

/* mounts.c */
void step_mounts(void);
void step_pivot_root(void);
void step_paths(void);
int open_in_root(const char *path, int flags, int create_as_file);

/* devices.c */
void step_devices(void);

/* hooks.c */
void step_hooks(uint32_t kind);

/* identity.c */
void step_identity(void);
void step_credentials(void);
void credentials_after_seccomp(void);

/* process-attrs.c */
void step_cpu_affinity(uint64_t when);
void step_process_attrs(void);
void step_lsm(void);

/* console.c */
void step_console(void);

/* exec.c */
void step_resolve_exec(void);
void step_wait_exec_fifo(void);
void step_close_fds(void);
/* execve of the resolved process, through seccomp_syscall; returns on failure. */
long exec_syscall(void);
__attribute__((noreturn)) void step_exec(void);

/* seccomp.c */
/* Before CREATED: the listener's state, then the dry run of every call
 * made after loading the filter (fails create on a fatal verdict). */
void step_seccomp_prepare(void);
/* Loads the filter once (no-op without one), then feeds the listener. */
void step_seccomp(void);
/* Whether the filter must be loaded before the capabilities are dropped. */
int seccomp_before_caps(void);
/* The notify listener socket the init must keep open, or -1. */
int seccomp_keep_fd(void);
/* Whether the loaded filter would kill a write to fd (fail() then stays silent). */
int seccomp_report_killed(int fd);
/* syscall(2) for calls made after the filter is loaded; in the dry run it
 * only checks the filter's verdict on these exact arguments. */
long seccomp_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/* util.c: writes a whole string to a file. A /proc/... path is opened from
 * a verified procfs root without crossing a mount and refused (EXDEV, the
 * reason in proc_refusal()) when anything else is there. */
int write_file(const char *path, const char *data, size_t len);
int write_proc_file(const char *rel, const char *data, size_t len, const char **why);
const char *proc_refusal(void);
/* "/proc/self/fd/N" to mount through an fd already checked; `fallback`
 * (or "") when the container has no /proc mounted. */
void fd_mount_path(char *out, size_t size, int fd, const char *fallback);

#endif
