/* The container's seccomp filter: tsrun compiled it (libseccomp, in the
 * parent); here it is only loaded with seccomp(2), as late as possible.
 *
 * A profile may deny or kill the very calls the init still makes after
 * loading it (execve, the credential calls when no_new_privs is false, the
 * write that reports an error). The kernel would then kill the init before
 * execve and `start` could not tell that from a started container, or the
 * init would wait forever on a notify listener that has not got its fd yet.
 * So before CREATED the init runs those calls dry: each goes through
 * seccomp_syscall(), which evaluates the filter on its exact arguments
 * (a small classic-BPF interpreter) instead of calling the kernel, and a
 * call the filter would kill, deny or hang on fails `create` with a clear
 * error instead. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_RISCV64
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_S390X
#else
#error "tsrun-init: unknown native seccomp architecture"
#endif

static struct {
  int present, loaded, dry_run;
  uint64_t flags;
  int listener_fd;
  const struct sock_filter *insns;
  unsigned short len;
  char state[TSR_MSG_MAX]; /* the seccomp state JSON for the listener */
  uint32_t state_len;
} sc = {.listener_fd = -1};

static void read_record(void) {
  struct record rec;
  if (sc.present || !plan_find(&g.plan, REC_SECCOMP, &rec)) return;
  if (rec.num_count <= FILTER_SLOTS || rec.num_count - FILTER_SLOTS > BPF_MAXINSNS) fail(STEP_PLAN, EINVAL, "seccomp program size");
  sc.present = 1;
  sc.flags = rec_num(&rec, FILTER_FLAGS);
  sc.listener_fd = (int)(int64_t)rec_num(&rec, FILTER_LISTENER_FD);
  /* Each number is one struct sock_filter, 8-byte aligned in the plan. */
  sc.insns = (const struct sock_filter *)(const void *)(rec.nums + FILTER_SLOTS);
  sc.len = (unsigned short)(rec.num_count - FILTER_SLOTS);
}

/* What the kernel's filter would return for this call: a classic BPF
 * interpreter for the instructions seccomp accepts. Jumps only go forward,
 * so the loop ends. */
static uint32_t verdict(const struct seccomp_data *d) {
  uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = {0};
  for (uint32_t pc = 0; pc < sc.len; pc++) {
    const struct sock_filter *in = &sc.insns[pc];
    uint32_t k = in->k, src = BPF_SRC(in->code) == BPF_X ? X : k;
    switch (BPF_CLASS(in->code)) {
    case BPF_LD:
    case BPF_LDX: {
      uint32_t v;
      if (BPF_MODE(in->code) == BPF_ABS) {
        if (k % 4 || k > sizeof *d - 4) return SECCOMP_RET_KILL_PROCESS;
        memcpy(&v, (const char *)d + k, 4);
      } else if (BPF_MODE(in->code) == BPF_IMM) {
        v = k;
      } else if (BPF_MODE(in->code) == BPF_MEM && k < BPF_MEMWORDS) {
        v = M[k];
      } else if (BPF_MODE(in->code) == BPF_LEN) {
        v = sizeof *d;
      } else {
        return SECCOMP_RET_KILL_PROCESS;
      }
      if (BPF_CLASS(in->code) == BPF_LD) A = v;
      else X = v;
      break;
    }
    case BPF_ST:
    case BPF_STX:
      if (k >= BPF_MEMWORDS) return SECCOMP_RET_KILL_PROCESS;
      M[k] = BPF_CLASS(in->code) == BPF_ST ? A : X;
      break;
    case BPF_ALU:
      switch (BPF_OP(in->code)) {
      case BPF_ADD: A += src; break;
      case BPF_SUB: A -= src; break;
      case BPF_MUL: A *= src; break;
      case BPF_DIV:
        if (!src) return SECCOMP_RET_KILL_PROCESS;
        A /= src;
        break;
      case BPF_MOD:
        if (!src) return SECCOMP_RET_KILL_PROCESS;
        A %= src;
        break;
      case BPF_OR: A |= src; break;
      case BPF_AND: A &= src; break;
      case BPF_XOR: A ^= src; break;
      case BPF_LSH: A = src < 32 ? A << src : 0; break;
      case BPF_RSH: A = src < 32 ? A >> src : 0; break;
      case BPF_NEG: A = -A; break;
      default: return SECCOMP_RET_KILL_PROCESS;
      }
      break;
    case BPF_JMP: {
      int taken;
      switch (BPF_OP(in->code)) {
      case BPF_JA: pc += k; continue;
      case BPF_JEQ: taken = A == src; break;
      case BPF_JGT: taken = A > src; break;
      case BPF_JGE: taken = A >= src; break;
      case BPF_JSET: taken = (A & src) != 0; break;
      default: return SECCOMP_RET_KILL_PROCESS;
      }
      pc += taken ? in->jt : in->jf;
      break;
    }
    case BPF_RET: return BPF_RVAL(in->code) == BPF_A ? A : k;
    case BPF_MISC:
      if (BPF_MISCOP(in->code) == BPF_TAX) X = A;
      else A = X;
      break;
    default: return SECCOMP_RET_KILL_PROCESS;
    }
  }
  return SECCOMP_RET_KILL_PROCESS;
}

static uint32_t verdict_of(long nr, const long a[6]) {
  struct seccomp_data d = {.nr = (int)nr, .arch = NATIVE_AUDIT_ARCH, .instruction_pointer = 0};
  for (int i = 0; i < 6; i++) d.args[i] = (uint64_t)a[i];
  return verdict(&d);
}

static int is_fatal(uint32_t ret) {
  uint32_t action = ret & SECCOMP_RET_ACTION_FULL;
  return action != SECCOMP_RET_ERRNO && action != SECCOMP_RET_USER_NOTIF && action != SECCOMP_RET_TRACE && action != SECCOMP_RET_LOG &&
         action != SECCOMP_RET_ALLOW;
}

/* The errno a denying verdict makes the call fail with, 0 if it runs.
 * TRACE without a tracer fails with ENOSYS, as the kernel does. */
static int denied_errno(uint32_t ret) {
  uint32_t action = ret & SECCOMP_RET_ACTION_FULL, data = ret & SECCOMP_RET_DATA;
  if (action == SECCOMP_RET_ERRNO) return data > 4095 ? 4095 : (int)data;
  if (action == SECCOMP_RET_TRACE) return ENOSYS;
  return 0;
}

static const char *action_name(uint32_t ret) {
  switch (ret & SECCOMP_RET_ACTION_FULL) {
  case SECCOMP_RET_KILL_PROCESS: return "SCMP_ACT_KILL_PROCESS";
  case SECCOMP_RET_KILL_THREAD: return "SCMP_ACT_KILL";
  case SECCOMP_RET_TRAP: return "SCMP_ACT_TRAP";
  default: return "an unknown action";
  }
}

static const char *call_name(long nr) {
  switch (nr) {
  case SYS_execve: return "execve";
  case SYS_setgroups: return "setgroups";
  case SYS_setresgid: return "setresgid";
  case SYS_setresuid: return "setresuid";
  case SYS_umask: return "umask";
  case SYS_capset: return "capset";
  case SYS_prctl: return "prctl";
  case SYS_sendmsg: return "sendmsg";
  case SYS_write: return "write";
  default: return "a system call";
  }
}

long seccomp_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
  if (!sc.dry_run) return syscall(nr, a0, a1, a2, a3, a4, a5);
  const long a[6] = {a0, a1, a2, a3, a4, a5};
  uint32_t ret = verdict_of(nr, a);
  if (is_fatal(ret))
    fail(STEP_SECCOMP, 0, "the seccomp profile kills %s (%s), which tsrun-init calls after loading it%s", call_name(nr),
         action_name(ret), nr == SYS_execve ? ": the container process could never start" : "");
  /* Only sendmsg precedes the listener getting its fd: a notification
   * then would never be answered. */
  if (nr == SYS_sendmsg && (ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
    fail(STEP_SECCOMP, EDEADLK,
         "the seccomp profile sends sendmsg to the notify listener, which tsrun-init needs to give the listener its fd");
  int err = denied_errno(ret);
  if (err)
    fail(STEP_SECCOMP, err, "the seccomp profile denies %s, which tsrun-init calls after loading it%s", call_name(nr),
         nr == SYS_execve ? ": the container process could never start" : "");
  return 0;
}

int seccomp_before_caps(void) {
  read_record();
  struct record proc;
  int nnp = plan_find(&g.plan, REC_PROCESS, &proc) && (rec_num(&proc, PROCESS_FLAGS) & PROC_NO_NEW_PRIVS);
  return sc.present && !nnp;
}

int seccomp_keep_fd(void) {
  read_record();
  return sc.listener_fd;
}

/* Hands the notify fd and the state to the listener: the first call after
 * loading, so that nothing before it can wait on a notification. */
static void send_to_listener(int notify_fd) {
  char control[CMSG_SPACE(sizeof(int))];
  memset(control, 0, sizeof control);
  struct iovec iov = {.iov_base = sc.state, .iov_len = sc.state_len};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &notify_fd, sizeof(int));
  long n;
  do n = seccomp_syscall(SYS_sendmsg, sc.listener_fd, (long)&msg, MSG_NOSIGNAL, 0, 0, 0);
  while (n < 0 && errno == EINTR);
  if (!sc.dry_run && n < 0) fail(STEP_SECCOMP, errno, "send the notify fd to linux.seccomp.listenerPath");
}

void step_seccomp_prepare(void) {
  read_record();
  if (!sc.present) return;
  if (sc.listener_fd >= 0) {
    /* Closed by execve; kept until then for the listener. */
    if (fcntl(sc.listener_fd, F_SETFD, FD_CLOEXEC) < 0) fail(STEP_SECCOMP, errno, "listener socket fd");
    send_msg(MSG_READY_SECCOMP, 0, NULL, 0);
    sc.state_len = recv_msg(MSG_SECCOMP_STATE, sc.state, sizeof sc.state);
  }
  /* The dry run of everything after the load, in the same order. */
  sc.dry_run = 1;
  if (sc.listener_fd >= 0) send_to_listener(-1);
  if (seccomp_before_caps()) credentials_after_seccomp();
  exec_syscall();
  sc.dry_run = 0;
}

int seccomp_report_killed(int fd) {
  if (!sc.loaded) return 0;
  const long a[6] = {fd, 0, 0, 0, 0, 0};
  return is_fatal(verdict_of(SYS_write, a));
}

void step_seccomp(void) {
  read_record();
  if (!sc.present || sc.loaded) return;
  struct sock_fprog prog = {.len = sc.len, .filter = (struct sock_filter *)sc.insns};
  long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned long)sc.flags, &prog);
  if (fd < 0) {
    int err = errno;
    if (err == EINVAL)
      fail(STEP_SECCOMP, err, "load the seccomp filter (flags 0x%llx): the kernel refuses a flag or the program",
           (unsigned long long)sc.flags);
    fail(STEP_SECCOMP, err, "load the seccomp filter");
  }
  sc.loaded = 1;
  if (sc.listener_fd >= 0) send_to_listener((int)fd);
}
