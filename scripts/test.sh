#!/usr/bin/env bash
# Installs what imcosim needs, builds it, and runs the whole test suite twice: an optimised build,
# then a build under AddressSanitizer and UndefinedBehaviorSanitizer; the ngspice worker tests
# also run once on Debian 12's own ngspice 39 (no KLU); then every reader is fuzzed for a minute.
# Usage: scripts/test.sh [--no-sanitizers]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

run_suite() {
  local build_dir=$1
  shift
  echo "=== building and testing in ${build_dir} ($*)"
  bash scripts/build.sh "$build_dir" "$@"
  ctest --test-dir "$build_dir" --output-on-failure --parallel 2 --timeout 900
}

run_suite build -DCMAKE_BUILD_TYPE=Release
bash scripts/test-ngspice39.sh build
if [[ "${1:-}" != "--no-sanitizers" ]]; then
  # Sanitizer reports abort the test that triggered them; a leak in ngspice's own code is not
  # ours to fix, and ngspice only ever runs in forked workers that leave through _exit().
  export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DIMCOSIM_SANITIZE=ON -DIMCOSIM_BUILD_BENCH=OFF
  # Every reader under libFuzzer (clang, the same sanitizers) for a bounded time.
  bash scripts/fuzz.sh 60
fi
