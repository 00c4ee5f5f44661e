#!/usr/bin/env bash
# Installs what tsrun needs on Debian 12, then builds it. Idempotent: each
# step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# qemu-system-x86 and xz-utils: the cgroup v2 guest of test/vm (npm run test:vm).
# strace: the kill -9 fault injection of test/integration/faults-kill-*.
# uidmap (newuidmap) and apparmor (apparmor_parser): rootless and the guest's AppArmor test.
# libasan8 and libubsan1 (gcc-12's sanitizer runtimes): the plan reader fuzz of test/unit/launch.
# clang-format: npm run fmt:c:check (.clang-format).
APT_PACKAGES=(build-essential python3 pkg-config libseccomp-dev busybox-static iproute2 util-linux runc crun qemu-system-x86 xz-utils strace uidmap apparmor libasan8 libubsan1 clang-format)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then echo "setup: run as root to install packages" >&2; exit 1; fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# containerd, podman and conmon for test/engines (its own list and script)
bash scripts/engines-setup.sh

# By content, not by time: a lock file merged or rewritten by npm itself
# can be older than a node_modules that lacks its new packages.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.tsrun-lock-sum 2>/dev/null)" != "$lock_sum" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
  echo "$lock_sum" > node_modules/.tsrun-lock-sum
fi

newer() { # newer TARGET SOURCES...: true if TARGET is missing or older than any source
  local target=$1; shift
  [ -e "$target" ] || return 0
  [ -n "$(find "$@" -newer "$target" -type f 2>/dev/null | head -n 1)" ]
}

# bin/tsrun is built too: the C front door (csrc/frontdoor/), copied there by binding.gyp.
if newer build/Release/tsrun_native.node csrc binding.gyp || newer build/Release/tsrun-init csrc binding.gyp || newer bin/tsrun csrc binding.gyp; then
  echo "setup: building the C core"
  # A new target in binding.gyp needs a new Makefile.
  if [ ! -f build/Makefile ] || [ binding.gyp -nt build/Makefile ]; then npx node-gyp configure; fi
  npx node-gyp build
fi
if newer dist/tsrun.cjs src schemas scripts; then
  echo "setup: building dist/"
  node scripts/build.mjs
fi
