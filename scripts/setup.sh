#!/usr/bin/env bash
# Installs the system packages mlp.cpp needs to build and test (Debian 12; the tests train on
# Fashion-MNIST from dataset-fashion-mnist; the Python module builds with pybind11 for Debian's
# python3 and its tests run scikit-learn's checks with pytest, pandas for DataFrames), skipping those
# already present (python3-venv: the test that pip-installs the module; ocl-icd-opencl-dev: oneDNN's CMake files require OpenCL's). ONNX export and import
# build with libonnx-dev and protobuf; their tests use python3-onnx, PyTorch (which also generates
# golden data: --reference is kept for the Makefile's golden target), clang and node.
set -euo pipefail

packages=(g++ make cmake pkg-config libopenblas-dev libdnnl-dev ocl-icd-opencl-dev libcli11-dev nlohmann-json3-dev zlib1g-dev
          libgtest-dev libbenchmark-dev dataset-fashion-mnist libopenmpi-dev openmpi-bin libfast-float-dev
          python3-dev pybind11-dev python3-numpy python3-sklearn python3-pytest python3-pandas python3-venv
          libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx python3-torch clang
          libfuzzer-14-dev)  # make fuzz: libFuzzer for clang 14
# The export tests run ONNX models in npm's onnxruntime-node: node and npm, unless some are there.
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  packages+=(nodejs npm)
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
