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
# The installed CLI refuses a file that crashes libhdf5, through its installed probe program.
test -x "$prefix/libexec/imcosim/imcosim-hdf5-probe"
status=0
"$prefix/bin/imcosim" solve "$source_dir/tests/io/data/hdf5-segv-1.h5" -o "$scratch/x.h5" \
  2>"$scratch/probe.log" || status=$?
grep -q "corrupt HDF5 file: the HDF5 library crashed" "$scratch/probe.log"
test "$status" -eq 2
# The Python package with its compiled module: a tile solved from NumPy arrays.
PYTHONPATH=$prefix/lib/python3/dist-packages /usr/bin/python3 -c "
import numpy as np, imcosim, imcosim.plot
currents = imcosim.solve(np.full((4, 3), 1e-4), np.ones((2, 4)), r_row_ohm=0.0, r_col_ohm=0.0)
assert np.allclose(currents, 4e-4, rtol=1e-12), currents
print('python package:', imcosim.__file__)"
"$prefix/bin/imcosim" plot --help | head -n 1
echo "package: PASS"
