#!/usr/bin/env bash
# Installs everything imcosim needs from Debian 12 packages. Idempotent: packages already
# present are left alone, so a second run costs a few seconds.
#
# ngspice comes from bookworm-backports (46 and later, built with the KLU sparse solver; the
# 39 of bookworm itself factors a 128x128 tile's matrix a hundred times slower). The backports
# suite is added on the archive the machine already uses, read from its own Debian sources, so
# a local mirror is honoured and no archive address is written down here.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev libsuitesparse-dev
  libhdf5-dev hdf5-tools libboost-program-options-dev zlib1g-dev
  dataset-fashion-mnist
  libgtest-dev googletest
  python3 python3-h5py python3-numpy python3-matplotlib python3-pytest
  python3-dev pybind11-dev  # the Python bindings (python/src)
  libopenmpi-dev openmpi-bin  # campaigns over MPI ranks (src/mpi)
  clang libclang-rt-dev libomp-dev  # the libFuzzer targets (scripts/fuzz.sh)
)
backports_packages=(ngspice libngspice0 libngspice0-dev ngspice-doc)
backports_min_version=46
backports_list=/etc/apt/sources.list.d/imcosim-bookworm-backports.sources

export DEBIAN_FRONTEND=noninteractive
apt_updated=false
apt_update() {
  if [[ "$apt_updated" == false ]]; then
    apt-get update -qq
    apt_updated=true
  fi
}

# Empty for a package dpkg has never heard of (dpkg-query then fails, which must not end the
# script under errexit and pipefail).
installed_version() {
  { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null || true; } |
    awk '$1 == "install" && $3 == "installed" { print $4 }'
}

# The first archive that serves bookworm itself (not the security archive), from the deb822
# sources of Debian 12 or from a classic sources.list.
debian_archive_uri() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$file" && "$file" != "$backports_list" ]] || continue
    awk '
      /^[[:space:]]*$/ { if (uri != "" && bookworm) { print uri; exit } uri = ""; bookworm = 0; next }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; ++i) if ($i == "bookworm") bookworm = 1 }
      END { if (uri != "" && bookworm) print uri }
    ' "$file" | head -n 1
  done | head -n 1
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$file" ]] || continue
    awk '$1 == "deb" { for (i = 2; i <= NF; ++i) if ($i !~ /^\[/) { if ($(i + 1) == "bookworm") print $i; break } }' "$file"
  done | head -n 1
}

enable_backports() {
  if grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return
  fi
  local uri
  uri=$(debian_archive_uri | head -n 1)
  if [[ -z "$uri" ]]; then
    echo "setup: no Debian archive serving bookworm found in /etc/apt/sources.list{,.d}" >&2
    exit 1
  fi
  echo "setup: enabling bookworm-backports on ${uri}"
  cat >"$backports_list" <<EOF
Types: deb
URIs: ${uri}
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt_updated=false
}

missing=()
for package in "${packages[@]}"; do
  if [[ -z "$(installed_version "$package")" ]]; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  apt_update
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

stale=()
for package in "${backports_packages[@]}"; do
  version=$(installed_version "$package")
  if [[ -z "$version" || "${version%%[.+]*}" -lt "$backports_min_version" ]]; then
    stale+=("$package")
  fi
done
if ((${#stale[@]} > 0)); then
  enable_backports
  apt_update
  echo "setup: installing ${stale[*]} from bookworm-backports"
  apt-get install -y -qq --no-install-recommends -t bookworm-backports "${backports_packages[@]}"
fi

if ((${#missing[@]} == 0 && ${#stale[@]} == 0)); then
  echo "setup: all packages already installed (ngspice $(installed_version libngspice0))"
fi
