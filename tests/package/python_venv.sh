#!/usr/bin/env bash
# The Python module as a user installs it: `pip install --no-build-isolation ./python` into a fresh
# virtual environment that sees the system's site packages (numpy, scikit-learn), then imported
# and used from a folder outside the source tree. The extension is built in the project's own
# build folder (MLP_CMAKE_BUILD_DIR), already configured, instead of compiling the library again.
# Usage: python_venv.sh BUILD_DIR SOURCE_DIR PYTHON. Exit 77 (skipped) without the venv module.
set -euo pipefail
build=$1 source=$2 python=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! "$python" -m venv --system-site-packages "$work/venv" >"$work/venv.log" 2>&1; then
  cat "$work/venv.log"; echo "skipped: $python cannot make a virtual environment (Debian: python3-venv)"; exit 77
fi
MLP_CMAKE_BUILD_DIR=$build "$work/venv/bin/python" -m pip install -q --no-build-isolation --no-deps --no-index \
  --disable-pip-version-check "$source/python"
cd "$work"
"$work/venv/bin/python" - "$work/venv" <<'PY'
import sys
import numpy as np
import mlpcpp

assert mlpcpp.__file__.startswith(sys.argv[1]), f"imported from {mlpcpp.__file__}, not the environment"
x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 25, dtype=float)
y = (x[:, 0] != x[:, 1]).astype(int)
clf = mlpcpp.MLPClassifier(hidden_layer_sizes=(16,), max_iter=200, learning_rate_init=0.05).fit(x, y)
score = clf.score(x, y)
print(f"mlpcpp {mlpcpp.__version__} from {mlpcpp.__file__}: XOR accuracy {score}")
assert score == 1.0, score
PY
