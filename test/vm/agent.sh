# The guest's command agent (busybox sh, PID 1 after switch_root). Protocol on
# the virtio-serial port named tsrun.agent, one line per request:
#   host → guest  RUN <id> <timeout seconds> <script, base64, no line breaks>
#                 STOP
#   guest → host  READY
#                 OUT <id> / <stdout, base64 lines> / ERR <id> / <stderr, base64 lines> / END <id> <status>
# The script runs under busybox sh with stdin from /dev/null, killed after its timeout (status 137).
# busybox sh, not the host's /bin/sh: this busybox runs its own applets (cat, sed, grep…) without
# exec, which under TCG is ~20× faster than starting a dynamically linked host tool over 9p. Host
# tools with an applet's name need their full path (/usr/bin/mount); other host tools (node, runc)
# are found on PATH as usual.
B=/run/tsrun-vm/busybox
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8

port=
for p in /sys/class/virtio-ports/*; do
  [ "$($B cat "$p/name" 2>/dev/null)" = tsrun.agent ] && port=/dev/${p##*/}
done
if [ -z "$port" ]; then
  echo "tsrun-vm agent: no virtio port named tsrun.agent" >&2
  $B reboot -f
fi
exec 3<>"$port"
# Zombies of detached containers are reparented to this PID 1; the shell reaps them as it goes.
echo READY >&3
W=/run/tsrun-vm
while read -r verb id timeout script <&3; do
  case "$verb" in
    RUN)
      echo "$script" | $B base64 -d > $W/script.sh
      $B sh $W/script.sh < /dev/null > $W/stdout 2> $W/stderr &
      script=$!
      # Not busybox timeout: its watcher outlives the script and later kills whatever has that pid.
      ($B sleep "$timeout" && kill -KILL $script) 2> /dev/null &
      watcher=$!
      wait $script
      status=$?
      kill $watcher 2> /dev/null
      { echo "OUT $id"; $B base64 $W/stdout; echo "ERR $id"; $B base64 $W/stderr; echo "END $id $status"; } >&3
      ;;
    STOP) break ;;
  esac
done
$B sync
$B reboot -f
