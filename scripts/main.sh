#!/usr/bin/env bash
# Installs what imcosim needs, builds it, and runs the main job: the TPU-IMAC co-simulation of
# LeNet-5 on Fashion-MNIST against the TPU-only design (examples/cosim/lenet5.ini), printing the
# comparison table. The two models are trained by imcosim's own trainer the first time and
# reused from the model cache ($IMCOSIM_MODEL_CACHE, default ~/.cache/imcosim/models) after.
# Extra arguments go to `imcosim cosim` (e.g. --set cosim.test_images=1000; see
# `build/bin/imcosim cosim --help`). Results: results/main/ (table.md, table.csv, layers.csv,
# cosim.h5).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh build --target imcosim_cli -DCMAKE_BUILD_TYPE=Release
imcosim=build/bin/imcosim
models="${IMCOSIM_MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/imcosim/models}"
mkdir -p "$models"
# The recipe is part of the file name: a changed recipe trains anew.
float="$models/lenet5-float-e2-s1.h5"
imac="$models/lenet5-imac-gain300-wires-ls20-e2-24k-s1.h5"
if [[ ! -f "$float" ]]; then
  echo "== 1/3 training LeNet-5 in float (2 epochs; resumes if interrupted)"
  "$imcosim" train --model lenet5 --epochs 2 --seed 1 -o "$float"
fi
if [[ ! -f "$imac" ]]; then
  echo "== 2/3 training its FC part through the IMAC circuit with wire parasitics (2 epochs on" \
    "24,000 images)"
  "$imcosim" train --init "$float" --precision imac-ideal --wires exact \
    --config examples/nn/imac_high_gain.ini --logit-scale 20 --epochs 2 --train-images 24000 \
    --seed 1 -o "$imac"
fi
echo "== 3/3 co-simulation: TPU-only against TPU-IMAC on the 10,000 test images"
"$imcosim" cosim examples/cosim/lenet5.ini -o results/main \
  --set tpu_only.model="$float" --set tpu_imac.model="$imac" "$@"
