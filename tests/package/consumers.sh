#!/usr/bin/env bash
# Builds tests/package/consumer three ways and runs it: against a fresh `cmake --install` of this
# build through find_package(mlp) and through pkg-config, and from the source tree through
# add_subdirectory. Usage: consumers.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
consumer=$source/tests/package/consumer

cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/lib/libmlp.a" && test -x "$work/prefix/bin/mlp" && test -f "$work/prefix/include/mlp/mlp.h"

echo "== find_package(mlp CONFIG)"
cmake -S "$consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/cmake" >/dev/null
"$work/cmake/consumer" "$work/a.csv"

echo "== pkg-config"
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
c++ -O2 "$consumer/main.cpp" -o "$work/pc_consumer" $(pkg-config --cflags --libs mlp)
"$work/pc_consumer" "$work/b.csv"

echo "== add_subdirectory"
cmake -S "$consumer" -B "$work/sub" -DMLP_SOURCE="$source" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/sub" -j "$(nproc)" --target consumer >/dev/null
"$work/sub/consumer" "$work/c.csv"
echo "all three consumers built and ran"
