#!/usr/bin/env bash
# Configures and builds imcosim. Usage: scripts/build.sh BUILD_DIR [extra CMake arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=$1
shift
werror=OFF
if [[ "${CI:-}" == "true" ]]; then
  werror=ON
fi
cmake -S . -B "$build_dir" -G Ninja -DIMCOSIM_WERROR="$werror" "$@" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"
