/* Who the container process is: hostname and domainname, oom score,
 * personality (as root, before the exec fifo), then just before exec the
 * rlimits, groups, uid/gid, capability sets and no_new_privs. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

#define MAX_GROUPS 65536
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEYCTL_SETPERM 5
#define KEYCTL_DESCRIBE 6

void step_identity(void) {
  struct record rec;
  if (plan_find(&g.plan, REC_HOSTNAME, &rec)) {
    const char *name = rec_str(&rec, 0);
    if (sethostname(name, strlen(name)) < 0) fail(STEP_IDENTITY, errno, "sethostname %s", name);
  }
  if (plan_find(&g.plan, REC_DOMAINNAME, &rec)) {
    const char *name = rec_str(&rec, 0);
    if (setdomainname(name, strlen(name)) < 0) fail(STEP_IDENTITY, errno, "setdomainname %s", name);
  }
  if (plan_find(&g.plan, REC_PROCESS, &rec) && (rec_num(&rec, PROCESS_FLAGS) & PROC_OOM_SCORE_ADJ)) {
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)(int64_t)rec_num(&rec, PROCESS_OOM_SCORE_ADJ));
    if (write_file("/proc/self/oom_score_adj", buf, (size_t)n) < 0)
      fail(STEP_IDENTITY, errno, "write /proc/self/oom_score_adj %s%s", buf, proc_refusal());
  }
  if (plan_find(&g.plan, REC_PERSONALITY, &rec) && personality((unsigned long)rec_num(&rec, PERSONALITY_PERSONA)) < 0)
    fail(STEP_IDENTITY, errno, "personality 0x%llx", (unsigned long long)rec_num(&rec, PERSONALITY_PERSONA));
}

static void set_rlimits(void) {
  struct record rec;
  const uint8_t *cur = NULL;
  while (plan_next(&g.plan, &cur, &rec)) {
    if (rec.kind != REC_RLIMIT) continue;
    struct rlimit lim = {.rlim_cur = rec_num(&rec, LIMIT_SOFT), .rlim_max = rec_num(&rec, LIMIT_HARD)};
    int resource = (int)rec_num(&rec, LIMIT_RESOURCE);
    if (setrlimit(resource, &lim) < 0) fail(STEP_IDENTITY, errno, "setrlimit %d", resource);
  }
}

static void set_user(void) {
  static gid_t groups[MAX_GROUPS];
  struct record user;
  if (!plan_find(&g.plan, REC_USER, &user)) return;
  uid_t uid = (uid_t)rec_num(&user, USER_UID);
  gid_t gid = (gid_t)rec_num(&user, USER_GID);
  uint64_t umask_bits = rec_num(&user, USER_UMASK);
  size_t n = user.num_count - USER_SLOTS;
  if (n > MAX_GROUPS) fail(STEP_IDENTITY, E2BIG, "too many additional gids");
  for (size_t i = 0; i < n; i++) groups[i] = (gid_t)rec_num(&user, (uint32_t)(USER_SLOTS + i));
  /* With setgroups denied in a user namespace an empty list is the only
   * possible one, and it is what we already have. */
  if (seccomp_syscall(SYS_setgroups, (long)n, (long)groups, 0, 0, 0, 0) < 0 && !(errno == EPERM && n == 0))
    fail(STEP_IDENTITY, errno, "setgroups");
  if (seccomp_syscall(SYS_setresgid, gid, gid, gid, 0, 0, 0) < 0) fail(STEP_IDENTITY, errno, "setresgid %u", gid);
  if (seccomp_syscall(SYS_setresuid, uid, uid, uid, 0, 0, 0) < 0) fail(STEP_IDENTITY, errno, "setresuid %u", uid);
  if (umask_bits != UINT64_MAX) seccomp_syscall(SYS_umask, (long)(mode_t)umask_bits, 0, 0, 0, 0, 0);
}

/* Before setuid: dropping needs CAP_SETPCAP in the effective set. */
static void drop_bounding(const struct record *caps) {
  uint64_t bounding = rec_num(caps, CAPS_BOUNDING);
  for (int cap = 0; cap < 64; cap++) {
    if (bounding & (1ull << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      fail(STEP_CAPABILITIES, errno, "drop capability %d from the bounding set", cap);
  }
}

static void set_capabilities(const struct record *caps) {
  uint64_t effective = rec_num(caps, CAPS_EFFECTIVE), inheritable = rec_num(caps, CAPS_INHERITABLE),
           permitted = rec_num(caps, CAPS_PERMITTED), ambient = rec_num(caps, CAPS_AMBIENT);
  struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2] = {
      {.effective = (uint32_t)effective, .permitted = (uint32_t)permitted, .inheritable = (uint32_t)inheritable},
      {.effective = (uint32_t)(effective >> 32),
       .permitted = (uint32_t)(permitted >> 32),
       .inheritable = (uint32_t)(inheritable >> 32)},
  };
  if (seccomp_syscall(SYS_capset, (long)&head, (long)data, 0, 0, 0, 0) < 0) fail(STEP_CAPABILITIES, errno, "capset");
  if (seccomp_syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0, 0) < 0 && errno != EINVAL)
    fail(STEP_CAPABILITIES, errno, "clear ambient capabilities");
  /* The kernel only lets a capability be ambient when it is permitted and
   * inheritable too; runc and crun skip the others rather than fail, and
   * so does tsrun (runc spec's default config asks for exactly that). */
  for (int cap = 0; cap < 64; cap++) {
    if (!(ambient & permitted & inheritable & (1ull << cap))) continue;
    if (seccomp_syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0, 0) < 0)
      fail(STEP_CAPABILITIES, errno, "raise ambient capability %d", cap);
  }
}

/* The calls after the seccomp filter when no_new_privs is false (it is
 * loaded before them, while CAP_SYS_ADMIN is held): each goes through
 * seccomp_syscall, so seccomp.c can run them dry before CREATED. */
void credentials_after_seccomp(void) {
  struct record caps;
  int have_caps = plan_find(&g.plan, REC_CAPS, &caps);
  set_user();
  if (have_caps) {
    set_capabilities(&caps);
    if (seccomp_syscall(SYS_prctl, PR_SET_KEEPCAPS, 0, 0, 0, 0, 0) < 0) fail(STEP_CAPABILITIES, errno, "clear PR_SET_KEEPCAPS");
  }
}

/* A session keyring of the container's own, named "_ses.<id>" as runc
 * names it, so the container does not share the caller's keys. Where the
 * kernel has no keyrings, or refuses one (a nested container without
 * them), there is nothing to isolate from: go on, as runc does. */
static void join_session_keyring(const struct record *proc) {
  const char *name = rec_str(proc, 0)[0] ? rec_str(proc, 0) : NULL;
  long key = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name);
  if (key < 0) {
    if (errno == ENOSYS || errno == EPERM || errno == EACCES) return;
    fail(STEP_IDENTITY, errno, "join session keyring %s", name ? name : "(anonymous)");
  }
  uint32_t add = (uint32_t)rec_num(proc, PROCESS_KEYRING_PERM);
  if (!add) return;
  /* "type;uid;gid;perm;description": keep the permissions, add search. */
  char desc[512];
  long n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, key, desc, sizeof desc);
  if (n < 0 || (size_t)n > sizeof desc) fail(STEP_IDENTITY, n < 0 ? errno : E2BIG, "describe session keyring");
  desc[sizeof desc - 1] = '\0';
  const char *p = desc;
  for (int i = 0; i < 3 && p; i++) p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL;
  if (!p) fail(STEP_IDENTITY, EINVAL, "session keyring description %s", desc);
  uint32_t perm = (uint32_t)strtoul(p, NULL, 16) | add;
  if (syscall(SYS_keyctl, KEYCTL_SETPERM, key, perm) < 0) fail(STEP_IDENTITY, errno, "set session keyring permissions");
}

void step_credentials(void) {
  struct record proc, caps;
  int have_proc = plan_find(&g.plan, REC_PROCESS, &proc);
  uint64_t flags = have_proc ? rec_num(&proc, PROCESS_FLAGS) : 0;
  if (flags & PROC_NEW_KEYRING) join_session_keyring(&proc);
  step_lsm();
  set_rlimits();
  /* Keep the permitted set across setuid; capset then sets all of them. */
  if (plan_find(&g.plan, REC_CAPS, &caps)) {
    drop_bounding(&caps);
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) fail(STEP_CAPABILITIES, errno, "PR_SET_KEEPCAPS");
  }
  /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which
   * set_user drops (runc's order too); otherwise step_exec loads it. */
  if (seccomp_before_caps()) step_seccomp();
  credentials_after_seccomp();
  if ((flags & PROC_NO_NEW_PRIVS) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail(STEP_NO_NEW_PRIVS, errno, "PR_SET_NO_NEW_PRIVS");
}
