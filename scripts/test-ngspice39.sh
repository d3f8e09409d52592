#!/usr/bin/env bash
# Runs the ngspice worker tests against Debian 12's own ngspice 39 shared library (no KLU), so
# that the Sparse-only path stays covered while setup.sh installs ngspice 46. The bookworm
# package is unpacked into BUILD_DIR/ngspice39 (not installed) and loaded through
# LD_LIBRARY_PATH. Usage: scripts/test-ngspice39.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=$1
version=39.3+ds-1
library_dir="$build_dir/ngspice39/usr/lib/x86_64-linux-gnu"
if [[ ! -f "$library_dir/libngspice.so.0" ]]; then
  download_dir=$(mktemp -d)
  trap 'rm -rf "$download_dir"' EXIT
  if ! (cd "$download_dir" && apt-get download -qq "libngspice0=$version" 2>/dev/null); then
    echo "test-ngspice39: libngspice0 $version is not in the configured archives; not run"
    exit 0
  fi
  dpkg-deb -x "$download_dir"/libngspice0_*.deb "$build_dir/ngspice39"
fi
echo "=== worker tests on ngspice $version (Sparse 1.3 only)"
LD_LIBRARY_PATH="$library_dir" "$build_dir/bin/test_spice" --gtest_brief=1
