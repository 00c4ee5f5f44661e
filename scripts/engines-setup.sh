#!/usr/bin/env bash
# Installs the container engines that test/engines drives, from Debian's
# packages. Only the binaries are used: the suites start their own private
# instances and never the system services (policy-rc.d or no systemd).
set -euo pipefail

ENGINE_PACKAGES=(containerd podman conmon containernetworking-plugins gcc libc6-dev tar util-linux)

missing=()
for pkg in "${ENGINE_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "engines-setup: installing ${missing[*]}" >&2
if [ "$(id -u)" != 0 ]; then echo "engines-setup: run as root to install packages" >&2; exit 1; fi
apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
