#!/usr/bin/env bash
# Installs npm's onnxruntime-node (its CPU binaries ship in the package) into DIR for the ONNX
# export tests, once: `npm install --ignore-scripts`, since its install script downloads more and
# fails without a network. Exits 77 (CTest: skipped) when npm is missing.
#   setup_onnxruntime.sh DIR VERSION
set -euo pipefail
dir=$1 version=$2
[[ -f "$dir/node_modules/onnxruntime-node/package.json" ]] && exit 0
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "SKIP: node and npm are needed to install onnxruntime-node (scripts/setup.sh installs them)"
  exit 77
fi
mkdir -p "$dir"
cd "$dir"
echo '{"name": "mlp-onnxruntime", "private": true}' > package.json
npm install --ignore-scripts --no-audit --no-fund --loglevel=error "onnxruntime-node@$version"
node -e "require('./node_modules/onnxruntime-node')" || { echo "onnxruntime-node $version does not load here"; exit 1; }
echo "installed onnxruntime-node $version in $dir"
