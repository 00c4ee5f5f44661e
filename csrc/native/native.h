/* Plain C functions behind the N-API glue in addon.c. Each returns 0 or a
 * result >= 0 on success and -errno on failure; `syscall_name` says which
 * call failed so the JS error can name it. */
#ifndef TSRUN_NATIVE_H
#define TSRUN_NATIVE_H

#include <stddef.h>
#include <sys/types.h>

/* spawn.c */
int tsrun_spawn(int exec_fd, char *const argv[], const int *fd_table, int fd_count, int cgroup_fd, const int *join_fds,
                int join_count, pid_t *pid, int *pidfd, const char **syscall_name, int *join_failed);

/* memfd.c */
int tsrun_sealed_copy(const char *path, const char **syscall_name);
int tsrun_sealed_buffer(const char *name, const void *data, size_t len, const char **syscall_name);

/* fdpass.c */
int tsrun_seqpacket_pair(int fds[2]);
ssize_t tsrun_recv_message(int sock, void *buf, size_t cap, int timeout_ms, int *fds, int max_fds, int *nfds);
int tsrun_send_message(int sock, const void *buf, size_t len, const int *fds, int nfds);
int tsrun_connect_unix(const char *path);

#endif
