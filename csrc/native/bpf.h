/* Load a device-cgroup eBPF program and attach it to a cgroup v2 directory.
 * The program bytes come from src/cgroup/device-filter.ts; this file only
 * talks to the kernel. */
#ifndef TSRUN_NATIVE_BPF_H
#define TSRUN_NATIVE_BPF_H

#include <stddef.h>

/* Load `insn_bytes` bytes of struct bpf_insn as a BPF_PROG_TYPE_CGROUP_DEVICE
 * program and attach it to the cgroup directory fd `cgroup_fd`
 * (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI).
 *
 * Returns 0, or -errno. When the verifier rejects the program, `log` (if
 * log_size > 0) holds its NUL-terminated explanation; otherwise log[0] is
 * NUL. The program stays attached until the cgroup is removed; no fd is
 * left open in the caller. */
int tsrun_attach_device_filter(int cgroup_fd, const void *insns, size_t insn_bytes, char *log, size_t log_size);

#endif
