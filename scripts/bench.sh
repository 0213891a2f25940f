#!/usr/bin/env bash
# `make bench`: builds the benchmarks, runs the kernel microbenchmarks, then issue 5's end-to-end
# comparisons side by side in this one run — Fashion-MNIST training and inference against PyTorch,
# the tutorial against numpy, scaling with rows and widths — and prints the ratios against the
# targets. Timings are only ever compared within the run (the machine may be busy).
# Environment: BUILD (build directory, default build), EPOCHS (3), THREADS (2), QUICK=1 (skips
# the microbenchmarks and the scaling runs), MLP_REFERENCE (directory of pytorch_fashion_mnist.py
# and tutorial.py; default ../shared/reference beside the checkout).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
EPOCHS=${EPOCHS:-3}
THREADS=${THREADS:-2}
REF=${MLP_REFERENCE:-$(dirname "$0")/../../shared/reference}
REF=$(cd "$REF" 2>/dev/null && pwd || echo "$REF")
DATA=/usr/share/datasets/fashion-mnist
PY=/usr/bin/python3
OUT=$(mktemp -d /tmp/mlp-bench.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

say() { printf '\n== %s\n' "$*"; }
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }
# The value after KEY on the line that starts with KEY in FILE.
field() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }
# Maximum resident set size in MiB from /usr/bin/time -v's report.
rss_mb() { awk -F: '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- what the comparisons need beyond scripts/setup.sh --------------------------------------------
bash scripts/setup.sh
need=()
[[ -x /usr/bin/time ]] || need+=(time)
for p in python3-numpy python3-torch; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [[ ${#need[@]} -gt 0 ]]; then
  echo "bench: installing ${need[*]}" >&2
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
           --no-install-recommends "${need[@]}" >/dev/null; }; then
    echo "bench: could not install ${need[*]}; the comparisons that need them are skipped" >&2
  fi
fi
have_torch=0
$PY -c "import torch" 2>/dev/null && have_torch=1
have_numpy=0
$PY -c "import numpy" 2>/dev/null && have_numpy=1
have_ref=0
[[ -f "$REF/pytorch_fashion_mnist.py" && -f "$REF/tutorial.py" ]] && have_ref=1
[[ $have_ref -eq 1 ]] || echo "bench: $REF has no pytorch_fashion_mnist.py / tutorial.py (set MLP_REFERENCE); comparisons skipped" >&2

# --- build -------------------------------------------------------------------------------------------
say "build ($BUILD)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release ${CMAKE_FLAGS:-} >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target mlp fashion_mnist >/dev/null
# bench_kernels exists only where CMake found Google Benchmark (libbenchmark-dev).
cmake --build "$BUILD" -j "$(nproc)" --target bench_kernels >/dev/null 2>&1 ||
  echo "bench: no bench_kernels (Google Benchmark missing?); microbenchmarks skipped" >&2
echo "OpenBLAS: ${OPENBLAS_CORETYPE:+OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE, }$(lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2; exit }'), $(nproc) cores"

# --- microbenchmarks ------------------------------------------------------------------------------
if [[ -z "${QUICK:-}" && -x "$BUILD/bench/bench_kernels" ]]; then
  say "kernel microbenchmarks (bench/bench_kernels.cpp, --threads=$THREADS)"
  "$BUILD/bench/bench_kernels" --threads="$THREADS" --benchmark_min_time=0.2 2>&1 | tee "$OUT/kernels.txt"
elif [[ -x "$BUILD/bench/bench_kernels" ]]; then
  "$BUILD/bench/bench_kernels" --threads="$THREADS" --benchmark_filter=TutorialPredictRow 2>&1 >"$OUT/kernels.txt"
fi

# --- Fashion-MNIST: training, memory, inference -------------------------------------------------------
say "Fashion-MNIST 784-256-128-10, Adam, batch 128, float32, $THREADS threads, $EPOCHS epochs"
[[ -f $DATA/train-images-idx3-ubyte.gz ]] || { echo "bench: $DATA missing (apt-get install dataset-fashion-mnist)" >&2; exit 1; }
echo "-- mlp.cpp (bench/fashion_mnist)"
/usr/bin/time -v -o "$OUT/ours.time" "$BUILD/bench/fashion_mnist" "$EPOCHS" --threads "$THREADS" | tee "$OUT/ours.txt"
if [[ $have_torch -eq 1 && $have_ref -eq 1 ]]; then
  echo "-- PyTorch ($REF/pytorch_fashion_mnist.py)"
  /usr/bin/time -v -o "$OUT/torch.time" $PY "$REF/pytorch_fashion_mnist.py" "$EPOCHS" | tee "$OUT/torch.txt"
  $PY scripts/bench_pytorch_inference.py "$THREADS" | tee "$OUT/torch_inference.txt"
fi

# --- the tutorial ---------------------------------------------------------------------------------------
say "tutorial: 2-4-1, batch 2, 1000 epochs"
demo_us=()
for i in 1 2 3 4 5 6 7; do
  line=$("$BUILD/mlp" demo | tail -1)  # "trained 1000 epochs in 123 µs" (or ms, s)
  demo_us+=("$(echo "$line" | awk '{ v = $(NF - 1); u = $NF; if (u == "ms") v *= 1e3; else if (u == "s") v *= 1e6; print v }')")
done
ours_tutorial=$(printf '%s\n' "${demo_us[@]}" | median)
echo "mlp demo: ${demo_us[*]} µs (median $ours_tutorial)"
if [[ $have_numpy -eq 1 && $have_ref -eq 1 ]]; then
  $PY scripts/bench_tutorial_numpy.py "$REF/tutorial.py" 7 | tee "$OUT/numpy.txt"
fi

# --- scaling: rows and widths ---------------------------------------------------------------------
if [[ -z "${QUICK:-}" ]]; then
  say "scaling: time per epoch against rows, and against FLOPs as widths change (2 epochs each)"
  for rows in 10000 30000 60000; do
    "$BUILD/bench/fashion_mnist" 2 --threads "$THREADS" --rows "$rows" --no-peak >"$OUT/rows_$rows.txt"
    s=$(field median_epoch_seconds "$OUT/rows_$rows.txt")
    echo "rows $rows: $s s/epoch, $(calc "$s / $rows * 1e6" 2) µs/row"
  done
  for hidden in 128,64 256,128 512,256; do
    "$BUILD/bench/fashion_mnist" 2 --threads "$THREADS" --rows 30000 --hidden "$hidden" --no-peak >"$OUT/hidden_$hidden.txt"
    echo "hidden $hidden: $(field median_epoch_seconds "$OUT/hidden_$hidden.txt") s/epoch, $(field train_gflops "$OUT/hidden_$hidden.txt") GFLOP/s"
  done
fi

# --- the table --------------------------------------------------------------------------------------
say "issue 5 targets (this run)"
row() { printf '%-34s %14s %14s %10s %10s  %s\n' "$@"; }
verdict() { awk "BEGIN { print ($1) ? \"met\" : \"NOT met\" }"; }
row "target" "mlp.cpp" "reference" "ratio" "goal" "result"
ours_epoch=$(field median_epoch_seconds "$OUT/ours.txt")
ours_gflops=$(field train_gflops "$OUT/ours.txt")
peak=$(field sgemm_peak_gflops "$OUT/ours.txt")
ours_rss=$(rss_mb "$OUT/ours.time")
ours_inf=$(field inference_rows_per_second "$OUT/ours.txt")
if [[ -f "$OUT/torch.txt" ]]; then
  torch_epoch=$(awk '$1 == "epoch" { print $4 }' "$OUT/torch.txt" | median)
  torch_rss=$(rss_mb "$OUT/torch.time")
  torch_inf=$(field inference_rows_per_second "$OUT/torch_inference.txt")
  r=$(calc "$ours_epoch / $torch_epoch")
  row "1. epoch time (median, s)" "$ours_epoch" "$torch_epoch" "$r" "<= 0.25" "$(verdict "$r <= 0.25")"
  r=$(calc "$ours_rss / $torch_rss")
  row "2. max RSS (MiB)" "$ours_rss" "$torch_rss" "$r" "<= 0.5" "$(verdict "$r <= 0.5")"
  r=$(calc "$ours_inf / $torch_inf" 2)
  row "4. batch inference (rows/s)" "$ours_inf" "$torch_inf" "$r" ">= 3" "$(verdict "$r >= 3")"
else
  row "1. epoch time (median, s)" "$ours_epoch" "-" "-" "<= 0.25" "no PyTorch"
  row "2. max RSS (MiB)" "$ours_rss" "-" "-" "<= 0.5" "no PyTorch"
  row "4. batch inference (rows/s)" "$ours_inf" "-" "-" ">= 3" "no PyTorch"
fi
if [[ -n "$peak" ]]; then
  r=$(calc "$ours_gflops / $peak")
  row "1. training GFLOP/s vs sgemm peak" "$ours_gflops" "$peak" "$r" ">= 0.5" "$(verdict "$r >= 0.5")"
fi
if [[ -f "$OUT/numpy.txt" ]]; then
  numpy_us=$(awk '{ print $3 }' "$OUT/numpy.txt")  # the median
  r=$(calc "$numpy_us / $ours_tutorial" 0)
  row "3. tutorial 1000 epochs (µs)" "$ours_tutorial" "$numpy_us" "${r}x" ">= 1000x" "$(verdict "$r >= 1000")"
fi
predict_ns=$(awk '$1 ~ /^BM_TutorialPredictRow/ { v = $2; if ($3 == "us") v *= 1e3; print v; exit }' "$OUT/kernels.txt" 2>/dev/null || true)
[[ -n "$predict_ns" ]] && row "4. single-row predict, tutorial (ns)" "$predict_ns" "-" "-" "<= 1000" "$(verdict "$predict_ns <= 1000")"
if [[ -z "${QUICK:-}" ]]; then
  a=$(field median_epoch_seconds "$OUT/rows_10000.txt")
  b=$(field median_epoch_seconds "$OUT/rows_60000.txt")
  r=$(calc "($b / 60000) / ($a / 10000)")
  row "5. time/row, 60k vs 10k rows" "$b" "$a" "$r" "<= 1.15" "$(verdict "$r <= 1.15")"
  a=$(field train_gflops "$OUT/hidden_128,64.txt")
  b=$(field train_gflops "$OUT/hidden_512,256.txt")
  r=$(calc "$a / $b")
  row "5. time/FLOP, 512,256 vs 128,64" "$b GF/s" "$a GF/s" "$r" "<= 1.15" "$(verdict "$r <= 1.15")"
  first=$(awk '$1 == "epoch" && $2 == 1 { print $NF }' "$OUT/ours.txt")
  last=$(awk '$1 == "epoch" { v = $NF } END { print v }' "$OUT/ours.txt")
  r=$(calc "$last / $first")
  row "5. RSS last vs first epoch (MiB)" "$last" "$first" "$r" "<= 1.02" "$(verdict "$r <= 1.02")"
fi
# For the record: oneDNN's sgemm (batch inference's kernels; training runs on OpenBLAS), and
# Model::predict, the general path that Predictor replaces for float32 batch inference.
onednn=$(field onednn_sgemm_gflops "$OUT/ours.txt")
[[ -n "$onednn" ]] && echo "oneDNN sgemm: $onednn GFLOP/s (training's GFLOP/s against it: $(calc "$ours_gflops / $onednn"))"
model_inf=$(field model_predict_rows_per_second "$OUT/ours.txt")
[[ -n "$model_inf" ]] && echo "Model::predict: $model_inf rows/s (Predictor: $ours_inf)"
fixed_ns=$(awk '$1 ~ /^BM_FixedTutorialPredictRow/ { v = $2; if ($3 == "us") v *= 1e3; print v; exit }' "$OUT/kernels.txt" 2>/dev/null || true)
[[ -n "$fixed_ns" ]] && echo "FixedMlp single-row predict: $fixed_ns ns"
exit 0
