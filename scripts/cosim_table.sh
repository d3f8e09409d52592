#!/usr/bin/env bash
# The paper-style comparison for the three reference CNNs (LeNet-5, the VGG-style and the
# MobileNet-style net): each co-simulated as the main job is (examples/cosim/lenet5.ini with the
# model swapped in), then an accuracy-against-variation sweep (lognormal device-to-device spread,
# one device draw per point), joined into results/table/table.md and table.csv, with pictures:
# accuracy-vs-variation.png and <model>-latency.png (per-layer latency of both designs).
#
#   scripts/cosim_table.sh [MODEL_DIR]
#
# MODEL_DIR (default: the model cache, ~/.cache/imcosim/models) holds <name>-float.h5 and
# <name>-imac.h5 for name in lenet5 vgg mobilenet; a missing one is trained with the recipe below
# (this takes hours for vgg on two cores). Needs a built tree (scripts/build.sh build). The
# comparison runs on all test images, the variation sweep on the first IMCOSIM_SWEEP_IMAGES
# (default 2000). Extra settings for every run: IMCOSIM_COSIM_SET="--set tpu.dataflow=ws".
set -euo pipefail
cd "$(dirname "$0")/.."
imcosim=build/bin/imcosim
models="${1:-${IMCOSIM_MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/imcosim/models}}"
out=results/table
mkdir -p "$models" "$out"
read -r -a extra <<<"${IMCOSIM_COSIM_SET:-}"
# 1. Train what is missing, then co-simulate. The recipe per model (docs/cosim.md): float
# epochs; the FC part trained through the ideal-wire circuit (none for LeNet-5, which goes
# straight to its wires as the main job does); then through the circuit with its wires.
declare -A float_training=([lenet5]="--epochs 2" [vgg]="--epochs 3 --augment-shift 1"
  [mobilenet]="--epochs 5 --augment-shift 1")
declare -A ideal_training=([lenet5]="" [vgg]="--epochs 1 --train-images 24000 --learning-rate 1e-3"
  [mobilenet]="--epochs 3 --learning-rate 2e-3")
declare -A wire_training=([lenet5]="--epochs 2 --train-images 24000"
  [vgg]="--epochs 1 --train-images 24000 --learning-rate 1e-3"
  [mobilenet]="--epochs 3 --learning-rate 2e-3")
circuit_training=(--precision imac-ideal --config examples/nn/imac_high_gain.ini --logit-scale 20
  --seed 1)
for name in lenet5 vgg mobilenet; do
  float="$models/$name-float.h5"
  ideal="$models/$name-imac-ideal.h5"
  imac="$models/$name-imac.h5"
  if [[ ! -f "$float" ]]; then
    echo "== $name: training in float (${float_training[$name]})"
    read -r -a recipe <<<"${float_training[$name]}"
    "$imcosim" train --model "$name" "${recipe[@]}" --seed 1 -o "$float"
  fi
  start="$float"
  if [[ -n "${ideal_training[$name]}" ]]; then
    if [[ ! -f "$ideal" ]]; then
      echo "== $name: training through the ideal-wire circuit (${ideal_training[$name]})"
      read -r -a recipe <<<"${ideal_training[$name]}"
      "$imcosim" train --init "$float" "${circuit_training[@]}" "${recipe[@]}" -o "$ideal"
    fi
    start="$ideal"
  fi
  if [[ ! -f "$imac" ]]; then
    echo "== $name: training through the circuit with its wires (${wire_training[$name]})"
    read -r -a recipe <<<"${wire_training[$name]}"
    "$imcosim" train --init "$start" "${circuit_training[@]}" --wires exact "${recipe[@]}" \
      -o "$imac"
  fi
  echo "== $name: co-simulation"
  # lenet5.ini's ngspice check, a transient of image 0, measures the IMAC latency; the VGG-style
  # FC part (441 tiles) did not finish it in 22 CPU minutes, so its speedup stays a bound.
  spice_check=()
  if [[ "$name" == vgg ]]; then
    spice_check=(--set spice.every=0)
  fi
  "$imcosim" cosim examples/cosim/lenet5.ini -o "$out/$name" --set tpu_only.model="$float" \
    --set tpu_imac.model="$imac" "${spice_check[@]}" "${extra[@]}" >/dev/null
  for spread in 5 10 20 30; do
    echo "== $name: lognormal device spread $spread %"
    "$imcosim" cosim examples/cosim/lenet5.ini -o "$out/$name-d2d$spread" \
      --set tpu_only.model="$float" --set tpu_imac.model="$imac" \
      --set device.draws=1 --set device.d2d_distribution=lognormal \
      --set device.d2d_spread_percent="$spread" \
      --set cosim.test_images="${IMCOSIM_SWEEP_IMAGES:-2000}" --set spice.every=0 \
      "${extra[@]}" >/dev/null
  done
done
# 2. One table: the three comparisons, then accuracy against variation.
{
  for name in lenet5 vgg mobilenet; do
    cat "$out/$name/table.md"
    echo
  done
  echo "| model | d2d 5 % | 10 % | 20 % | 30 % |"
  echo "|---|---|---|---|---|"
  for name in lenet5 vgg mobilenet; do
    row="| $name"
    for run in "$name-d2d5" "$name-d2d10" "$name-d2d20" "$name-d2d30"; do
      row+=" | $(/usr/bin/python3 -c "import h5py; f = h5py.File('$out/$run/cosim.h5'); \
print('%.2f %%' % (100 * f['accuracy/tpu-imac_device_draw_0'].attrs['accuracy']))")"
    done
    echo "$row |"
  done
} >"$out/table.md"
head -n 1 "$out/lenet5/table.csv" >"$out/table.csv"
for name in lenet5 vgg mobilenet; do
  tail -n +2 "$out/$name/table.csv" >>"$out/table.csv"
done
# 3. The pictures (python3 -m imcosim.plot, docs/cosim.md).
plot=(env PYTHONPATH=build/python /usr/bin/python3 -m imcosim.plot)
runs=()
for name in lenet5 vgg mobilenet; do
  "${plot[@]}" layers "$out/$name/cosim.h5" -o "$out/$name-latency.png"
  runs+=("$out/$name/cosim.h5" "$out/$name"-d2d*/cosim.h5)
done
"${plot[@]}" variation "${runs[@]}" -o "$out/accuracy-vs-variation.png"
cat "$out/table.md"
echo "wrote $out/table.md, $out/table.csv and the pictures (every run's files under $out/)"
