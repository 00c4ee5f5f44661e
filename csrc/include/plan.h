/*
 * The LaunchPlan: everything tsrun-init needs, decided by TypeScript
 * (src/plan/) and handed over as one sealed memfd. tsrun-init makes no
 * decision that the plan could have made; it only executes records.
 *
 * Layout (little endian, 8-byte aligned):
 *   struct tsr_plan_header
 *   record, record, ...        each: struct tsr_record
 *                              u64 nums[num_count]
 *                              str_count NUL-terminated strings
 *                              zero padding up to `size` (a multiple of 8)
 *
 * Records of one kind keep their order (args, mounts, hooks are ordered).
 * src/plan/encode.ts writes this layout; csrc/init/plan-reader.c checks
 * every size, count and terminator before the first step runs.
 */
#ifndef TSRUN_PLAN_H
#define TSRUN_PLAN_H

#include <stdint.h>

#define TSR_PLAN_MAGIC "TSRPLAN"
#define TSR_PLAN_VERSION 1
#define TSR_PLAN_MAX_SIZE (16u << 20)

struct tsr_plan_header {
  char magic[8]; /* "TSRPLAN\0" */
  uint32_t version;
  uint32_t size; /* whole plan, header included */
  uint32_t record_count;
  uint32_t reserved;
};

struct tsr_record {
  uint32_t kind;
  uint32_t size; /* whole record, header included, multiple of 8 */
  uint32_t num_count;
  uint32_t str_count;
};

/* Record kinds: nums; strings. The numbers of each kind have named slots
 * (the enums below); numbers that may be negative are two's complement in
 * the u64. */
enum tsr_record_kind {
  /* USER_* slots, then additional gids...; - */
  REC_USER = 1,
  /* PROCESS_* slots; the name of the new session keyring ("" = anonymous) */
  REC_PROCESS = 2,
  REC_ARG = 3, /* -; one argument */
  REC_ENV = 4, /* -; "KEY=value" */
  REC_CWD = 5, /* -; absolute path inside the container */
  /* NAMESPACE_* slots: CLONE_NEW* flag, fd to join (-1 = create new); -. Flag 0 (exec only):
   * not a namespace but the container's root directory to chroot into,
   * for a container that shares the runtime's mount namespace. */
  REC_NAMESPACE = 6,
  REC_TIME_OFFSET = 7, /* TIME_OFFSET_* slots; - */
  REC_HOSTNAME = 8,    /* -; name */
  REC_DOMAINNAME = 9,  /* -; name */
  /* ROOTFS_* slots; rootfs, its parent mount point to make private ("" = none) */
  REC_ROOTFS = 10,
  /* MOUNT_* slots; source, destination, fstype, data, optionally a host directory to bind
   * instead where the kernel refuses the filesystem (cgroup2 in a user namespace) */
  REC_MOUNT = 11,
  /* DEVICE_* slots; path in container, host path */
  REC_DEVICE = 12,
  REC_SYMLINK = 13,  /* -; target, link path in container */
  REC_MASKED = 14,   /* -; path in container */
  REC_READONLY = 15, /* -; path in container */
  REC_SYSCTL = 16,   /* -; path under /proc/sys, value */
  REC_RLIMIT = 17,   /* LIMIT_* slots; - */
  REC_CAPS = 18,     /* CAPS_* slots; - */
  /* HOOK_* slots; path, argv[argc], env... */
  REC_HOOK = 19,
  REC_PERSONALITY = 20, /* PERSONALITY_* slots; - */
  /* FILTER_* slots, then the BPF program: one struct sock_filter per number
   * (its 8 bytes, little endian); - */
  REC_SECCOMP = 21,
  REC_IOPRIO = 22,    /* IOP_* slots; - */
  REC_SCHEDULER = 23, /* SCHEDULER_* slots; - */
  /* AFFINITY_* slots, then the mask as u64 words (cpu n = bit n%64 of word n/64); - */
  REC_CPU_AFFINITY = 24,
  REC_LSM = 25, /* LSM_* slots; what to write to /proc/thread-self/attr/<file>, that file */

  /* The lifecycle record (<root>/<id>/lifecycle): what create decided for
   * the later commands (start, state, kill, delete, pause, resume, ps),
   * which the C front door (csrc/frontdoor/) carries out. Written by
   * src/plan/lifecycle-record.ts; the slots of each kind are named below. */
  REC_LC_CONTAINER = 27,  /* LC_CONTAINER_* slots; LC_CONTAINER_STR_* strings */
  REC_LC_ANNOTATION = 28, /* -; key, value (in the state document's order) */
  REC_LC_FIFO = 29,       /* -; the exec fifo */
  /* LC_FREEZER_* slots; control file, value to freeze, value to thaw, file
   * to read, key in it ("" = the whole file) */
  REC_LC_FREEZER = 30,
  REC_LC_PROCS = 31,       /* LC_PROCS_* slots; a cgroup directory whose subtree holds the container */
  REC_LC_CGROUP_KILL = 32, /* LC_CGROUP_KILL_* slots; a cgroup.kill file (used for SIGKILL when the kernel has it) */
  REC_LC_RMDIR = 33,       /* LC_RMDIR_* slots; a directory to remove at delete, deepest first */
  /* LC_HOOK_* slots; path, argv[argc], env[env_count] (poststart, poststop) */
  REC_LC_HOOK = 34,
  REC_KIND_MAX = 36,
};

/* The number slots of each record kind, in order. <PREFIX>_SLOTS is how
 * many numbers a record of that kind has at least: plan-reader.c refuses
 * a record with fewer (step plan, EINVAL), so a missing slot is never read
 * as 0. Numbers past them are the kind's list, where it has one.
 * src/plan/encode.ts SLOTS mirrors these (test/unit/launch/wire.test.ts). */
enum tsr_user_slot { USER_UID, USER_GID, USER_UMASK /* ~0 = keep */, USER_SLOTS };
enum tsr_process_slot {
  PROCESS_FLAGS, /* PROC_* */
  PROCESS_OOM_SCORE_ADJ,
  PROCESS_CONSOLE_ROWS,
  PROCESS_CONSOLE_COLS,
  PROCESS_PRESERVE_FDS,
  PROCESS_KEYRING_PERM, /* KEY_* permission bits added to the new session keyring */
  PROCESS_SLOTS
};
enum tsr_namespace_slot { NAMESPACE_FLAG, NAMESPACE_FD, NAMESPACE_SLOTS };
enum tsr_time_offset_slot { TIME_OFFSET_CLOCK, TIME_OFFSET_SECS, TIME_OFFSET_NANOSECS, TIME_OFFSET_SLOTS };
enum tsr_rootfs_slot {
  ROOTFS_FLAGS,
  /* MS_* propagation given to "/" before the rootfs bind (0 = leave it) */
  ROOTFS_HOST_PROPAGATION,
  /* MS_* propagation of the container's "/" after pivot_root (0 = leave it) */
  ROOTFS_ROOT_PROPAGATION,
  ROOTFS_SLOTS
};
enum tsr_mount_slot {
  MOUNT_FLAGS,       /* MS_* */
  MOUNT_PROPAGATION, /* MS_* propagation flags, applied one by one */
  MOUNT_KIND,        /* MOUNT_NEW, MOUNT_BIND, MOUNT_TREE */
  MOUNT_SET_ATTRS,   /* MOUNT_ATTR_* to set recursively (mount_setattr) */
  MOUNT_CLEAR_ATTRS, /* MOUNT_ATTR_* to clear recursively */
  MOUNT_EXTENSIONS,  /* EXT_* */
  MOUNT_TREE_FD,     /* the prepared tree's fd (MOUNT_TREE), else -1 */
  MOUNT_SLOTS
};
enum tsr_device_slot {
  DEVICE_TYPE /* S_IF* */,
  DEVICE_MAJOR,
  DEVICE_MINOR,
  DEVICE_MODE,
  DEVICE_UID,
  DEVICE_GID,
  DEVICE_HOW,
  DEVICE_SLOTS
};
enum tsr_rlimit_slot { LIMIT_RESOURCE, LIMIT_SOFT, LIMIT_HARD, LIMIT_SLOTS };
enum tsr_caps_slot { CAPS_BOUNDING, CAPS_EFFECTIVE, CAPS_INHERITABLE, CAPS_PERMITTED, CAPS_AMBIENT, CAPS_SLOTS };
enum tsr_hook_slot { HOOK_KIND, HOOK_TIMEOUT /* seconds, 0 = none */, HOOK_ARGC, HOOK_SLOTS };
enum tsr_personality_slot { PERSONALITY_PERSONA /* domain | flags */, PERSONALITY_SLOTS };
enum tsr_seccomp_slot { FILTER_FLAGS /* SECCOMP_FILTER_FLAG_* */, FILTER_LISTENER_FD /* -1 = none */, FILTER_SLOTS };
enum tsr_ioprio_slot { IOP_VALUE /* class << 13 | level */, IOP_SLOTS };
enum tsr_scheduler_slot {
  SCHEDULER_POLICY, /* SCHED_* */
  SCHEDULER_NICE,
  SCHEDULER_PRIORITY,
  SCHEDULER_FLAGS,   /* SCHED_FLAG_* */
  SCHEDULER_RUNTIME, /* ns */
  SCHEDULER_DEADLINE,
  SCHEDULER_PERIOD,
  SCHEDULER_SLOTS
};
enum tsr_cpu_affinity_slot { AFFINITY_WHEN /* CPU_AFFINITY_* */, AFFINITY_SLOTS };
enum tsr_lsm_slot { LSM_KIND /* LSM_APPARMOR, LSM_SELINUX */, LSM_SLOTS };

/* The lifecycle record's slots, as the launch plan's above. */
enum tsr_lc_container_slot {
  LC_CONTAINER_PID,
  LC_CONTAINER_START_TIME, /* /proc/<pid>/stat field 22 */
  LC_CONTAINER_FLAGS,      /* LCF_* */
  /* state.json as create left it: another (update, a hand edit) sends the
   * command to the TypeScript side, which reads state.json */
  LC_CONTAINER_STATE_INO,
  LC_CONTAINER_STATE_SIZE,
  LC_CONTAINER_STATE_MTIME_NS,
  LC_CONTAINER_SLOTS
};
/* REC_LC_CONTAINER's strings are named too (<PREFIX>_STRS: how many it has
 * at least; encode.ts STRS mirrors them). */
enum tsr_lc_container_str {
  LC_CONTAINER_STR_OCI_VERSION,
  LC_CONTAINER_STR_ID,
  LC_CONTAINER_STR_BUNDLE,
  LC_CONTAINER_STR_ROOTFS,
  LC_CONTAINER_STR_CREATED,
  LC_CONTAINER_STR_OWNER,
  LC_CONTAINER_STRS
};
/* LC_CONTAINER_FLAGS */
#define LCF_MOUNT_NS 0x1u       /* own mount namespace: no process of its cgroup shares the runtime's */
#define LCF_DELETE_IN_NODE 0x2u /* delete undoes host mounts or network devices: TypeScript does it */

enum tsr_lc_freezer_slot { LC_FREEZER_KIND /* FREEZER_* */, LC_FREEZER_SLOTS };
#define FREEZER_V1 1 /* freezer.state: FROZEN / THAWED, the file read back whole */
#define FREEZER_V2 2 /* cgroup.freeze 1 / 0, cgroup.events "frozen 1" */

enum tsr_lc_procs_slot { LC_PROCS_FLAGS /* PROCS_* */, LC_PROCS_SLOTS };
#define PROCS_ALONE 0x1u /* when this directory exists, it alone lists the processes */

enum tsr_lc_cgroup_kill_slot { LC_CGROUP_KILL_FLAGS /* CGKILL_* */, LC_CGROUP_KILL_SLOTS };
/* a v1 manager: a task the v1 freezer holds handles its SIGKILL only once thawed */
#define CGKILL_THAW_FROZEN 0x1u

enum tsr_lc_rmdir_slot { LC_RMDIR_HOW /* RMDIR_* */, LC_RMDIR_SLOTS };
#define RMDIR_TREE 0     /* the container's cgroup: its sub-cgroups, then it, waiting out EBUSY */
#define RMDIR_IF_EMPTY 1 /* a shared parent: ENOENT, EBUSY and ENOTEMPTY leave it */

enum tsr_lc_hook_slot {
  LC_HOOK_KIND,      /* LC_HOOK_KIND_* */
  LC_HOOK_TIMEOUT,   /* seconds, 0 = none */
  LC_HOOK_ARGC,      /* argv strings after the path (0: argv is the path alone) */
  LC_HOOK_ENV_COUNT, /* env strings after argv */
  LC_HOOK_HAS_ENV,   /* 1: env replaces the environment; 0: the hook inherits it */
  LC_HOOK_SLOTS
};
#define LC_HOOK_KIND_POSTSTART 1
#define LC_HOOK_KIND_POSTSTOP 2

/* REC_PROCESS flags */
#define PROC_NO_NEW_PRIVS 0x1u
#define PROC_TERMINAL 0x2u
#define PROC_OOM_SCORE_ADJ 0x4u
#define PROC_NEW_KEYRING 0x8u
#define PROC_CONSOLE_SIZE 0x10u

/* REC_ROOTFS flags */
#define ROOTFS_READONLY 0x1u
#define ROOTFS_NO_PIVOT 0x2u
/* No mount namespace of its own: the runtime's is shared, so "/" and the
 * rootfs parent keep their propagation and chroot replaces pivot_root. */
#define ROOTFS_HOST_MOUNT_NS 0x4u

/* REC_MOUNT kinds */
#define MOUNT_NEW 0  /* mount(source, dest, fstype, flags, data) */
#define MOUNT_BIND 1 /* bind (MS_REC in flags for rbind), then remount with flags */
/* move_mount the detached tree at fd nums[3] (made by the parent: an
 * id-mapped bind, its flags already set) */
#define MOUNT_TREE 2

/* REC_MOUNT extensions (runc's mount options that are not mount(2) flags) */
#define EXT_TMPCOPYUP 0x1u /* copy the rootfs directory's content into the new tmpfs */

/* REC_DEVICE how */
#define DEVICE_MKNOD 0
#define DEVICE_BIND 1 /* bind the host node: mknod is refused in a user namespace */

/* REC_HOOK kinds: the hooks tsrun-init runs itself, inside the container */
#define HOOK_CREATE_CONTAINER 1
#define HOOK_START_CONTAINER 2

/* REC_CPU_AFFINITY when */
#define CPU_AFFINITY_INITIAL 0 /* first thing in tsrun-init, before any set-up */
#define CPU_AFFINITY_FINAL 1   /* just before execve */

/* REC_LSM kinds */
#define LSM_APPARMOR 1
#define LSM_SELINUX 2

#endif
