#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang under AddressSanitizer and
# UndefinedBehaviorSanitizer and runs each on a copy of its seed corpus for SECONDS (default 60),
# all at once. The committed corpora (fuzz/corpus/) hold valid files of every format and every
# input that once crashed a reader, so each run starts by re-checking them. A crash, sanitizer
# report, time-out or escaped exception fails the run and leaves the input in
# build-fuzz/findings/; the exit status is the verdict. Where libhdf5 itself faults on a corrupt
# file, it does so in the HDF5 probe program (src/io/hdf5_probe.hpp), which is not instrumented,
# and the target refuses the file as it should (such inputs make good seeds:
# fuzz/corpus/hdf5_readers/probe-crash-*).
# The seed (default 1) is fixed so that a run is reproducible: the same seed mutates the same
# inputs in the same order (-reload=0: the corpus is not re-read on a timer), and a slower
# machine only stops earlier in that sequence.
# Usage: scripts/fuzz.sh [SECONDS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
seed=${2:-1}
build_dir=build-fuzz
targets=(hdf5_readers ini_readers text_readers)

# Without MPI: the readers do not need it, and so CI compiles the library's no-MPI variant too.
CC=clang CXX=clang++ bash scripts/build.sh "$build_dir" --target fuzz_targets \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIMCOSIM_SANITIZE=ON -DIMCOSIM_FUZZ=ON \
  -DIMCOSIM_BUILD_TESTS=OFF -DIMCOSIM_BUILD_BENCH=OFF -DIMCOSIM_MPI=OFF

# libhdf5 allocates metadata cache entries of sizes read from the file and handles a failed
# malloc as a corrupt file. Outside the fuzzer glibc returns NULL for an impossible size (119 TB
# was seen), where AddressSanitizer and libFuzzer would report a finding. So here, as on a
# machine with 2 GB to spare, an allocation beyond 2 GB returns NULL. Our own code never asks for
# that much (the readers' budget is 256 MB): a std::bad_alloc escaping a reader is still a
# finding (fuzz_support.hpp).
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:allocator_may_return_null=1:max_allocation_size_mb=2048
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0
rm -rf "$build_dir/corpus" "$build_dir/findings"
mkdir -p "$build_dir/findings"
pids=()
for target in "${targets[@]}"; do
  mkdir -p "$build_dir/corpus/$target"
  cp fuzz/corpus/"$target"/* "$build_dir/corpus/$target/"
done
# The files that crashed Debian's libhdf5 or made it read past its buffers (tests/io/data; the
# one that hangs it would cost the probe's time-out on every run) seed the HDF5 readers too.
cp tests/io/data/hdf5-segv-*.h5 tests/io/data/hdf5-overread-*.h5 "$build_dir/corpus/hdf5_readers/"
for target in "${targets[@]}"; do
  # One input may take at most 30 s (the HDF5 probe of a file may take 2 s, once per input, see
  # fuzz/fuzz_support.hpp; the seeds take milliseconds) and 2 GB.
  "$build_dir/bin/fuzz_$target" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
    -seed="$seed" -reload=0 -print_final_stats=1 -artifact_prefix="$build_dir/findings/$target-" \
    "$build_dir/corpus/$target" >"$build_dir/findings/$target.log" 2>&1 &
  pids+=($!)
done
passed=0
failed=0
for k in "${!targets[@]}"; do
  target=${targets[$k]}
  if wait "${pids[$k]}"; then
    status=passed
    passed=$((passed + 1))
  else
    status=FAILED
    failed=$((failed + 1))
    tail -n 60 "$build_dir/findings/$target.log"
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build_dir/findings/$target.log")
  echo "fuzz_$target: $status, ${runs:-?} inputs in ${seconds} s, seed $seed (log: $build_dir/findings/$target.log)"
done
echo "fuzz: $passed passed, $failed failed"
((failed == 0))
