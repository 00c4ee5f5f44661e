/* bin/tsrun. Parses the command line exactly as src/main.ts and
 * src/cli/args.ts do, for the commands it serves; anything else, and
 * anything it is not sure of, goes to node with argv unchanged. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "frontdoor.h"

#define DEFAULT_ROOT "/run/tsrun" /* src/state/paths.ts DEFAULT_ROOT */

static int g_argc;
static char **g_argv;
int foreground_exit_code = -1;
static const char *foreground_id;

/* node <install>/dist/tsrun.cjs argv..., found beside this executable
 * (bin/tsrun, or build/Release/tsrun when run from the build). */
_Noreturn void fallback(void) {
  /* Tests set this to see that the front door served a call itself. */
  if (getenv("TSRUN_FRONTDOOR_ONLY")) {
    fprintf(stderr, "tsrun: front door: this call goes to node\n");
    _exit(125);
  }
  char self[PATH_MAX], script[PATH_MAX + 32];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    fprintf(stderr, "tsrun: cannot find the tsrun installation (/proc/self/exe)\n");
    _exit(1);
  }
  self[n] = '\0';
  *strrchr(self, '/') = '\0';
  const char *ups[] = {"/..", "/../.."};
  script[0] = '\0';
  for (size_t i = 0; i < 2; i++) {
    snprintf(script, sizeof script, "%s%s/dist/tsrun.cjs", self, ups[i]);
    if (access(script, R_OK) == 0) break;
  }
  char **argv = calloc((size_t)g_argc + 4, sizeof *argv);
  if (!argv) _exit(1);
  argv[0] = "node";
  argv[1] = script;
  for (int i = 1; i < g_argc; i++) argv[i + 1] = g_argv[i];
  signal(SIGPIPE, SIG_DFL);
  if (foreground_exit_code >= 0) {
    /* The wait is over: node deletes, the container's status is ours. */
    int n = 2;
    while (argv[n] && strcmp(argv[n], "__foreground") != 0) n++;
    argv[n] = "delete";
    argv[n + 1] = "--force";
    argv[n + 2] = (char *)foreground_id;
    argv[n + 3] = NULL;
    /* Drop the container's flock (and every other fd but stdio) first: the
     * node delete takes the same lock, and we wait for it. */
    syscall(SYS_close_range, 3u, ~0u, 0u);
    pid_t child = fork();
    if (child == 0) {
      execvp("node", argv);
      _exit(127);
    }
    int status;
    while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    _exit(foreground_exit_code);
  }
  execvp("node", argv);
  perror("tsrun: exec node");
  _exit(1);
}

/* A flag's name as args.ts sees it: one or two dashes off, up to '='. */
static const char *flag_key(const char *arg, size_t *len, const char **value) {
  const char *body = arg + 1;
  if (*body == '-') body++;
  const char *eq = strchr(body, '=');
  *len = eq ? (size_t)(eq - body) : strlen(body);
  *value = eq ? eq + 1 : NULL;
  return body;
}

static bool key_is(const char *key, size_t len, const char *name) {
  return strlen(name) == len && memcmp(key, name, len) == 0;
}

/* src/cli/global-flags.ts: the flags that take a value. */
static bool global_needs_value(const char *arg) {
  size_t len;
  const char *value;
  const char *key = flag_key(arg, &len, &value);
  if (value) return false;
  return key_is(key, len, "root") || key_is(key, len, "log") || key_is(key, len, "log-format") || key_is(key, len, "rootless") ||
         key_is(key, len, "criu");
}

/* src/spec/container-id.ts */
static bool valid_id(const char *id) {
  size_t n = strlen(id);
  if (n == 0 || n > 255) return false;
  const char *ok = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  if (!strchr(ok, id[0])) return false;
  for (size_t i = 1; i < n; i++)
    if (!strchr(ok, id[i]) && !strchr("_.+-", id[i])) return false;
  return true;
}

struct cmd_flags {
  const char *names[2]; /* name, alias (NULL = none) */
  bool value;
  const char *got;
  bool set;
};

/* args.ts parseArgs over `args`; false for anything it would reject. */
static bool parse_cmd(char **args, int n, struct cmd_flags *table, int n_table, int stop_at_positional, char **pos, int *n_pos) {
  *n_pos = 0;
  for (int i = 0; i < n; i++) {
    const char *arg = args[i];
    if (stop_at_positional && *n_pos >= stop_at_positional) {
      pos[(*n_pos)++] = args[i];
      continue;
    }
    if (strcmp(arg, "--") == 0) {
      while (++i < n) pos[(*n_pos)++] = args[i];
      break;
    }
    if (arg[0] != '-' || strcmp(arg, "-") == 0) {
      pos[(*n_pos)++] = args[i];
      continue;
    }
    size_t len;
    const char *value;
    const char *key = flag_key(arg, &len, &value);
    struct cmd_flags *f = NULL;
    for (int k = 0; k < n_table; k++)
      if (key_is(key, len, table[k].names[0]) || (table[k].names[1] && key_is(key, len, table[k].names[1]))) f = &table[k];
    if (!f) return false;
    f->set = true;
    if (!f->value) continue;
    if (!value) {
      if (i + 1 >= n) return false;
      value = args[++i];
    }
    f->got = value;
  }
  return true;
}

/* src/kernel/signals.ts parseSignal; 0 for anything it would reject (node then words it). */
static int parse_signal(const char *text) {
  static const struct {
    const char *name;
    int n;
  } table[] = {{"HUP", 1},    {"INT", 2},   {"QUIT", 3},    {"ILL", 4},   {"TRAP", 5},  {"ABRT", 6},    {"IOT", 6},
               {"BUS", 7},    {"FPE", 8},   {"KILL", 9},    {"USR1", 10}, {"SEGV", 11}, {"USR2", 12},   {"PIPE", 13},
               {"ALRM", 14},  {"TERM", 15}, {"STKFLT", 16}, {"CHLD", 17}, {"CONT", 18}, {"STOP", 19},   {"TSTP", 20},
               {"TTIN", 21},  {"TTOU", 22}, {"URG", 23},    {"XCPU", 24}, {"XFSZ", 25}, {"VTALRM", 26}, {"PROF", 27},
               {"WINCH", 28}, {"IO", 29},   {"POLL", 29},   {"PWR", 30},  {"SYS", 31}};
  char up[32];
  size_t n = strlen(text);
  if (n == 0 || n >= sizeof up) return 0;
  for (size_t i = 0; i <= n; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c >= 0x80 || (c && c <= ' ')) return 0; /* trim() and Unicode case: node's */
    up[i] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
  }
  if (strspn(up, "0123456789") == n) {
    if (n > 2) return 0;
    int v = atoi(up);
    return v >= 1 && v <= 64 ? v : 0;
  }
  const char *name = strncmp(up, "SIG", 3) == 0 ? up + 3 : up;
  for (size_t i = 0; i < sizeof table / sizeof *table; i++)
    if (strcmp(name, table[i].name) == 0) return table[i].n;
  /* RTMIN, RTMAX, RTMIN+n, RTMAX-n */
  if (strncmp(name, "RTMIN", 5) == 0 || strncmp(name, "RTMAX", 5) == 0) {
    int base = name[4] == 'N' ? 34 : 64;
    const char *rest = name + 5;
    int offset = 0;
    if (*rest) {
      if ((*rest != '+' && *rest != '-') || !rest[1] || strspn(rest + 1, "0123456789") != strlen(rest + 1) || strlen(rest + 1) > 2)
        return 0;
      offset = atoi(rest + 1) * (*rest == '-' ? -1 : 1);
    }
    int v = base + offset;
    return v >= 34 && v <= 64 ? v : 0;
  }
  return 0;
}

int main(int argc, char **argv) {
  g_argc = argc;
  g_argv = argv;
  /* NODE_EXTRA_CA_CERTS makes every node start ~40 ms slower, and neither
   * side makes TLS connections; hooks inherit the environment without it,
   * as they did behind the shell launcher. */
  unsetenv("NODE_EXTRA_CA_CERTS");
  /* Only cgroup_lock_prime sets it, for the node it starts. */
  unsetenv("TSRUN_CGROUP_PRIMER");
  /* A hook that does not read its stdin is EPIPE, not a dead front door. */
  signal(SIGPIPE, SIG_IGN);
  /* The default root is root's; other callers go to node (src/state/paths.ts). */
  if (geteuid() != 0) fallback();

  /* Global flags end at the first word that is not a flag (src/main.ts). */
  int split = -1;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] != '-' && !(i > 1 && global_needs_value(argv[i - 1]))) {
      split = i;
      break;
    }
  }
  if (split < 0) fallback();
  struct globals g = {.root = DEFAULT_ROOT, .log = NULL, .log_json = false, .command = argv[split]};
  for (int i = 1; i < split; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "-") == 0 || strcmp(arg, "--") == 0) fallback();
    size_t len;
    const char *value;
    const char *key = flag_key(arg, &len, &value);
    bool valued = key_is(key, len, "root") || key_is(key, len, "log") || key_is(key, len, "log-format");
    /* --debug (stack traces), --systemd-cgroup (an error), --rootless,
     * --criu, --version, --help, unknown flags: node's. */
    if (!valued) fallback();
    if (!value) {
      if (i + 1 >= split) fallback();
      value = argv[++i];
    }
    if (key_is(key, len, "root")) g.root = value;
    else if (key_is(key, len, "log")) g.log = value;
    else g.log_json = strcmp(value, "json") == 0;
  }
  if (!*g.root) fallback();
  report_init(&g);

  const char *cmd = argv[split];
  char **args = argv + split + 1;
  int n = argc - split - 1;
  char *pos[n + 1];
  int n_pos;
  if (strcmp(cmd, "state") == 0 || strcmp(cmd, "start") == 0 || strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0) {
    if (!parse_cmd(args, n, NULL, 0, 0, pos, &n_pos) || n_pos != 1 || !valid_id(pos[0])) fallback();
    if (cmd[0] == 's' && cmd[2] == 'a' && cmd[3] == 't') return cmd_state(&g, pos[0]);
    if (strcmp(cmd, "start") == 0) return cmd_start(&g, pos[0]);
    if (strcmp(cmd, "pause") == 0) return cmd_pause(&g, pos[0]);
    return cmd_resume(&g, pos[0]);
  }
  if (strcmp(cmd, "kill") == 0) {
    struct cmd_flags t[] = {{{"all", "a"}, false, NULL, false}};
    if (!parse_cmd(args, n, t, 1, 0, pos, &n_pos) || n_pos < 1 || n_pos > 2 || !valid_id(pos[0])) fallback();
    int sig = parse_signal(n_pos == 2 ? pos[1] : "TERM");
    if (!sig) fallback();
    return cmd_kill(&g, pos[0], sig, t[0].set);
  }
  if (strcmp(cmd, "delete") == 0) {
    struct cmd_flags t[] = {{{"force", "f"}, false, NULL, false}};
    if (!parse_cmd(args, n, t, 1, 0, pos, &n_pos) || n_pos != 1 || !valid_id(pos[0])) fallback();
    return cmd_delete(&g, pos[0], t[0].set);
  }
  if (strcmp(cmd, "__foreground") == 0) {
    /* From src/cli/commands/run.ts only; argv as it writes it. */
    if (n != 3 || !valid_id(args[0]) || atoi(args[1]) <= 0) fallback();
    foreground_id = args[0];
    g.command = "run";
    return cmd_foreground(&g, args[0], (pid_t)atoi(args[1]), strcmp(args[2], "keep") == 0);
  }
  if (strcmp(cmd, "ps") == 0) {
    struct cmd_flags t[] = {{{"format", "f"}, true, NULL, false}};
    if (!parse_cmd(args, n, t, 1, 1, pos, &n_pos) || n_pos < 1 || !valid_id(pos[0])) fallback();
    const char *format = t[0].got ? t[0].got : "table";
    if (strcmp(format, "json") != 0 && strcmp(format, "table") != 0) fallback();
    return cmd_ps(&g, pos[0], strcmp(format, "json") == 0, pos + 1, n_pos - 1);
  }
  if ((strcmp(cmd, "create") == 0 || strcmp(cmd, "run") == 0 || strcmp(cmd, "exec") == 0) && !getenv("TSRUN_FRONTDOOR_ONLY"))
    cgroup_lock_prime();
  fallback();
}
