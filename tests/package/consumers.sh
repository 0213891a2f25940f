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

# The components this build installed (mlp::onnx with ONNX, mlp::mpi with MPI), each with its header.
components=()
if [[ -f "$work/prefix/lib/cmake/mlp/mlpOnnxTargets.cmake" ]]; then
  components+=(onnx); test -f "$work/prefix/include/mlp/export/onnx.h"
fi
if [[ -f "$work/prefix/lib/cmake/mlp/mlpMpiTargets.cmake" ]]; then
  components+=(mpi); test -f "$work/prefix/include/mlp/train/mpi_communicator.h"
fi
# Private headers stay out of the installed tree.
if find "$work/prefix/include/mlp" -name format.h -o -name escape.h -o -name file.h | grep -q .; then
  echo "private headers were installed" >&2; exit 1
fi

echo "== find_package(mlp CONFIG COMPONENTS ${components[*]})"
cmake -S "$consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release \
      "-DMLP_COMPONENTS=$(IFS=';'; echo "${components[*]}")" >/dev/null
cmake --build "$work/cmake" -j "$(nproc)" >/dev/null
"$work/cmake/consumer" "$work/a.csv"
for c in "${components[@]}"; do
  test -x "$work/cmake/${c}_consumer"  # built against mlp::$c
done
if [[ -x "$work/cmake/onnx_consumer" ]]; then "$work/cmake/onnx_consumer" "$work/o.csv"; fi

echo "== pkg-config"
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
c++ -O2 "$consumer/main.cpp" -o "$work/pc_consumer" $(pkg-config --cflags --libs mlp)
"$work/pc_consumer" "$work/b.csv"

echo "== add_subdirectory"
cmake -S "$consumer" -B "$work/sub" -DMLP_SOURCE="$source" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/sub" -j "$(nproc)" --target consumer >/dev/null
"$work/sub/consumer" "$work/c.csv"

# cmake --install put the Python module under the prefix too, when this build has it.
if [[ -d "$work/prefix/lib/python3/dist-packages/mlpcpp" ]]; then
  echo "== the Python module from the prefix"
  (cd "$work" && PYTHONPATH="$work/prefix/lib/python3/dist-packages" /usr/bin/python3 -c \
    "import mlpcpp; assert mlpcpp.__file__.startswith('$work/prefix'); print('mlpcpp', mlpcpp.__version__)")
fi
echo "all three consumers built and ran"
