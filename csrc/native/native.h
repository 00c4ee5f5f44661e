/* Plain C functions behind the N-API glue in addon.c. Each returns 0 or a
 * result >= 0 on success and -errno on failure; `syscall_name` says which
 * call failed so the JS error can name it. */
#ifndef TSRUN_NATIVE_H
#define TSRUN_NATIVE_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

/* spawn.c */
int tsrun_spawn(int exec_fd, char *const argv[], const int *fd_table, int fd_count, int cgroup_fd, const int *join_fds, int join_count,
                pid_t *pid, int *pidfd, const char **syscall_name, int *join_failed);

/* memfd.c */
int tsrun_sealed_copy(const char *path, const char **syscall_name);
int tsrun_sealed_buffer(const char *name, const void *data, size_t len, const char **syscall_name);

/* mapped.c: the whole file mapped PROT_READ, MAP_PRIVATE (*data NULL when empty); munmap(*data, *len) to release. */
int tsrun_map_file(const char *path, void **data, size_t *len, const char **syscall_name);
int tsrun_all_ascii(const void *data, size_t len);

/* fdpass.c */
int tsrun_seqpacket_pair(int fds[2]);
ssize_t tsrun_recv_message(int sock, void *buf, size_t cap, int timeout_ms, int *fds, int max_fds, int *nfds);
int tsrun_send_message(int sock, const void *buf, size_t len, const int *fds, int nfds);
int tsrun_connect_unix(const char *path);

/* seccomp.c: the profile as u64 words (layout in seccomp.c); *out is the
 * malloc'd BPF program. On error *what names the failing call and
 * *bad_rule the rule it refused (-1: none). */
#include <stdint.h>
int tsrun_seccomp_compile(const uint64_t *words, size_t nwords, char *const *archs, size_t narchs, char *const *syscalls,
                          size_t nsyscalls, void **out, size_t *out_len, long *bad_rule, const char **what);
uint32_t tsrun_seccomp_arch(const char *name);
unsigned tsrun_seccomp_api_level(void);
const char *tsrun_seccomp_version(void);
int tsrun_seccomp_flag_supported(unsigned long flag);
int tsrun_seccomp_action_supported(uint32_t action);
/* idmap.c: a detached id-mapped clone of `source` (fd, CLOEXEC) or -errno; *failed names the call that failed.
 * clone_recursive takes the submounts along, recursive id-maps them too. */
int tsrun_idmapped_tree(const char *source, int clone_recursive, int recursive, uint64_t attr_set, uint64_t attr_clr,
                        const char *uid_map, const char *gid_map, const char **failed);

#endif
