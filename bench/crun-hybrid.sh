#!/bin/sh
# crun 1.8 refuses hybrid cgroup hosts (v1 controllers + cgroup2 at
# /sys/fs/cgroup/unified). Run it in a private mount namespace where the
# cgroup2 mount is unmounted (the host's mounts are untouched: unshare makes
# the new namespace's propagation private), with cgroup management disabled.
exec unshare -m sh -c 'umount /sys/fs/cgroup/unified && exec crun --cgroup-manager=disabled "$@"' crun "$@"
