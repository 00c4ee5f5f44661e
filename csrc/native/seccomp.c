/* Compiles a seccomp profile with libseccomp, in the parent, into the
 * classic BPF program tsrun-init loads with seccomp(2); and answers what
 * this libseccomp and kernel support, for `tsrun features` and create.
 *
 * The profile arrives flattened by src/plan/seccomp.ts (names resolved to
 * numbers there, except syscall and architecture names, which are
 * libseccomp's business): u64 words
 *   default action, rule count, then per rule:
 *   action, index into `syscalls`, arg count, then per arg: index, op, value, valueTwo
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "native.h"

#define MAX_ARGS_PER_RULE 6

struct reader {
  const uint64_t *w;
  size_t n, at;
  int bad;
};

static uint64_t next(struct reader *r) {
  if (r->at >= r->n) {
    r->bad = 1;
    return 0;
  }
  return r->w[r->at++];
}

/* runc's rule for several conditions in one syscall entry: when no two of
 * them test the same argument they must all hold (one rule); when some do,
 * libseccomp cannot AND two tests of one argument, so each condition
 * becomes a rule of its own (any of them matches). */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, const struct scmp_arg_cmp *cmp, unsigned count) {
  unsigned seen = 0;
  int repeated = 0;
  for (unsigned i = 0; i < count; i++) {
    if (seen & (1u << cmp[i].arg)) repeated = 1;
    seen |= 1u << cmp[i].arg;
  }
  if (!repeated) return seccomp_rule_add_array(ctx, action, nr, count, cmp);
  for (unsigned i = 0; i < count; i++) {
    int rc = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[i]);
    if (rc < 0) return rc;
  }
  return 0;
}

static int export_program(scmp_filter_ctx ctx, void **out, size_t *out_len) {
  int fd = memfd_create("tsrun-seccomp", MFD_CLOEXEC);
  if (fd < 0) return -errno;
  int rc = seccomp_export_bpf(ctx, fd);
  struct stat st;
  if (rc == 0 && fstat(fd, &st) < 0) rc = -errno;
  if (rc == 0) {
    *out_len = (size_t)st.st_size;
    *out = malloc(*out_len ? *out_len : 1);
    if (!*out) rc = -ENOMEM;
    else if (pread(fd, *out, *out_len, 0) != (ssize_t)*out_len) rc = -EIO;
  }
  close(fd);
  return rc;
}

int tsrun_seccomp_compile(const uint64_t *words, size_t nwords, char *const *archs, size_t narchs, char *const *syscalls,
                          size_t nsyscalls, void **out, size_t *out_len, long *bad_rule, const char **what) {
  struct reader r = {.w = words, .n = nwords};
  *bad_rule = -1;
  *what = "seccomp_init";
  uint32_t default_action = (uint32_t)next(&r);
  uint64_t rules = next(&r);
  if (r.bad) return -EINVAL;
  scmp_filter_ctx ctx = seccomp_init(default_action);
  if (!ctx) return -EINVAL;
  int rc = 0;
  /* The native architecture is in a new context already. */
  for (size_t i = 0; i < narchs && rc == 0; i++) {
    uint32_t token = seccomp_arch_resolve_name(archs[i]);
    *what = "seccomp_arch_add";
    if (token == 0) rc = -EINVAL;
    else if ((rc = seccomp_arch_add(ctx, token)) == -EEXIST) rc = 0;
  }
  for (uint64_t i = 0; i < rules && rc == 0; i++) {
    uint32_t action = (uint32_t)next(&r);
    uint64_t name = next(&r), argc = next(&r);
    struct scmp_arg_cmp cmp[MAX_ARGS_PER_RULE * 4];
    if (argc > sizeof cmp / sizeof cmp[0] || name >= nsyscalls) r.bad = 1;
    for (uint64_t a = 0; a < argc && !r.bad; a++) {
      cmp[a].arg = (unsigned)next(&r);
      cmp[a].op = (enum scmp_compare)next(&r);
      cmp[a].datum_a = next(&r);
      cmp[a].datum_b = next(&r);
      if (cmp[a].arg >= MAX_ARGS_PER_RULE) r.bad = 1;
    }
    if (r.bad) {
      *what = "the flattened profile";
      rc = -EINVAL;
      break;
    }
    /* Names unknown on every architecture of the filter are skipped, as
     * runc does: profiles list syscalls of newer kernels and other arches. */
    int nr = seccomp_syscall_resolve_name(syscalls[name]);
    if (nr == __NR_SCMP_ERROR) continue;
    /* libseccomp refuses a rule whose action is the default one; it would
     * change nothing anyway. */
    if (action == default_action) continue;
    *what = "seccomp_rule_add";
    rc = add_rule(ctx, action, nr, cmp, (unsigned)argc);
    if (rc < 0) *bad_rule = (long)i;
  }
  if (rc == 0) {
    *what = "seccomp_export_bpf";
    rc = export_program(ctx, out, out_len);
  }
  seccomp_release(ctx);
  return rc;
}

uint32_t tsrun_seccomp_arch(const char *name) {
  return seccomp_arch_resolve_name(name);
}

unsigned tsrun_seccomp_api_level(void) {
  return seccomp_api_get();
}

const char *tsrun_seccomp_version(void) {
  static char buf[32];
  const struct scmp_version *v = seccomp_version();
  snprintf(buf, sizeof buf, "%u.%u.%u", v->major, v->minor, v->micro);
  return buf;
}

/* Whether the running kernel knows a SECCOMP_FILTER_FLAG_*: it checks the
 * flags before it reads the (here missing) program, so EFAULT (or EACCES
 * without CAP_SYS_ADMIN) means known and EINVAL unknown. */
int tsrun_seccomp_flag_supported(unsigned long flag) {
  /* The kernel takes WAIT_KILLABLE_RECV only together with a listener. */
  if (flag & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL);
  return rc < 0 && errno != EINVAL;
}

/* Whether the kernel can return this action (SECCOMP_GET_ACTION_AVAIL). */
int tsrun_seccomp_action_supported(uint32_t action) {
  return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}
