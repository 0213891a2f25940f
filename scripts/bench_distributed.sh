#!/usr/bin/env bash
# Data-parallel training on this machine (docs/benchmarks.md, "Data-parallel training"):
#  1. a Fashion-MNIST epoch (784-256-128-10, relu, Adam, batch 128, float32, shuffled) with
#     `mpirun -np 2` (one thread each), plain and --deterministic, against one process with 2
#     threads and one with 1, interleaved round by round so that they share the machine's load;
#     with the time each step waited for the other process's gradients;
#  2. the step time of one process (2 threads) at batches 128 ... 2, for the Fashion-MNIST network
#     and a 784-4096-4096-10 one: the input of the scaling model (scripts/scaling_model.py), which
#     it then prints.
# Environment: BUILD (a build directory whose mlp has MPI, default build), EPOCHS (3), ROUNDS (2),
# MPIRUN_FLAGS (added to mpirun's). Prints tables; writes nothing outside a temporary folder.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
EPOCHS=${EPOCHS:-3}
ROUNDS=${ROUNDS:-2}
MLP=$PWD/$BUILD/mlp
DATA=/usr/share/datasets/fashion-mnist
PY=/usr/bin/python3
OUT=$(mktemp -d /tmp/mlp-bench-dist.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

command -v mpirun >/dev/null || { echo "bench_distributed: mpirun not found (scripts/setup.sh installs openmpi-bin)" >&2; exit 1; }
[[ -x $MLP ]] || { echo "bench_distributed: $MLP not built" >&2; exit 1; }
[[ -f $DATA/train-images-idx3-ubyte.gz ]] || { echo "bench_distributed: $DATA missing (dataset-fashion-mnist)" >&2; exit 1; }
# Not bound to cores, and yielding the core while waiting: on a machine shared with other work a
# rank pinned to a busy core, or spinning in MPI_Wait, slows its partner (docs/distributed.md).
MPIRUN=(mpirun -q --bind-to none --mca mpi_yield_when_idle 1 ${MPIRUN_FLAGS:-})
[[ $(id -u) -eq 0 ]] && MPIRUN+=(--allow-run-as-root)

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# The seconds column of a history CSV, one epoch a line.
epoch_seconds() { awk -F, 'NR > 1 { print $2 }' "$1"; }

TRAIN=(train "$DATA/train-images-idx3-ubyte.gz" --labels "$DATA/train-labels-idx1-ubyte.gz" --hidden 256,128
       --optimizer adam --lr 0.001 --batch-size 128 --epochs "$EPOCHS" --early-stopping 0 --seed 1)

echo "== 1. Fashion-MNIST epoch, $EPOCHS epochs per run, $ROUNDS rounds, interleaved"
declare -A runs=(
  [alone_2_threads]="$MLP ${TRAIN[*]} --threads 2"
  [alone_1_thread]="$MLP ${TRAIN[*]} --threads 1"
  [mpirun_np2]="${MPIRUN[*]} -np 2 $MLP ${TRAIN[*]} --threads 1"
  [mpirun_np2_deterministic]="${MPIRUN[*]} -np 2 $MLP ${TRAIN[*]} --threads 1 --deterministic"
)
order=(alone_2_threads mpirun_np2 alone_1_thread mpirun_np2_deterministic)
for round in $(seq "$ROUNDS"); do
  for name in "${order[@]}"; do
    ${runs[$name]} -o "$OUT/$name.st" --history "$OUT/$name.$round.csv" 2>"$OUT/$name.$round.err"
    epoch_seconds "$OUT/$name.$round.csv" >>"$OUT/$name.epochs"
    sed -nE 's/.* ([0-9.]+) ms per step waiting for the sums.*/\1/p' "$OUT/$name.$round.err" >>"$OUT/$name.wait"
    echo "round $round $name: epochs $(paste -sd' ' <(epoch_seconds "$OUT/$name.$round.csv")) s; $(tail -1 "$OUT/$name.$round.err" | sed 's/; saved.*//')"
  done
done
printf '\n| run | median epoch | epochs measured | wait per step (rank 0) |\n| --- | --- | --- | --- |\n'
for name in "${order[@]}"; do
  wait="—"
  [[ -s $OUT/$name.wait ]] && wait="$(median <"$OUT/$name.wait") ms"
  printf '| %s | %.3f s | %d | %s |\n' "$name" "$(median <"$OUT/$name.epochs")" "$(wc -l <"$OUT/$name.epochs")" "$wait"
done

echo
echo "== 2. step time of one process (2 threads) by batch size: the scaling model's input"
# NPY subsets of the training images (uint8, as in the IDX file): STEPS steps an epoch at each
# batch size (480 for the small network, whose steps are short; 24 for the wide one).
$PY - "$DATA" "$OUT" <<'PY'
import gzip, sys
import numpy as np
data, out = sys.argv[1], sys.argv[2]
x = np.frombuffer(gzip.open(f"{data}/train-images-idx3-ubyte.gz").read()[16:], np.uint8).reshape(-1, 784)
y = np.frombuffer(gzip.open(f"{data}/train-labels-idx1-ubyte.gz").read()[8:], np.uint8)
for steps in (480, 24):
    for b in (128, 64, 32, 16, 8, 4, 2):
        np.save(f"{out}/x{steps}_{b}.npy", x[: steps * b]); np.save(f"{out}/y{steps}_{b}.npy", y[: steps * b])
PY
echo "network,batch,ms_per_step" >"$OUT/steps.csv"
for net in 256x128:480 4096x4096:24; do
  widths=${net%%:*}
  steps=${net##*:}
  for b in 128 64 32 16 8 4 2; do
    $MLP train "$OUT/x${steps}_$b.npy" --labels "$OUT/y${steps}_$b.npy" --hidden "${widths//x/,}" --optimizer adam \
      --batch-size $b --epochs 3 --early-stopping 0 --threads 2 -q -o "$OUT/s.st" --history "$OUT/s.csv"
    # The median of epochs 2 and 3 (the first one sets buffers up).
    ms=$(awk -F, -v steps="$steps" 'NR > 2 { print $2 * 1000 / steps }' "$OUT/s.csv" | median)
    echo "$widths,$b,$ms" | tee -a "$OUT/steps.csv"
  done
done
echo
$PY scripts/scaling_model.py "$OUT/steps.csv"
