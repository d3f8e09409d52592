#!/usr/bin/env bash
# Installs the build tree into a scratch prefix with `cmake --install`, then uses it as a user
# of the package would: a separate CMake project (consumer/) built with find_package(imcosim)
# and run, every public header compiled alone, the same program built through pkg-config, the
# installed CLI and the installed Python package.
# Usage: tests/package/check_package.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build_dir=$1
source_dir=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
prefix=$scratch/prefix

cmake --install "$build_dir" --prefix "$prefix" >/dev/null
cmake -S "$source_dir/tests/package/consumer" -B "$scratch/consumer" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix"
cmake --build "$scratch/consumer"
"$scratch/consumer/consumer"

# pkg-config, with the static library's private dependencies.
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
read -r -a flags <<<"$(pkg-config --static --cflags --libs imcosim)"
g++ "$source_dir/tests/package/consumer/main.cpp" -o "$scratch/consumer-pkg-config" "${flags[@]}"
"$scratch/consumer-pkg-config"

"$prefix/bin/imcosim" --help | head -n 1
PYTHONPATH=$prefix/lib/python3/dist-packages /usr/bin/python3 -c \
  "import imcosim.plot; print('python package:', imcosim.plot.__file__)"
echo "package: PASS"
