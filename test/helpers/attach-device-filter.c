/* Test driver for csrc/native/bpf.c, built by
 * test/integration/cgroup-device-filter.test.ts with gcc at test time.
 *
 *   attach-device-filter <cgroup-dir> <program-file>
 *
 * Attaches the struct bpf_insn bytes in <program-file> to <cgroup-dir>.
 * Exit 0 on success; otherwise prints "errno <n>" and the verifier log on
 * stderr and exits 1. */
#define _GNU_SOURCE
#include "bpf.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char program[1 << 20];
static char log_buf[1 << 16];

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s <cgroup-dir> <program-file>\n", argv[0]);
		return 2;
	}
	int cgroup_fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgroup_fd < 0) {
		perror(argv[1]);
		return 2;
	}
	int prog = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (prog < 0) {
		perror(argv[2]);
		return 2;
	}
	size_t len = 0;
	for (;;) {
		ssize_t n = read(prog, program + len, sizeof(program) - len);
		if (n < 0) {
			perror(argv[2]);
			return 2;
		}
		if (n == 0 || (len += (size_t)n) == sizeof(program))
			break;
	}
	close(prog);

	int ret = tsrun_attach_device_filter(cgroup_fd, program, len, log_buf, sizeof(log_buf));
	close(cgroup_fd);
	if (ret < 0) {
		fprintf(stderr, "errno %d (%s)\n%s", -ret, strerror(-ret), log_buf);
		return 1;
	}
	return 0;
}
