/* N-API glue: argument checks, the C calls in the sibling files, and
 * errors shaped like Node's own (code, errno, syscall). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf.h"
#include "native.h"

#define MAX_ARGS 8

static napi_value throw_errno(napi_env env, int err, const char *syscall_name, const char *detail) {
  char msg[1024];
  snprintf(msg, sizeof msg, "%s: %s%s%s", syscall_name, strerror(err), detail ? ": " : "", detail ? detail : "");
  napi_value message, error, code_v, errno_v, sys_v;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, NULL, message, &error);
  const char *code = strerrorname_np(err);
  napi_create_string_utf8(env, code ? code : "EUNKNOWN", NAPI_AUTO_LENGTH, &code_v);
  napi_create_int32(env, err, &errno_v);
  napi_create_string_utf8(env, syscall_name, NAPI_AUTO_LENGTH, &sys_v);
  napi_set_named_property(env, error, "code", code_v);
  napi_set_named_property(env, error, "errno", errno_v);
  napi_set_named_property(env, error, "syscall", sys_v);
  napi_throw(env, error);
  return NULL;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = MAX_ARGS;
  napi_value all[MAX_ARGS];
  napi_get_cb_info(env, info, &argc, all, NULL, NULL);
  if (argc < want) {
    napi_throw_type_error(env, NULL, "missing arguments");
    return -1;
  }
  memcpy(argv, all, sizeof(napi_value) * want);
  return 0;
}

static int32_t int_arg(napi_env env, napi_value v) {
  int32_t out = -1;
  napi_get_value_int32(env, v, &out);
  return out;
}

static char *string_arg(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (s) napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

static napi_value int_result(napi_env env, int64_t v) {
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

static napi_value sealed_copy(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  char *path = string_arg(env, a[0]);
  const char *sys = "open";
  int fd = tsrun_sealed_copy(path, &sys);
  napi_value r = fd < 0 ? throw_errno(env, -fd, sys, path) : int_result(env, fd);
  free(path);
  return r;
}

static napi_value sealed_buffer(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  char *name = string_arg(env, a[0]);
  void *data;
  size_t len;
  napi_get_buffer_info(env, a[1], &data, &len);
  const char *sys = "memfd_create";
  int fd = tsrun_sealed_buffer(name, data, len, &sys);
  free(name);
  return fd < 0 ? throw_errno(env, -fd, sys, NULL) : int_result(env, fd);
}

static napi_value null_value(napi_env env) {
  napi_value n;
  napi_get_null(env, &n);
  return n;
}

static void unmap_file(napi_env env, void *data, void *len) {
  (void)env;
  munmap(data, (size_t)(uintptr_t)len);
}

/* The one argument of mapText and mapFile, mapped: tsrun_map_file's
 * result; *path is the caller's to free. */
static int map_path_arg(napi_env env, napi_callback_info info, char **path, void **data, size_t *len, const char **sys) {
  napi_value a[1];
  *path = NULL;
  if (get_args(env, info, 1, a)) return -EINVAL;
  *path = string_arg(env, a[0]);
  return tsrun_map_file(*path, data, len, sys);
}

/* node_api_create_external_string_latin1 is in Node >= 20.4 but still
 * behind NAPI_EXPERIMENTAL in its headers: looked up at run time, so the
 * addon loads on any Node and the caller reads the file where it is missing. */
typedef napi_status (*external_latin1_fn)(napi_env, char *, size_t, napi_finalize, void *, napi_value *, bool *);

/* mapText(path): the file as a string V8 reads in place, or null (no
 * external strings in this Node, or a byte that is not ASCII, where
 * Latin-1 and UTF-8 differ). The mapping lives as long as the string. */
static napi_value map_text(napi_env env, napi_callback_info info) {
  static external_latin1_fn create_external;
  static bool looked_up;
  if (!looked_up) {
    create_external = (external_latin1_fn)dlsym(RTLD_DEFAULT, "node_api_create_external_string_latin1");
    looked_up = true;
  }
  if (!create_external) return null_value(env);
  char *path;
  const char *sys;
  void *data;
  size_t len;
  int rc = map_path_arg(env, info, &path, &data, &len, &sys);
  if (!path) return NULL;
  napi_value out = NULL;
  if (rc < 0) {
    out = throw_errno(env, -rc, sys, path);
  } else if (len == 0) {
    napi_create_string_latin1(env, "", 0, &out);
  } else if (!tsrun_all_ascii(data, len)) {
    munmap(data, len);
    out = null_value(env);
  } else {
    bool copied = false;
    /* On success the finalizer owns the mapping (and has run already if V8 copied). */
    if (create_external(env, data, len, unmap_file, (void *)(uintptr_t)len, &out, &copied) != napi_ok) {
      munmap(data, len);
      out = null_value(env);
    }
  }
  free(path);
  return out;
}

/* mapFile(path): the file as an ArrayBuffer over its mapping, or null when
 * it does not exist or is empty. */
static napi_value map_file(napi_env env, napi_callback_info info) {
  char *path;
  const char *sys;
  void *data;
  size_t len;
  int rc = map_path_arg(env, info, &path, &data, &len, &sys);
  if (!path) return NULL;
  napi_value out = NULL;
  if (rc == -ENOENT || (rc == 0 && len == 0)) {
    out = null_value(env);
  } else if (rc < 0) {
    out = throw_errno(env, -rc, sys, path);
  } else if (napi_create_external_arraybuffer(env, data, len, unmap_file, (void *)(uintptr_t)len, &out) != napi_ok) {
    munmap(data, len);
    out = null_value(env);
  }
  free(path);
  return out;
}

/* userName(uid): uid's name in the user database, through NSS as
 * os.userInfo() finds it (without loading node:os, 0.5 ms of a create);
 * null when it has none. */
static napi_value user_name(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  uint32_t uid = 0;
  napi_get_value_uint32(env, a[0], &uid);
  char buf[16384];
  struct passwd pw, *found = NULL;
  int rc = getpwuid_r((uid_t)uid, &pw, buf, sizeof buf, &found);
  if (rc != 0) return throw_errno(env, rc, "getpwuid_r", NULL);
  if (!found) return null_value(env);
  napi_value out;
  napi_create_string_utf8(env, found->pw_name, NAPI_AUTO_LENGTH, &out);
  return out;
}

static napi_value spawn_init(napi_env env, napi_callback_info info) {
  napi_value a[5];
  if (get_args(env, info, 5, a)) return NULL;
  int exec_fd = int_arg(env, a[0]), cgroup_fd = int_arg(env, a[3]);
  uint32_t argc = 0, count = 0;
  napi_get_array_length(env, a[1], &argc);
  napi_get_array_length(env, a[2], &count);
  if (count > 256 || argc > 64) {
    napi_throw_range_error(env, NULL, "too many fds or arguments");
    return NULL;
  }
  char *argv[65];
  int table[256];
  for (uint32_t i = 0; i < argc; i++) {
    napi_value v;
    napi_get_element(env, a[1], i, &v);
    argv[i] = string_arg(env, v);
  }
  argv[argc] = NULL;
  for (uint32_t i = 0; i < count; i++) {
    napi_value v;
    napi_get_element(env, a[2], i, &v);
    table[i] = int_arg(env, v);
  }
  /* a[4]: cgroup.procs fds of v1 cgroups the child joins (undefined: none). */
  int join_fds[64];
  uint32_t join_count = 0;
  napi_valuetype join_type;
  napi_typeof(env, a[4], &join_type);
  if (join_type == napi_object) napi_get_array_length(env, a[4], &join_count);
  if (join_count > 64) {
    for (uint32_t i = 0; i < argc; i++) free(argv[i]);
    napi_throw_range_error(env, NULL, "too many cgroups to join");
    return NULL;
  }
  for (uint32_t i = 0; i < join_count; i++) {
    napi_value v;
    napi_get_element(env, a[4], i, &v);
    join_fds[i] = int_arg(env, v);
  }
  pid_t pid;
  int pidfd;
  const char *sys = "clone3";
  int join_failed = -1;
  int rc = tsrun_spawn(exec_fd, argv, table, (int)count, cgroup_fd, join_fds, (int)join_count, &pid, &pidfd, &sys, &join_failed);
  for (uint32_t i = 0; i < argc; i++) free(argv[i]);
  if (rc < 0) {
    throw_errno(env, -rc, sys, join_failed >= 0 ? "join cgroup" : "start tsrun-init");
    if (join_failed >= 0) {
      /* Tell JS which cgroup.procs the child could not join. */
      napi_value exc, index;
      napi_get_and_clear_last_exception(env, &exc);
      napi_create_int32(env, join_failed, &index);
      napi_set_named_property(env, exc, "joinIndex", index);
      napi_throw(env, exc);
    }
    return NULL;
  }
  napi_value out;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "pid", int_result(env, pid));
  napi_set_named_property(env, out, "pidfd", int_result(env, pidfd));
  return out;
}

static napi_value seqpacket_pair(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  int rc = tsrun_seqpacket_pair(fds);
  if (rc < 0) return throw_errno(env, -rc, "socketpair", NULL);
  napi_value out;
  napi_create_array_with_length(env, 2, &out);
  napi_set_element(env, out, 0, int_result(env, fds[0]));
  napi_set_element(env, out, 1, int_result(env, fds[1]));
  return out;
}

static napi_value recv_message(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  int sock = int_arg(env, a[0]), cap = int_arg(env, a[1]), timeout = int_arg(env, a[2]);
  if (cap <= 0 || cap > (1 << 20)) {
    napi_throw_range_error(env, NULL, "bad message size");
    return NULL;
  }
  void *buf = malloc((size_t)cap);
  int fds[16], nfds = 0;
  ssize_t n = tsrun_recv_message(sock, buf, (size_t)cap, timeout, fds, 16, &nfds);
  if (n < 0) {
    free(buf);
    return throw_errno(env, (int)-n, "recvmsg", NULL);
  }
  napi_value out, data, fd_list;
  napi_create_buffer_copy(env, (size_t)n, buf, NULL, &data);
  free(buf);
  napi_create_array_with_length(env, (size_t)nfds, &fd_list);
  for (int i = 0; i < nfds; i++) napi_set_element(env, fd_list, (uint32_t)i, int_result(env, fds[i]));
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "data", data);
  napi_set_named_property(env, out, "fds", fd_list);
  return out;
}

static napi_value send_message(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  int sock = int_arg(env, a[0]);
  void *data;
  size_t len;
  napi_get_buffer_info(env, a[1], &data, &len);
  uint32_t nfds = 0;
  napi_get_array_length(env, a[2], &nfds);
  int fds[16];
  if (nfds > 16) nfds = 16;
  for (uint32_t i = 0; i < nfds; i++) {
    napi_value v;
    napi_get_element(env, a[2], i, &v);
    fds[i] = int_arg(env, v);
  }
  int rc = tsrun_send_message(sock, data, len, fds, (int)nfds);
  return rc < 0 ? throw_errno(env, -rc, "sendmsg", NULL) : undefined(env);
}

static napi_value wait_pid(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  int status;
  pid_t r;
  do r = waitpid(int_arg(env, a[0]), &status, 0);
  while (r < 0 && errno == EINTR);
  return r < 0 ? throw_errno(env, errno, "waitpid", NULL) : int_result(env, status);
}

/* waitpid(pid, WNOHANG): the raw status of a child that has exited, or -1
 * while it runs. */
static napi_value wait_pid_no_hang(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  int status;
  pid_t r;
  do r = waitpid(int_arg(env, a[0]), &status, WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r < 0) return throw_errno(env, errno, "waitpid", NULL);
  return int_result(env, r == 0 ? -1 : status);
}

struct wait_work {
  napi_async_work work;
  napi_deferred deferred;
  pid_t pid;
  int status, err;
};

static void wait_execute(napi_env env, void *data) {
  (void)env;
  struct wait_work *w = data;
  pid_t r;
  do r = waitpid(w->pid, &w->status, 0);
  while (r < 0 && errno == EINTR);
  w->err = r < 0 ? errno : 0;
}

static void wait_complete(napi_env env, napi_status status, void *data) {
  (void)status;
  struct wait_work *w = data;
  if (w->err) {
    napi_value msg, error;
    napi_create_string_utf8(env, strerror(w->err), NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &error);
    napi_reject_deferred(env, w->deferred, error);
  } else {
    napi_resolve_deferred(env, w->deferred, int_result(env, w->status));
  }
  napi_delete_async_work(env, w->work);
  free(w);
}

static napi_value wait_pid_async(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  struct wait_work *w = calloc(1, sizeof *w);
  w->pid = int_arg(env, a[0]);
  napi_value promise, name;
  napi_create_promise(env, &w->deferred, &promise);
  napi_create_string_utf8(env, "tsrun:waitpid", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, wait_execute, wait_complete, w, &w->work);
  napi_queue_async_work(env, w->work);
  return promise;
}

static napi_value set_child_subreaper(napi_env env, napi_callback_info info) {
  (void)info;
  return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 ? throw_errno(env, errno, "prctl", NULL) : undefined(env);
}

/* execv(path, argv): a foreground `run` hands its wait to the C front door
 * (bin/tsrun), which keeps this pid and so stays the container's
 * subreaper, in a few MB instead of a Node process. Returns only on failure. */
static napi_value exec_file(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  uint32_t argc = 0;
  if (napi_get_array_length(env, a[1], &argc) != napi_ok) return throw_errno(env, EINVAL, "execv", NULL);
  char *path = string_arg(env, a[0]);
  char **argv = calloc((size_t)argc + 1, sizeof *argv);
  if (!path || !argv) return throw_errno(env, ENOMEM, "execv", NULL);
  for (uint32_t i = 0; i < argc; i++) {
    napi_value v;
    napi_get_element(env, a[1], i, &v);
    argv[i] = string_arg(env, v);
  }
  /* The front door writes its warnings and errors to this process's stdio,
   * which node may hold close-on-exec. */
  for (int fd = 0; fd <= 2; fd++) {
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0 && (flags & FD_CLOEXEC)) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
  execv(path, argv);
  napi_value r = throw_errno(env, errno, "execv", path);
  for (uint32_t i = 0; i < argc; i++) free(argv[i]);
  free(argv);
  free(path);
  return r;
}

static napi_value pidfd_send_signal(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  if (syscall(SYS_pidfd_send_signal, int_arg(env, a[0]), int_arg(env, a[1]), NULL, 0) < 0)
    return throw_errno(env, errno, "pidfd_send_signal", NULL);
  return undefined(env);
}

static napi_value flock_fd(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  bool exclusive = false, wait = false;
  napi_get_value_bool(env, a[1], &exclusive);
  napi_get_value_bool(env, a[2], &wait);
  int op = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
  int rc;
  do rc = flock(int_arg(env, a[0]), op);
  while (rc < 0 && errno == EINTR);
  napi_value out;
  if (rc < 0 && errno == EWOULDBLOCK) {
    napi_get_boolean(env, false, &out);
    return out;
  }
  if (rc < 0) return throw_errno(env, errno, "flock", NULL);
  napi_get_boolean(env, true, &out);
  return out;
}

static napi_value make_fifo(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  char *path = string_arg(env, a[0]);
  mode_t old = umask(0);
  int rc = mkfifo(path, (mode_t)int_arg(env, a[1]));
  int err = errno;
  umask(old);
  napi_value r = rc < 0 ? throw_errno(env, err, "mkfifo", path) : undefined(env);
  free(path);
  return r;
}

/* umount2(path, flags): `delete` detaches the rootfs bind of a container
 * that shared the runtime's mount namespace. */
static napi_value unmount(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  char *path = string_arg(env, a[0]);
  int rc = umount2(path, int_arg(env, a[1]));
  napi_value r = rc < 0 ? throw_errno(env, errno, "umount2", path) : undefined(env);
  free(path);
  return r;
}

/* mount(source, target, MS_BIND): keeps a namespace file alive past its
 * last process (linux.netDevices go back to the host at delete). */
static napi_value bind_mount(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  char *source = string_arg(env, a[0]), *target = string_arg(env, a[1]);
  int rc = mount(source, target, NULL, MS_BIND, NULL);
  napi_value r = rc < 0 ? throw_errno(env, errno, "mount", target) : undefined(env);
  free(source);
  free(target);
  return r;
}

static napi_value idmapped_tree(napi_env env, napi_callback_info info) {
  napi_value a[7];
  if (get_args(env, info, 7, a)) return NULL;
  char *source = string_arg(env, a[0]), *uid_map = string_arg(env, a[5]), *gid_map = string_arg(env, a[6]);
  int64_t set = 0, clr = 0;
  napi_get_value_int64(env, a[3], &set);
  napi_get_value_int64(env, a[4], &clr);
  bool clone_recursive = false, recursive = false;
  napi_get_value_bool(env, a[1], &clone_recursive);
  napi_get_value_bool(env, a[2], &recursive);
  const char *failed = "";
  int fd = tsrun_idmapped_tree(source, clone_recursive, recursive, (uint64_t)set, (uint64_t)clr, uid_map, gid_map, &failed);
  napi_value r = fd < 0 ? throw_errno(env, -fd, failed, source) : int_result(env, fd);
  free(source);
  free(uid_map);
  free(gid_map);
  return r;
}

static napi_value connect_unix(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  char *path = string_arg(env, a[0]);
  int fd = tsrun_connect_unix(path);
  napi_value r = fd < 0 ? throw_errno(env, -fd, "connect", path) : int_result(env, fd);
  free(path);
  return r;
}

static napi_value attach_device_filter(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  void *insns;
  size_t len;
  napi_get_buffer_info(env, a[1], &insns, &len);
  static char log[16384];
  log[0] = '\0';
  int rc = tsrun_attach_device_filter(int_arg(env, a[0]), insns, len, log, sizeof log);
  return rc < 0 ? throw_errno(env, -rc, "bpf", log[0] ? log : NULL) : undefined(env);
}

/* Node has no TIOCSWINSZ for a fd it did not open as its own tty. */
static napi_value set_window_size(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  struct winsize ws = {.ws_row = (unsigned short)int_arg(env, a[1]), .ws_col = (unsigned short)int_arg(env, a[2])};
  return ioctl(int_arg(env, a[0]), TIOCSWINSZ, &ws) < 0 ? throw_errno(env, errno, "ioctl", "TIOCSWINSZ") : undefined(env);
}

/* A JS array of strings → malloc'd char*[] (NULL on a non-string). */
static char **string_array(napi_env env, napi_value arr, uint32_t *count) {
  *count = 0;
  if (napi_get_array_length(env, arr, count) != napi_ok) return NULL;
  char **out = calloc(*count + 1, sizeof *out);
  for (uint32_t i = 0; out && i < *count; i++) {
    napi_value v;
    napi_get_element(env, arr, i, &v);
    out[i] = string_arg(env, v);
  }
  return out;
}

static void free_strings(char **list, uint32_t count) {
  for (uint32_t i = 0; list && i < count; i++) free(list[i]);
  free(list);
}

static napi_value compile_seccomp(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  void *words;
  size_t len;
  napi_get_buffer_info(env, a[0], &words, &len);
  uint32_t narchs, nsyscalls;
  char **archs = string_array(env, a[1], &narchs);
  char **syscalls = string_array(env, a[2], &nsyscalls);
  void *prog = NULL;
  size_t prog_len = 0;
  long bad_rule;
  const char *what;
  int rc = (len % 8 || !archs || !syscalls)
               ? -EINVAL
               : tsrun_seccomp_compile(words, len / 8, archs, narchs, syscalls, nsyscalls, &prog, &prog_len, &bad_rule, &what);
  free_strings(archs, narchs);
  free_strings(syscalls, nsyscalls);
  if (rc < 0) {
    free(prog);
    throw_errno(env, -rc, what, NULL);
    napi_value error, rule;
    if (napi_get_and_clear_last_exception(env, &error) == napi_ok) {
      napi_create_int64(env, bad_rule, &rule);
      napi_set_named_property(env, error, "rule", rule);
      napi_throw(env, error);
    }
    return NULL;
  }
  napi_value out;
  napi_create_buffer_copy(env, prog_len, prog, NULL, &out);
  free(prog);
  return out;
}

static napi_value seccomp_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out, version;
  napi_create_object(env, &out);
  napi_create_string_utf8(env, tsrun_seccomp_version(), NAPI_AUTO_LENGTH, &version);
  napi_set_named_property(env, out, "version", version);
  napi_set_named_property(env, out, "apiLevel", int_result(env, tsrun_seccomp_api_level()));
  return out;
}

static napi_value seccomp_arch(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  char *name = string_arg(env, a[0]);
  napi_value r = int_result(env, name ? tsrun_seccomp_arch(name) : 0);
  free(name);
  return r;
}

static napi_value seccomp_flag_supported(napi_env env, napi_callback_info info) {
  napi_value a[1], out;
  if (get_args(env, info, 1, a)) return NULL;
  napi_get_boolean(env, tsrun_seccomp_flag_supported((unsigned long)int_arg(env, a[0])), &out);
  return out;
}

static napi_value seccomp_action_supported(napi_env env, napi_callback_info info) {
  napi_value a[1], out;
  if (get_args(env, info, 1, a)) return NULL;
  uint32_t action = 0;
  napi_get_value_uint32(env, a[0], &action);
  napi_get_boolean(env, tsrun_seccomp_action_supported(action), &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sealedCopy", NULL, sealed_copy, NULL, NULL, NULL, napi_default, NULL},
      {"mapText", NULL, map_text, NULL, NULL, NULL, napi_default, NULL},
      {"mapFile", NULL, map_file, NULL, NULL, NULL, napi_default, NULL},
      {"userName", NULL, user_name, NULL, NULL, NULL, napi_default, NULL},
      {"sealedBuffer", NULL, sealed_buffer, NULL, NULL, NULL, napi_default, NULL},
      {"spawnInit", NULL, spawn_init, NULL, NULL, NULL, napi_default, NULL},
      {"seqpacketPair", NULL, seqpacket_pair, NULL, NULL, NULL, napi_default, NULL},
      {"recvMessage", NULL, recv_message, NULL, NULL, NULL, napi_default, NULL},
      {"sendMessage", NULL, send_message, NULL, NULL, NULL, napi_default, NULL},
      {"waitPid", NULL, wait_pid, NULL, NULL, NULL, napi_default, NULL},
      {"waitPidNoHang", NULL, wait_pid_no_hang, NULL, NULL, NULL, napi_default, NULL},
      {"waitPidAsync", NULL, wait_pid_async, NULL, NULL, NULL, napi_default, NULL},
      {"setChildSubreaper", NULL, set_child_subreaper, NULL, NULL, NULL, napi_default, NULL},
      {"execFile", NULL, exec_file, NULL, NULL, NULL, napi_default, NULL},
      {"pidfdSendSignal", NULL, pidfd_send_signal, NULL, NULL, NULL, napi_default, NULL},
      {"flock", NULL, flock_fd, NULL, NULL, NULL, napi_default, NULL},
      {"mkfifo", NULL, make_fifo, NULL, NULL, NULL, napi_default, NULL},
      {"connectUnix", NULL, connect_unix, NULL, NULL, NULL, napi_default, NULL},
      {"unmount", NULL, unmount, NULL, NULL, NULL, napi_default, NULL},
      {"bindMount", NULL, bind_mount, NULL, NULL, NULL, napi_default, NULL},
      {"idmappedTree", NULL, idmapped_tree, NULL, NULL, NULL, napi_default, NULL},
      {"attachDeviceFilter", NULL, attach_device_filter, NULL, NULL, NULL, napi_default, NULL},
      {"setWindowSize", NULL, set_window_size, NULL, NULL, NULL, napi_default, NULL},
      {"compileSeccomp", NULL, compile_seccomp, NULL, NULL, NULL, napi_default, NULL},
      {"seccompInfo", NULL, seccomp_info, NULL, NULL, NULL, napi_default, NULL},
      {"seccompArch", NULL, seccomp_arch, NULL, NULL, NULL, napi_default, NULL},
      {"seccompFlagSupported", NULL, seccomp_flag_supported, NULL, NULL, NULL, napi_default, NULL},
      {"seccompActionSupported", NULL, seccomp_action_supported, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
