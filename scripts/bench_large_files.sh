#!/usr/bin/env bash
# Data larger than a cache (docs/benchmarks.md, "Large files"): generates a 1,000,000-row x 31-column
# CSV (30 float features, a 0/1 label; about 277 MB) with bench/large_files, converts it to NPY
# with `mlp convert`, and measures CSV parse throughput, the number parsers side by side, and
# `mlp train` (one epoch) wall time and peak RSS (/usr/bin/time -v) on the CSV and on the NPY.
# The generated files are deleted at the end. ROWS=... FEATURES=... change the size.
set -euo pipefail
BUILD=${BUILD:-build}
ROWS=${ROWS:-1000000}
FEATURES=${FEATURES:-30}
cmake --build "$BUILD" --target mlp large_files -j 2 >/dev/null
mlp=$BUILD/mlp
tool=$BUILD/bench/large_files
dir=$(mktemp -d "${TMPDIR:-/tmp}/mlp-large.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# "<seconds> <peak RSS in MB>" of a command (its output goes to $dir/out).
measure() {
  /usr/bin/time -v "$@" >"$dir/out" 2>"$dir/time" || { cat "$dir/time" >&2; exit 1; }
  awk '/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); s = t[n] + (n > 1 ? 60 * t[n-1] : 0) + (n > 2 ? 3600 * t[n-2] : 0) }
       /Maximum resident set size/ { rss = $NF * 1024 / 1e6 }
       END { printf "%.2f s, peak RSS %.0f MB", s, rss }' "$dir/time"
}

echo "machine: $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"
"$tool" gen "$dir/big.csv" "$ROWS" "$FEATURES"
csv_mb=$(awk -v b="$(stat -c %s "$dir/big.csv")" 'BEGIN { printf "%.0f", b / 1e6 }')
matrix_mb=$(awk -v r="$ROWS" -v f="$FEATURES" 'BEGIN { printf "%.0f", r * f * 4 / 1e6 }')
echo "big.csv: $csv_mb MB, $ROWS rows x $FEATURES features + label; float32 feature matrix $matrix_mb MB (1.3x: $(awk -v m="$matrix_mb" 'BEGIN { printf "%.0f", 1.3 * m }') MB)"
echo "number parsers over every cell (one core):"
"$tool" numbers "$dir/big.csv" | sed 's/^/  /'
echo "data::load of the CSV (all cores):"
"$tool" parse "$dir/big.csv" | sed 's/^/  /'
echo "mlp convert big.csv -o big.npy:    $(measure "$mlp" convert "$dir/big.csv" -o "$dir/big.npy")"
echo "mlp train big.csv (1 epoch):       $(measure "$mlp" train "$dir/big.csv" --epochs 1 -q -o "$dir/csv.st")"
echo "mlp train big.npy (1 epoch):       $(measure "$mlp" train "$dir/big.npy" --labels "$dir/big.labels.npy" --epochs 1 -q -o "$dir/npy.st")"
echo "mlp train on 1000 rows (baseline): $(head -1001 "$dir/big.csv" >"$dir/small.csv"; measure "$mlp" train "$dir/small.csv" --epochs 1 -q -o "$dir/small.st")"
