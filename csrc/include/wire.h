/*
 * The conversation between tsrun (parent) and tsrun-init over a
 * SOCK_SEQPACKET socketpair. src/launch/wire.ts mirrors these numbers and
 * a unit test compares the two files.
 *
 *   parent: mkdir cgroup, attach device filter, spawn init into it
 *   init                              parent (tsrun create)
 *   [new user ns] READY_IDMAP   -->   write uid_map/gid_map
 *                               <--   IDMAP_DONE
 *   PID(container pid)          -->   (after the pid-namespace fork)
 *   READY_HOOKS                 -->   prestart + createRuntime hooks
 *                               <--   HOOKS_DONE(state JSON for hooks)
 *   (createContainer hooks, pivot_root, the rest of the set-up)
 *   [notify listener] READY_SECCOMP --> the container state for the listener
 *                               <--   SECCOMP_STATE(seccomp state JSON)
 *   CREATED                     -->   write state.json (and --pid-file)
 *                               <--   RECORDED, exit
 *   (init waits on the exec fifo; `tsrun start` opens it. EOF instead of
 *   RECORDED: tsrun died before the container was recorded, the init exits)
 *   ERROR{step, errno, detail}  -->   at any point: InitError, roll back
 *
 * After CREATED the socket is closed and the exec fifo (fd base+2) is the
 * only channel, one way, to `tsrun start`:
 *   init: open(fifo, O_WRONLY) blocks  <--  start: open(fifo, O_RDONLY)
 *   "0"                          -->   the init is past its wait
 *   (startContainer hooks, close fds, credentials, seccomp, execve)
 *   EOF (execve closed the fifo) -->   the process runs
 *   or ERROR{step, errno, detail} -->  the same struct tsr_msg as on the
 *                                      socket; start fails with it
 *   (src/launch/exec-fifo.ts reads it)
 *
 * Init's fd table: 0-2 stdio, 3 .. 3+preserve_fds-1 preserved fds, then
 * from `base` (argv[1]) the fds below; namespace fds to join follow them,
 * then the seccomp notify listener's connected socket, if any, then the
 * detached mount trees the parent made (id-mapped binds); the plan holds
 * their numbers (REC_NAMESPACE, REC_SECCOMP, REC_MOUNT).
 */
#ifndef TSRUN_WIRE_H
#define TSRUN_WIRE_H

#include <stdint.h>

#define FD_OFF_PLAN 0
#define FD_OFF_SYNC 1
#define FD_OFF_FIFO 2    /* the exec fifo as an O_PATH fd */
#define FD_OFF_CONSOLE 3 /* --console-socket, or closed */
#define FD_OFF_FIRST_NS 4

enum tsr_msg_type {
  MSG_READY_IDMAP = 1,
  MSG_IDMAP_DONE = 2,
  MSG_PID = 3,
  MSG_READY_HOOKS = 4,
  MSG_HOOKS_DONE = 5,
  MSG_CREATED = 6,
  MSG_ERROR = 7,
  MSG_READY_SECCOMP = 8,
  MSG_SECCOMP_STATE = 9,
  MSG_RECORDED = 10,
};

/* A message is this header followed by `len` payload bytes. */
struct tsr_msg {
  uint32_t type;
  int32_t value; /* MSG_PID: pid; MSG_ERROR: errno */
  uint32_t step; /* MSG_ERROR: enum tsr_step */
  uint32_t len;
};

#define TSR_MSG_MAX (64u * 1024u)

enum tsr_step {
  STEP_PLAN = 1,
  STEP_NAMESPACES = 2,
  STEP_IDMAP = 3,
  STEP_MOUNTS = 4,
  STEP_DEVICES = 5,
  STEP_HOOKS = 6,
  STEP_PIVOT_ROOT = 7,
  STEP_PATHS = 8,
  STEP_IDENTITY = 9,
  STEP_CONSOLE = 10,
  STEP_CAPABILITIES = 11,
  STEP_NO_NEW_PRIVS = 12,
  STEP_FDS = 13,
  STEP_EXEC_FIFO = 14,
  STEP_EXEC = 15,
  STEP_SYNC = 16,
  STEP_SECCOMP = 17,
  STEP_PROCESS_ATTRS = 18,
  STEP_LSM = 19,
};

#endif
