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
# <name>-imac.h5 for name in lenet5 vgg mobilenet; a missing one is trained with the recipe of
# docs/cosim.md (this takes long for vgg and mobilenet on two cores). Needs a built tree
# (scripts/build.sh build). Extra settings: IMCOSIM_COSIM_SET="--set cosim.test_images=2000".
set -euo pipefail
cd "$(dirname "$0")/.."
imcosim=build/bin/imcosim
models="${1:-${IMCOSIM_MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/imcosim/models}}"
out=results/table
mkdir -p "$models" "$out"
read -r -a extra <<<"${IMCOSIM_COSIM_SET:-}"
declare -A float_epochs=([lenet5]=2 [vgg]=3 [mobilenet]=5)
for name in lenet5 vgg mobilenet; do
  float="$models/$name-float.h5"
  imac="$models/$name-imac.h5"
  if [[ ! -f "$float" ]]; then
    echo "== $name: training in float (${float_epochs[$name]} epochs)"
    "$imcosim" train --model "$name" --epochs "${float_epochs[$name]}" --augment-shift 1 \
      --seed 1 -o "$float"
  fi
  if [[ ! -f "$imac" ]]; then
    echo "== $name: training the FC part through the IMAC circuit with its wires (2 epochs on" \
      "24,000 images)"
    "$imcosim" train --init "$float" --precision imac-ideal --wires exact \
      --config examples/nn/imac_high_gain.ini --logit-scale 20 --epochs 2 \
      --train-images 24000 --seed 1 -o "$imac"
  fi
  echo "== $name: co-simulation"
  "$imcosim" cosim examples/cosim/lenet5.ini -o "$out/$name" --set tpu_only.model="$float" \
    --set tpu_imac.model="$imac" "${extra[@]}" >/dev/null
  for spread in 5 10 20 30; do
    echo "== $name: lognormal device spread $spread %"
    "$imcosim" cosim examples/cosim/lenet5.ini -o "$out/$name-d2d$spread" \
      --set tpu_only.model="$float" --set tpu_imac.model="$imac" \
      --set device.draws=1 --set device.d2d_distribution=lognormal \
      --set device.d2d_spread_percent="$spread" "${extra[@]}" >/dev/null
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
plot=(env PYTHONPATH=python /usr/bin/python3 -m imcosim.plot)
runs=()
for name in lenet5 vgg mobilenet; do
  "${plot[@]}" layers "$out/$name/cosim.h5" -o "$out/$name-latency.png"
  runs+=("$out/$name/cosim.h5" "$out/$name"-d2d*/cosim.h5)
done
"${plot[@]}" variation "${runs[@]}" -o "$out/accuracy-vs-variation.png"
cat "$out/table.md"
echo "wrote $out/table.md, $out/table.csv and the pictures (every run's files under $out/)"
