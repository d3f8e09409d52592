#!/usr/bin/env bash
# Installs what imcosim needs, builds it, and runs the main job with its default configuration.
# Extra arguments go to `imcosim demo` (see `build/bin/imcosim demo --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=Release
build/bin/imcosim demo "$@"
