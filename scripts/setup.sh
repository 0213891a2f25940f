#!/usr/bin/env bash
# Installs the system packages mlp.cpp needs to build and test (Debian 12; the tests train on
# Fashion-MNIST from dataset-fashion-mnist), skipping those
# already present (ocl-icd-opencl-dev: oneDNN's CMake files require OpenCL's). With --reference, also the Python packages that generate golden data.
set -euo pipefail

packages=(g++ make cmake pkg-config libopenblas-dev libdnnl-dev ocl-icd-opencl-dev libcli11-dev nlohmann-json3-dev zlib1g-dev
          libgtest-dev libbenchmark-dev dataset-fashion-mnist)
if [[ "${1:-}" == "--reference" ]]; then
  packages+=(python3-numpy python3-torch python3-sklearn)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
