#!/usr/bin/env bash
# Configures and builds imcosim.
# Usage: scripts/build.sh BUILD_DIR [--target TARGET] [extra CMake arguments...]
# Without --target everything (library, imcosim, tests, benchmarks) is built.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=$1
shift
target=()
if [[ "${1:-}" == "--target" ]]; then
  target=(--target "$2")
  shift 2
fi
werror=OFF
if [[ "${CI:-}" == "true" ]]; then
  werror=ON
fi
cmake -S . -B "$build_dir" -G Ninja -DIMCOSIM_WERROR="$werror" "$@" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" "${target[@]}"
