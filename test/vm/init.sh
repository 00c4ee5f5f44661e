#!/bin/busybox sh
# /init of the guest's initramfs (busybox sh, PID 1). Loads the virtio and
# 9p modules, builds the root: the host's / read-only over 9p under a tmpfs
# overlay, with a pure cgroup v2 hierarchy at /sys/fs/cgroup (the kernel is
# booted with cgroup_no_v1=all), then hands over to the command agent.
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin /proc /sys /dev /lower /rw /newroot
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin

die() {
  echo "tsrun-vm init: $*" >&2
  reboot -f # with reboot=t and qemu -no-reboot: qemu exits at once
}

mount -t proc proc /proc || die "mount /proc"
mount -t sysfs sysfs /sys || die "mount /sys"
mount -t devtmpfs devtmpfs /dev || die "mount /dev"

# Dependencies first: the host resolved each module's depends= into this order.
for m in $(cat /modules.order); do
  insmod "/modules/$m.ko" || die "insmod $m"
done

# msize: 9p moves at most this much per request; the virtio transport allows 512 KiB.
# cache=loose: the host tree does not change under a test run, and node reads thousands of files.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /lower || die "mount the host's / over 9p"
mount -t tmpfs -o mode=0755 rw /rw || die "mount the tmpfs for the overlay"
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || die "mount the overlay root"

mount --move /proc /newroot/proc || die "move /proc"
mount --move /sys /newroot/sys || die "move /sys"
mount --move /dev /newroot/dev || die "move /dev"
mkdir -p /newroot/dev/pts /newroot/dev/shm /newroot/dev/hugepages
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /newroot/dev/pts
mount -t tmpfs -o mode=1777 shm /newroot/dev/shm
mount -t hugetlbfs hugetlbfs /newroot/dev/hugepages
# The host's /run and /tmp (its own containers' state, sockets) must not show through.
mount -t tmpfs -o mode=0755 run /newroot/run || die "mount /run"
mount -t tmpfs -o mode=1777 tmp /newroot/tmp || die "mount /tmp"
# ... except the tsrun tree under test, when it lives there (a CI clone in /tmp).
for arg in $(cat /newroot/proc/cmdline); do
  case "$arg" in
  tsrun.repo=/tmp/* | tsrun.repo=/run/*)
    repo=${arg#tsrun.repo=}
    mkdir -p "/newroot$repo" && mount --bind "/lower$repo" "/newroot$repo" || die "show $repo"
    ;;
  esac
done

mount -t cgroup2 -o nsdelegate cgroup2 /newroot/sys/fs/cgroup || die "mount cgroup2"
# Every controller the kernel has, enabled for the root's children.
for c in $(cat /newroot/sys/fs/cgroup/cgroup.controllers); do
  echo "+$c" > /newroot/sys/fs/cgroup/cgroup.subtree_control || die "enable the $c controller"
done

mkdir -p /newroot/run/tsrun-vm
cp /bin/busybox /agent.sh /newroot/run/tsrun-vm/ || die "copy the agent"
exec switch_root /newroot /run/tsrun-vm/busybox sh /run/tsrun-vm/agent.sh
