/*
 * tsrun conformance probe: a static program copied into each test rootfs.
 * It prints one JSON object describing what the process sees. Each
 * argument selects a section, so a test asks only for what it checks.
 *
 *   probe ids caps rlimits ns uts cwd env oom tty time pers seccomp mounts pid
 *         sched ioprio
 *         read=PATH stat=PATH write=PATH ls=PATH openrw=PATH sleep=SECS
 *
 * Host mode (the runner uses it as the --console-socket receiver):
 *   probe recvtty SOCKET OUTFILE   accept one connection, take the pty
 *                                  master passed with SCM_RIGHTS, copy its
 *                                  output to OUTFILE until the pty closes.
 *   probe seccomplisten SOCKET OUTFILE ERRNO
 *                                  a seccomp notify listener: accept one
 *                                  connection, write the container process
 *                                  state received on it to OUTFILE (then a
 *                                  line "fds N"), answer every notification
 *                                  with -ERRNO until the filter has no users.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/personality.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int first_field = 1;

static void jstr(const char *s) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': fputs("\\\"", stdout); break;
    case '\\': fputs("\\\\", stdout); break;
    case '\n': fputs("\\n", stdout); break;
    case '\r': fputs("\\r", stdout); break;
    case '\t': fputs("\\t", stdout); break;
    default:
      if (*p < 0x20 || *p >= 0x7f)
        printf("\\u%04x", *p);
      else
        putchar(*p);
    }
  }
  putchar('"');
}

static void key(const char *k) {
  if (!first_field)
    putchar(',');
  first_field = 0;
  jstr(k);
  putchar(':');
}

/* Reads a whole small file; returns length or -errno. */
static ssize_t slurp(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  size_t len = 0;
  for (;;) {
    ssize_t n = read(fd, buf + len, cap - 1 - len);
    if (n < 0) {
      int e = errno;
      close(fd);
      return -e;
    }
    if (n == 0 || len + (size_t)n >= cap - 1) {
      len += (size_t)(n > 0 ? n : 0);
      break;
    }
    len += (size_t)n;
  }
  close(fd);
  buf[len] = 0;
  return (ssize_t)len;
}

static char big[1 << 17];

static void sec_ids(void) {
  key("ids");
  printf("{\"uid\":%u,\"gid\":%u,\"euid\":%u,\"egid\":%u,\"groups\":[", getuid(), getgid(), geteuid(),
         getegid());
  gid_t groups[256];
  int n = getgroups(256, groups);
  for (int i = 0; i < n; i++)
    printf("%s%u", i ? "," : "", groups[i]);
  printf("]}");
}

/* Fields of /proc/self/status that tests look at. */
static void sec_status(void) {
  static const char *fields[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs",
                                 "Seccomp", "Umask", "NSpid", "Cpus_allowed_list", NULL};
  key("status");
  putchar('{');
  ssize_t n = slurp("/proc/self/status", big, sizeof big);
  int first = 1;
  if (n > 0) {
    char *save = NULL;
    for (char *line = strtok_r(big, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      char *colon = strchr(line, ':');
      if (!colon)
        continue;
      *colon = 0;
      for (int i = 0; fields[i]; i++) {
        if (strcmp(line, fields[i]) == 0) {
          char *v = colon + 1;
          while (*v == ' ' || *v == '\t')
            v++;
          if (!first)
            putchar(',');
          first = 0;
          jstr(line);
          putchar(':');
          jstr(v);
        }
      }
    }
  }
  putchar('}');
}

static void sec_rlimits(void) {
  static const struct {
    const char *name;
    int res;
  } lims[] = {
      {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},
      {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_DATA", RLIMIT_DATA},
      {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
      {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
      {"RLIMIT_NICE", RLIMIT_NICE},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
      {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
      {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
      {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
  };
  key("rlimits");
  putchar('{');
  for (size_t i = 0; i < sizeof lims / sizeof lims[0]; i++) {
    struct rlimit r;
    if (i)
      putchar(',');
    jstr(lims[i].name);
    if (getrlimit(lims[i].res, &r) != 0) {
      printf(":null");
      continue;
    }
    /* RLIM_INFINITY is printed as -1 to stay inside JSON's exact integers. */
    printf(":[");
    if (r.rlim_cur == RLIM_INFINITY)
      printf("-1");
    else
      printf("%llu", (unsigned long long)r.rlim_cur);
    putchar(',');
    if (r.rlim_max == RLIM_INFINITY)
      printf("-1");
    else
      printf("%llu", (unsigned long long)r.rlim_max);
    putchar(']');
  }
  putchar('}');
}

static void sec_ns(void) {
  static const char *names[] = {"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time",
                                "time_for_children", "user", "uts", NULL};
  key("ns");
  putchar('{');
  for (int i = 0; names[i]; i++) {
    char path[64], target[128];
    snprintf(path, sizeof path, "/proc/self/ns/%s", names[i]);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (i)
      putchar(',');
    jstr(names[i]);
    putchar(':');
    if (n < 0) {
      printf("null");
      continue;
    }
    target[n] = 0;
    jstr(target);
  }
  putchar('}');
}

static void sec_uts(void) {
  struct utsname u;
  key("uts");
  if (uname(&u) != 0) {
    printf("null");
    return;
  }
  printf("{\"nodename\":");
  jstr(u.nodename);
  printf(",\"domainname\":");
  jstr(u.domainname);
  printf(",\"machine\":");
  jstr(u.machine);
  putchar('}');
}

static void sec_cwd(void) {
  char buf[4096];
  key("cwd");
  if (getcwd(buf, sizeof buf))
    jstr(buf);
  else
    printf("null");
}

static void sec_env(void) {
  key("env");
  putchar('[');
  for (char **e = environ; e && *e; e++) {
    if (e != environ)
      putchar(',');
    jstr(*e);
  }
  putchar(']');
}

static void sec_pid(void) {
  key("pid");
  printf("{\"pid\":%d,\"ppid\":%d}", getpid(), getppid());
}

static void sec_oom(void) {
  char buf[64];
  key("oomScoreAdj");
  if (slurp("/proc/self/oom_score_adj", buf, sizeof buf) > 0)
    printf("%d", atoi(buf));
  else
    printf("null");
}

static void sec_tty(void) {
  struct winsize ws;
  struct stat st;
  key("tty");
  printf("{\"isatty\":[%s,%s,%s]", isatty(0) ? "true" : "false", isatty(1) ? "true" : "false",
         isatty(2) ? "true" : "false");
  if (ioctl(0, TIOCGWINSZ, &ws) == 0)
    printf(",\"rows\":%u,\"cols\":%u", ws.ws_row, ws.ws_col);
  if (fstat(0, &st) == 0 && S_ISCHR(st.st_mode))
    printf(",\"stdinMajor\":%u,\"stdinMinor\":%u", major(st.st_rdev), minor(st.st_rdev));
  char *name = ttyname(0);
  if (name) {
    printf(",\"ttyname\":");
    jstr(name);
  }
  putchar('}');
}

static void sec_time(void) {
  struct timespec m, b;
  clock_gettime(CLOCK_MONOTONIC, &m);
  clock_gettime(CLOCK_BOOTTIME, &b);
  key("time");
  printf("{\"monotonic\":%lld,\"boottime\":%lld}", (long long)m.tv_sec, (long long)b.tv_sec);
}

static void sec_pers(void) {
  key("personality");
  printf("%d", personality(0xffffffff));
}

static void sec_seccomp(void) {
  /* getpriority is the syscall seccomp tests filter; report its errno. */
  errno = 0;
  long r = syscall(SYS_getpriority, PRIO_PROCESS, 0);
  key("getpriority");
  printf("{\"ret\":%ld,\"errno\":%d}", r, r < 0 ? errno : 0);
}

/* Scheduling policy, nice value and static priority of this process. */
static void sec_sched(void) {
  struct sched_param sp = {0};
  int policy = sched_getscheduler(0);
  int perr = policy < 0 ? errno : 0;
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, 0);
  int nerr = errno;
  if (sched_getparam(0, &sp) != 0)
    sp.sched_priority = -1;
  key("sched");
  printf("{\"policy\":%d,\"policyErrno\":%d,\"nice\":%d,\"niceErrno\":%d,\"priority\":%d}", policy, perr,
         nice, nerr, sp.sched_priority);
}

/* ioprio_get(IOPRIO_WHO_PROCESS, self): class << 13 | data. */
static void sec_ioprio(void) {
  errno = 0;
  long r = syscall(SYS_ioprio_get, 1, 0);
  key("ioprio");
  printf("{\"value\":%ld,\"errno\":%d}", r, r < 0 ? errno : 0);
}

static void sec_mounts(void) {
  key("mountinfo");
  putchar('[');
  ssize_t n = slurp("/proc/self/mountinfo", big, sizeof big);
  int first = 1;
  if (n > 0) {
    char *save = NULL;
    for (char *line = strtok_r(big, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      if (!first)
        putchar(',');
      first = 0;
      jstr(line);
    }
  }
  putchar(']');
}

/* Per-path results are collected under one key each, as maps path -> result. */
static void path_read(const char *path) {
  static char buf[8192];
  ssize_t n = slurp(path, buf, sizeof buf);
  if (n < 0)
    printf("{\"errno\":%d}", (int)-n);
  else {
    printf("{\"content\":");
    jstr(buf);
    putchar('}');
  }
}

static void path_stat(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    printf("{\"errno\":%d}", errno);
    return;
  }
  const char *t = S_ISREG(st.st_mode)    ? "f"
                  : S_ISDIR(st.st_mode)  ? "d"
                  : S_ISCHR(st.st_mode)  ? "c"
                  : S_ISBLK(st.st_mode)  ? "b"
                  : S_ISFIFO(st.st_mode) ? "p"
                  : S_ISLNK(st.st_mode)  ? "l"
                  : S_ISSOCK(st.st_mode) ? "s"
                                         : "?";
  printf("{\"type\":\"%s\",\"mode\":%u,\"uid\":%u,\"gid\":%u", t, st.st_mode & 07777, st.st_uid,
         st.st_gid);
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
    printf(",\"major\":%u,\"minor\":%u", major(st.st_rdev), minor(st.st_rdev));
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n >= 0) {
      target[n] = 0;
      printf(",\"target\":");
      jstr(target);
    }
  }
  putchar('}');
}

static void path_write(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    printf("{\"errno\":%d}", errno);
    return;
  }
  ssize_t n = write(fd, "probe\n", 6);
  int e = n < 0 ? errno : 0;
  close(fd);
  printf("{\"errno\":%d}", e);
}

static void path_openrw(const char *path) {
  int fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
  printf("{\"errno\":%d}", fd < 0 ? errno : 0);
  if (fd >= 0)
    close(fd);
}

static void path_ls(const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    printf("{\"errno\":%d}", errno);
    return;
  }
  printf("{\"entries\":[");
  int first = 1;
  for (struct dirent *e; (e = readdir(d));) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (!first)
      putchar(',');
    first = 0;
    jstr(e->d_name);
  }
  closedir(d);
  printf("]}");
}

static const struct {
  const char *prefix;
  const char *key;
  void (*fn)(const char *);
} path_ops[] = {
    {"read=", "read", path_read},       {"stat=", "stat", path_stat},
    {"write=", "write", path_write},    {"ls=", "ls", path_ls},
    {"openrw=", "openrw", path_openrw}, {NULL, NULL, NULL},
};

static const struct {
  const char *name;
  void (*fn)(void);
} sections[] = {
    {"ids", sec_ids},   {"status", sec_status}, {"rlimits", sec_rlimits}, {"ns", sec_ns},
    {"uts", sec_uts},   {"cwd", sec_cwd},       {"env", sec_env},         {"pid", sec_pid},
    {"oom", sec_oom},   {"tty", sec_tty},       {"time", sec_time},       {"pers", sec_pers},
    {"seccomp", sec_seccomp}, {"mounts", sec_mounts}, {"sched", sec_sched}, {"ioprio", sec_ioprio},
    {NULL, NULL},
};

static int recvtty(const char *sockpath, const char *outpath) {
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (s < 0 || strlen(sockpath) >= sizeof addr.sun_path)
    return 2;
  strcpy(addr.sun_path, sockpath);
  unlink(sockpath);
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s, 1) != 0) {
    perror("recvtty: bind");
    return 2;
  }
  /* Tell the runner the socket is ready. */
  printf("ready\n");
  fflush(stdout);
  int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
  if (c < 0)
    return 2;
  char data[256];
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = data, .iov_len = sizeof data};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                       .msg_controllen = sizeof cbuf};
  if (recvmsg(c, &msg, 0) < 0)
    return 3;
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  if (!cm || cm->cmsg_type != SCM_RIGHTS)
    return 3;
  int master;
  memcpy(&master, CMSG_DATA(cm), sizeof master);
  close(c);
  close(s);
  int out = open(outpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0)
    return 4;
  char buf[4096];
  for (;;) {
    ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0)
      break; /* EIO once every slave fd is closed */
    if (write(out, buf, (size_t)n) != n)
      break;
  }
  close(out);
  return 0;
}

static int seccomplisten(const char *sockpath, const char *outpath, int answer) {
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (s < 0 || strlen(sockpath) >= sizeof addr.sun_path)
    return 2;
  strcpy(addr.sun_path, sockpath);
  unlink(sockpath);
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s, 1) != 0) {
    perror("seccomplisten: bind");
    return 2;
  }
  printf("ready\n");
  fflush(stdout);
  int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
  if (c < 0)
    return 2;
  static char data[65536];
  char cbuf[CMSG_SPACE(sizeof(int) * 4)];
  struct iovec iov = {.iov_base = data, .iov_len = sizeof data - 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
  ssize_t n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0)
    return 3;
  int fds[4], nfds = 0;
  for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
      for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int) && nfds < 4; i++)
        memcpy(&fds[nfds++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
  FILE *out = fopen(outpath, "w");
  if (!out)
    return 4;
  fprintf(out, "%.*s\nfds %d\n", (int)n, data, nfds);
  fclose(out);
  if (nfds == 0)
    return 3;
  struct seccomp_notif_sizes sizes;
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0)
    return 5;
  struct seccomp_notif *req = calloc(1, sizes.seccomp_notif);
  struct seccomp_notif_resp *resp = calloc(1, sizes.seccomp_notif_resp);
  for (;;) {
    struct pollfd p = {.fd = fds[0], .events = POLLIN};
    if (poll(&p, 1, -1) < 0 && errno != EINTR)
      break;
    if (!(p.revents & POLLIN)) {
      if (p.revents & (POLLHUP | POLLERR))
        break; /* no process uses the filter any more */
      continue;
    }
    memset(req, 0, sizes.seccomp_notif);
    if (ioctl(fds[0], SECCOMP_IOCTL_NOTIF_RECV, req) != 0)
      continue;
    memset(resp, 0, sizes.seccomp_notif_resp);
    resp->id = req->id;
    resp->error = -answer;
    ioctl(fds[0], SECCOMP_IOCTL_NOTIF_SEND, resp);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "recvtty") == 0)
    return recvtty(argv[2], argv[3]);
  if (argc == 5 && strcmp(argv[1], "seccomplisten") == 0)
    return seccomplisten(argv[2], argv[3], atoi(argv[4]));
  unsigned sleep_secs = 0;
  putchar('{');
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "sleep=", 6) == 0) {
      sleep_secs = (unsigned)atoi(a + 6);
      continue;
    }
    int done = 0;
    for (int j = 0; sections[j].name; j++)
      if (strcmp(a, sections[j].name) == 0) {
        sections[j].fn();
        done = 1;
      }
    for (int j = 0; !done && path_ops[j].prefix; j++) {
      size_t l = strlen(path_ops[j].prefix);
      if (strncmp(a, path_ops[j].prefix, l) == 0) {
        char k[4200];
        snprintf(k, sizeof k, "%s:%s", path_ops[j].key, a + l);
        key(k);
        path_ops[j].fn(a + l);
        done = 1;
      }
    }
    if (!done) {
      key("unknown");
      jstr(a);
    }
  }
  printf("}\n");
  fflush(stdout);
  if (sleep_secs)
    sleep(sleep_secs);
  return 0;
}
