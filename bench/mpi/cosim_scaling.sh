#!/usr/bin/env bash
# Seconds of one TPU-IMAC co-simulation (`imcosim cosim`) in one process and over 2 MPI ranks
# (mpirun), as the ratio of the two from the same run, and the peak memory of each rank. Each
# rank computes with one thread and one ngspice worker, so that 2 ranks on 2 cores compare with
# 1 process on 1. The models are LeNet-5 trained for one epoch on 2,000 images (seconds; the
# cost of a co-simulation does not depend on how well its model is trained), written once to the
# scratch directory. The co-simulation runs examples/cosim/lenet5.ini on TEST_IMAGES images with
# two device draws and ngspice transients of the full-size FC part on SPICE_IMAGES images (about
# one to two minutes each, depending on the image): the fast path and the TPU model share the
# images, the transients are shared one by one. SPICE_IMAGES = 0 runs no ngspice.
# Usage: bench/mpi/cosim_scaling.sh [BUILD_DIR] [TEST_IMAGES] [SPICE_IMAGES]
# (default: build, 10000 test images, 2 transients).
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir=${1:-build}
images=${2:-10000}
spice_images=${3:-2}
imcosim=$PWD/$build_dir/bin/imcosim
config=$PWD/examples/cosim/lenet5.ini
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

echo "training the two LeNet-5 models (1 epoch on 2,000 images each)" >&2
"$imcosim" train --model lenet5 --epochs 1 --train-images 2000 --seed 1 -o "$scratch/float.h5" \
  --quiet
"$imcosim" train --init "$scratch/float.h5" --precision imac-ideal --wires exact \
  --config examples/nn/imac_high_gain.ini --logit-scale 20 --epochs 1 --train-images 2000 \
  --seed 1 -o "$scratch/imac.h5" --quiet
common=(--set tpu_only.model="$scratch/float.h5" --set tpu_imac.model="$scratch/imac.h5"
  --cache-dir "$scratch/neurons" --threads 1 --workers 1 --quiet)
settings=("${common[@]}" --set cosim.test_images="$images" --set device.draws=2
  --set device.d2d_distribution=lognormal --set device.d2d_spread_percent=5
  --set spice.every=$((spice_images > 0 ? images / spice_images : 0)))
# The neuron table, characterised once by ngspice, is shared by both runs through the cache.
"$imcosim" cosim "$config" -o "$scratch/warm" "${common[@]}" \
  --set cosim.test_images=1 --set spice.every=0

# Seconds and the largest resident set (kB) of a run; every rank reports its own. Each run
# writes out/ in a directory of its own, so that the command lines stored in the files agree.
run() {
  local ranks=$1
  local start end
  mkdir -p "$scratch/r$ranks"
  cd "$scratch/r$ranks"
  start=$(date +%s.%N)
  if ((ranks == 1)); then
    /usr/bin/time -f "rss_kb %M" "$imcosim" cosim "$config" -o out "${settings[@]}" 2>time
  else
    mpirun -n "$ranks" --oversubscribe /usr/bin/time -f "rss_kb %M" "$imcosim" cosim "$config" \
      -o out "${settings[@]}" 2>time
  fi
  end=$(date +%s.%N)
  echo "$start $end"
}

read -r s1 e1 <<<"$(run 1)"
read -r s2 e2 <<<"$(run 2)"
# Equal results: cosim.h5 (datasets and attributes) and the comparison table.
h5diff -q "$scratch/r1/out/cosim.h5" "$scratch/r2/out/cosim.h5" >/dev/null 2>&1 &&
  same="cosim.h5 identical (h5diff)" || same="COSIM.H5 DIFFERS"
cmp -s "$scratch/r1/out/table.csv" "$scratch/r2/out/table.csv" && same="$same, table.csv identical" ||
  same="$same, TABLE.CSV DIFFERS"
awk -v n="$images" -v k="$spice_images" -v s1="$s1" -v e1="$e1" -v s2="$s2" -v e2="$e2" \
  -v rss1="$(grep -o 'rss_kb [0-9]*' "$scratch/r1/time" | awk '{print $2}' | sort -n | tail -1)" \
  -v rss2="$(grep -o 'rss_kb [0-9]*' "$scratch/r2/time" | awk '{print $2}' | sort -n | tail -1)" \
  -v same="$same" 'BEGIN {
    t1 = e1 - s1; t2 = e2 - s2
    printf "cosim of LeNet-5 on %d images, 2 device draws, %d ngspice transients (%s)\n", n, k, same
    printf "  1 process : %7.2f s  peak memory %6.1f MB\n", t1, rss1 / 1024
    printf "  2 ranks   : %7.2f s  peak memory %6.1f MB, the largest rank\n", t2, rss2 / 1024
    printf "  speedup 2 ranks / 1 process: %.2fx\n", t1 / t2
  }'
