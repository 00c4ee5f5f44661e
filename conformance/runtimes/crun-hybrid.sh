#!/bin/sh
# crun 1.8 refuses hybrid cgroup hosts (v1 controllers plus a cgroup2 mount at
# /sys/fs/cgroup/unified). Run it in a private mount namespace where that
# cgroup2 mount is gone, with its cgroup manager off. The namespace is a slave
# of the host, so the umount stays inside it: the host is not changed.
# Usage: npm run conformance -- --runtime conformance/runtimes/crun-hybrid.sh
exec unshare -m --propagation slave sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun --cgroup-manager=disabled "$@"' crun "$@"
