#!/usr/bin/env bash
# Runs one container: a busybox rootfs in a temp bundle, `tsrun run`, a
# greeting from inside its own pid, uts and mount namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=$(mktemp -d /tmp/tsrun-demo.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for applet in sh echo cat hostname; do ln -s busybox "$bundle/rootfs/bin/$applet"; done
bin/tsrun spec --bundle "$bundle"
node -e '
  const fs = require("fs"), file = process.argv[1];
  const c = JSON.parse(fs.readFileSync(file, "utf8"));
  c.process.terminal = false;
  c.hostname = "tsrun-demo";
  c.process.args = ["sh", "-c", "echo \"hello from a tsrun container: I am pid $$ on host $(hostname), my root is $(cat /proc/self/mountinfo | head -n1 | cut -d\" \" -f5)\""];
  fs.writeFileSync(file, JSON.stringify(c, null, 2));
' "$bundle/config.json"
bin/tsrun run --bundle "$bundle" "tsrun-demo-$$"
