#!/usr/bin/env bash
# Samples per second of one campaign written by `imcosim dataset` in one process and over 2 MPI
# ranks (mpirun), as the ratio of the two from the same run, and the peak memory of each rank.
# Each rank computes with one thread, so that 2 ranks on 2 cores compare with 1 rank on 1.
# Usage: bench/mpi/mpi_scaling.sh [BUILD_DIR] [SAMPLES] [CONFIG.ini]
# (default: build, 2000 samples of examples/campaign_64x64.ini: a 64 x 64 tile, fast path).
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir=${1:-build}
samples=${2:-2000}
config_source=${3:-examples/campaign_64x64.ini}
imcosim=$PWD/$build_dir/bin/imcosim
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
sed "s/^samples = .*/samples = $samples/" "$config_source" >"$scratch/c.ini"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# Seconds and the largest resident set (kB) of a run; every rank reports its own.
run() {
  local ranks=$1
  local start end
  start=$(date +%s.%N)
  if ((ranks == 1)); then
    /usr/bin/time -f "rss_kb %M" "$imcosim" dataset "$scratch/c.ini" -o "$scratch/r$ranks.h5" \
      --threads 1 --workers 1 --quiet 2>"$scratch/time$ranks"
  else
    mpirun -n "$ranks" --oversubscribe /usr/bin/time -f "rss_kb %M" "$imcosim" dataset \
      "$scratch/c.ini" -o "$scratch/r$ranks.h5" --threads 1 --workers 1 --quiet \
      2>"$scratch/time$ranks"
  fi
  end=$(date +%s.%N)
  echo "$start $end"
}

read -r s1 e1 <<<"$(run 1)"
read -r s2 e2 <<<"$(run 2)"
h5diff -q "$scratch/r1.h5" "$scratch/r2.h5" && same="the two files are identical (h5diff)" ||
  same="THE FILES DIFFER"
awk -v n="$samples" -v s1="$s1" -v e1="$e1" -v s2="$s2" -v e2="$e2" \
  -v rss1="$(grep -o 'rss_kb [0-9]*' "$scratch/time1" | awk '{print $2}' | sort -n | tail -1)" \
  -v rss2="$(grep -o 'rss_kb [0-9]*' "$scratch/time2" | awk '{print $2}' | sort -n | tail -1)" \
  -v same="$same" 'BEGIN {
    t1 = e1 - s1; t2 = e2 - s2
    printf "dataset of %d samples (%s)\n", n, same
    printf "  1 process : %7.2f s  %8.1f samples/s  peak memory %6.1f MB\n", t1, n / t1, rss1 / 1024
    printf "  2 ranks   : %7.2f s  %8.1f samples/s  peak memory %6.1f MB per rank\n", t2, n / t2, rss2 / 1024
    printf "  speedup 2 ranks / 1 process: %.2fx (merge included)\n", t1 / t2
  }'
