# Shell functions for test scripts that run containers in the guest. The
# test prepends this file and sets R (the runtime binary) and ID (the
# container id, also its cgroup /sys/fs/cgroup/tsrun-vm/$ID). The container is
# force-deleted when the script exits.
set -u
STATE_ROOT=/run/tsrun-vm-state
CGROUP=/sys/fs/cgroup/tsrun-vm/$ID
B=/tmp/bundles/$ID

rt() { "$R" --root "$STATE_ROOT" "$@"; }

# fact KEY VALUE: one key=value line the host-side test asserts on.
fact() { printf '%s=%s\n' "$1" "$2"; }

# cg FILE: a cgroup file of the container, one line (spaces kept), or "absent".
cg() { if [ -e "$CGROUP/$1" ]; then tr '\n' ' ' < "$CGROUP/$1" | sed 's/ $//'; else echo absent; fi; }

# The busybox rootfs, made once per boot (only the applets the tests use), copied per bundle.
rootfs_template() {
  t=/tmp/rootfs-template
  [ -d $t ] && return 0
  mkdir -p $t.new/bin $t.new/proc $t.new/sys $t.new/dev $t.new/tmp $t.new/etc $t.new/hugepages
  cp /bin/busybox $t.new/bin/busybox
  for a in sh cat echo grep head tail sleep seq dd fallocate true false kill ps cut tr wc date mount; do
    ln -s busybox $t.new/bin/$a
  done
  echo 'root:x:0:0:root:/root:/bin/sh' > $t.new/etc/passwd
  echo 'root:x:0:' > $t.new/etc/group
  mv $t.new $t
}

# bundle: the bundle dir $B with config.json from stdin.
bundle() {
  rootfs_template
  rm -rf "$B"
  mkdir -p "$B"
  cp -a /tmp/rootfs-template "$B/rootfs"
  cat > "$B/config.json"
}

# status_is STATUS: the runtime's state reports STATUS.
status_is() { rt state "$ID" 2>/dev/null | tr -d ' \n' | grep -q "\"status\":\"$1\""; }

# wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds or SECONDS have passed.
wait_for() {
  deadline=$(($(date +%s) + $1))
  shift
  until "$@"; do
    [ "$(date +%s)" -ge $deadline ] && return 1
    sleep 0.1
  done
}

init_pid() { rt state "$ID" | tr -d ' \n' | sed -n 's/.*"pid":\([0-9]*\).*/\1/p'; }

cleanup() { rt delete -f "$ID" > /dev/null 2>&1; rm -rf "$B"; }
trap cleanup EXIT

# fail STEP: the runtime refused STEP; report it and stop (what follows would only wait in vain).
fail() { fact failed "$1"; exit 0; }
