#!/usr/bin/env bash
# Installs everything imcosim needs from Debian 12 packages. Idempotent: packages already
# present are left alone, so a second run costs a few seconds.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  ngspice libngspice0-dev ngspice-doc
  libeigen3-dev libsuitesparse-dev
  libhdf5-dev libboost-program-options-dev zlib1g-dev
  dataset-fashion-mnist
  libgtest-dev googletest
  python3 python3-h5py python3-numpy
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#packages[@]} packages already installed"
fi
