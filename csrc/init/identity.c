/* Who the container process is: hostname and domainname, oom score,
 * personality (as root, before the exec fifo), then just before exec the
 * rlimits, groups, uid/gid, capability sets and no_new_privs. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
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
  if (plan_find(&g.plan, REC_PROCESS, &rec) && (rec_num(&rec, 0) & PROC_OOM_SCORE_ADJ)) {
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)(int64_t)rec_num(&rec, 1));
    if (write_file("/proc/self/oom_score_adj", buf, (size_t)n) < 0)
      fail(STEP_IDENTITY, errno, "write /proc/self/oom_score_adj %s%s", buf, proc_refusal());
  }
  if (plan_find(&g.plan, REC_PERSONALITY, &rec) && personality((unsigned long)rec_num(&rec, 0)) < 0)
    fail(STEP_IDENTITY, errno, "personality 0x%llx", (unsigned long long)rec_num(&rec, 0));
}

static void set_rlimits(void) {
  struct record rec;
  const uint8_t *cur = NULL;
  while (plan_next(&g.plan, &cur, &rec)) {
    if (rec.kind != REC_RLIMIT) continue;
    struct rlimit lim = {.rlim_cur = rec_num(&rec, 1), .rlim_max = rec_num(&rec, 2)};
    if (setrlimit((int)rec_num(&rec, 0), &lim) < 0) fail(STEP_IDENTITY, errno, "setrlimit %d", (int)rec_num(&rec, 0));
  }
}

static void set_user(void) {
  static gid_t groups[MAX_GROUPS];
  struct record user;
  if (!plan_find(&g.plan, REC_USER, &user)) return;
  uid_t uid = (uid_t)rec_num(&user, 0);
  gid_t gid = (gid_t)rec_num(&user, 1);
  uint64_t umask_bits = rec_num(&user, 2);
  size_t n = user.num_count > 3 ? user.num_count - 3 : 0;
  if (n > MAX_GROUPS) fail(STEP_IDENTITY, E2BIG, "too many additional gids");
  for (size_t i = 0; i < n; i++) groups[i] = (gid_t)rec_num(&user, (uint32_t)(3 + i));
  /* With setgroups denied in a user namespace an empty list is the only
   * possible one, and it is what we already have. */
  if (setgroups(n, groups) < 0 && !(errno == EPERM && n == 0)) fail(STEP_IDENTITY, errno, "setgroups");
  if (setresgid(gid, gid, gid) < 0) fail(STEP_IDENTITY, errno, "setresgid %u", gid);
  if (setresuid(uid, uid, uid) < 0) fail(STEP_IDENTITY, errno, "setresuid %u", uid);
  if (umask_bits != UINT64_MAX) umask((mode_t)umask_bits);
}

/* Before setuid: dropping needs CAP_SETPCAP in the effective set. */
static void drop_bounding(const struct record *caps) {
  uint64_t bounding = rec_num(caps, 0);
  for (int cap = 0; cap < 64; cap++) {
    if (bounding & (1ull << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      fail(STEP_CAPABILITIES, errno, "drop capability %d from the bounding set", cap);
  }
}

static void set_capabilities(const struct record *caps) {
  uint64_t effective = rec_num(caps, 1), inheritable = rec_num(caps, 2), permitted = rec_num(caps, 3),
           ambient = rec_num(caps, 4);
  struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2] = {
      {.effective = (uint32_t)effective, .permitted = (uint32_t)permitted, .inheritable = (uint32_t)inheritable},
      {.effective = (uint32_t)(effective >> 32),
       .permitted = (uint32_t)(permitted >> 32),
       .inheritable = (uint32_t)(inheritable >> 32)},
  };
  if (syscall(SYS_capset, &head, data) < 0) fail(STEP_CAPABILITIES, errno, "capset");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    fail(STEP_CAPABILITIES, errno, "clear ambient capabilities");
  /* The kernel only lets a capability be ambient when it is permitted and
   * inheritable too; runc and crun skip the others rather than fail, and
   * so does tsrun (runc spec's default config asks for exactly that). */
  for (int cap = 0; cap < 64; cap++) {
    if (!(ambient & permitted & inheritable & (1ull << cap))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
      fail(STEP_CAPABILITIES, errno, "raise ambient capability %d", cap);
  }
}

void step_credentials(void) {
  struct record proc, caps;
  int have_proc = plan_find(&g.plan, REC_PROCESS, &proc);
  uint64_t flags = have_proc ? rec_num(&proc, 0) : 0;
  if ((flags & PROC_NEW_KEYRING) && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 &&
      errno != ENOSYS && errno != EPERM && errno != EACCES)
    fail(STEP_IDENTITY, errno, "join a new session keyring");
  set_rlimits();
  int have_caps = plan_find(&g.plan, REC_CAPS, &caps);
  /* Keep the permitted set across setuid; capset then sets all of them. */
  if (have_caps) {
    drop_bounding(&caps);
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) fail(STEP_CAPABILITIES, errno, "PR_SET_KEEPCAPS");
  }
  set_user();
  if (have_caps) {
    set_capabilities(&caps);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) fail(STEP_CAPABILITIES, errno, "clear PR_SET_KEEPCAPS");
  }
  if ((flags & PROC_NO_NEW_PRIVS) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    fail(STEP_NO_NEW_PRIVS, errno, "PR_SET_NO_NEW_PRIVS");
}
