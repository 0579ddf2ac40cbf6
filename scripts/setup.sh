#!/usr/bin/env bash
# Installs what is missing (Debian 12 packages only) and configures + builds autotrader.
# Idempotent: a second run with nothing changed installs nothing and rebuilds nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(g++ cmake ninja-build pkg-config librocksdb-dev libboost1.81-dev libboost-json1.81-dev
      libboost-system1.81-dev libcapnp-dev capnproto libspdlog-dev libssl-dev libyaml-cpp-dev
      libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libgoogle-perftools-dev
      ca-certificates openssl)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js runs the independent npm client test. Machines that ship their own Node.js (with
# npm bundled) must not get Debian's npm on top: the two conflict.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

BUILD=${BUILD_DIR:-build}
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$BUILD" -j "$(nproc)"
