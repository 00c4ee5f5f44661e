#!/usr/bin/env bash
# Installs what tsrun needs on Debian 12, then builds it. Idempotent: each
# step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# qemu-system-x86 and xz-utils: the cgroup v2 guest of test/vm (npm run test:vm).
APT_PACKAGES=(build-essential python3 pkg-config libseccomp-dev busybox-static iproute2 util-linux runc crun qemu-system-x86 xz-utils)

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

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi

newer() { # newer TARGET SOURCES...: true if TARGET is missing or older than any source
  local target=$1; shift
  [ -e "$target" ] || return 0
  [ -n "$(find "$@" -newer "$target" -type f 2>/dev/null | head -n 1)" ]
}

if newer build/Release/tsrun_native.node csrc binding.gyp || newer build/Release/tsrun-init csrc binding.gyp; then
  echo "setup: building the C core"
  [ -f build/Makefile ] || npx node-gyp configure
  npx node-gyp build
fi
if newer dist/tsrun.cjs src schemas scripts; then
  echo "setup: building dist/"
  node scripts/build.mjs
fi
