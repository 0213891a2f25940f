#!/usr/bin/env bash
# Regenerates every golden file in tests/fixtures from the reference implementations
# (Debian's python3-numpy, python3-torch and python3-sklearn; `bash scripts/setup.sh --reference` installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
py=/usr/bin/python3
# One line per generator (every scripts/gen_*.py, and the tutorial's reference run); each writes
# the files its test reads.
$py scripts/gen_random_golden.py > tests/fixtures/random_golden.txt
$py scripts/gen_format_golden.py > tests/fixtures/format_golden.txt
$py scripts/gen_activation_golden.py
$py scripts/gen_loss_golden.py
$py scripts/gen_metrics_golden.py
$py scripts/gen_optimizer_golden.py
$py scripts/gen_schedule_golden.py
$py scripts/gen_training_golden.py > tests/fixtures/training_golden.txt
$py scripts/gen_tutorial_weights.py > tests/fixtures/tutorial_numpy_weights.txt
$py scripts/tutorial_reference.py > tests/fixtures/tutorial.expected.txt
$py scripts/gen_npy_fixtures.py tests/fixtures/data_npy
$py scripts/gen_safetensors_fixtures.py > /dev/null  # tests/fixtures/safetensors_{reference,legacy}.safetensors
$py scripts/gen_defaults_baseline.py > /dev/null  # tests/fixtures/defaults: the four data sets and scikit-learn's scores
$py scripts/gen_mixed_table.py > /dev/null  # tests/fixtures/mixed: the table and scikit-learn's accuracy on it
echo "golden data regenerated in tests/fixtures; 'git diff --stat tests/fixtures' shows what changed"
