/* Plain C functions behind the N-API glue in addon.c. Each returns 0 or a
 * result >= 0 on success and -errno on failure; `syscall_name` says which
 * call failed so the JS error can name it. */
#ifndef TSRUN_NATIVE_H
#define TSRUN_NATIVE_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

/* spawn.c */
int tsrun_spawn(int exec_fd, char *const argv[], const int *fd_table, int fd_count, int cgroup_fd, pid_t *pid,
                int *pidfd, const char **syscall_name);

/* memfd.c */
int tsrun_sealed_copy(const char *path, const char **syscall_name);
int tsrun_sealed_buffer(const char *name, const void *data, size_t len, const char **syscall_name);

/* fdpass.c */
int tsrun_seqpacket_pair(int fds[2]);
ssize_t tsrun_recv_message(int sock, void *buf, size_t cap, int timeout_ms, int *fds, int max_fds, int *nfds);
int tsrun_send_message(int sock, const void *buf, size_t len, const int *fds, int nfds);
int tsrun_connect_unix(const char *path);

/* idmap.c: a detached id-mapped clone of `source` (fd, CLOEXEC) or -errno; *failed names the call that failed.
 * clone_recursive takes the submounts along, recursive id-maps them too. */
int tsrun_idmapped_tree(const char *source, int clone_recursive, int recursive, uint64_t attr_set, uint64_t attr_clr, const char *uid_map,
                        const char *gid_map, const char **failed);

#endif
