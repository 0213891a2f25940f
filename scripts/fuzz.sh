#!/usr/bin/env bash
# Runs every libFuzzer target of BUILD_DIR (built by `make fuzz`) for SECONDS each over its seed
# corpus tests/fuzz/<name>/ (copied: the committed seeds stay as they are). A finding — crash,
# sanitizer report, an exception that is no mlp::Error, a hang (10 s), memory over 2 GiB — fails
# the run and leaves the input in BUILD_DIR/fuzz-artifacts/; commit it to tests/fuzz/<name>/ once
# fixed, so that it stays a regression input. Usage: fuzz.sh BUILD_DIR [SECONDS]
set -euo pipefail
build=$1 seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"
status=0
for name in csv npy idx safetensors model checkpoint onnx; do
  if [[ ! -x "$build/fuzz/fuzz_$name" ]]; then
    echo "fuzz_$name: not built (no ONNX support in this build)"
    continue
  fi
  corpus=$(mktemp -d)
  cp "$root/tests/fuzz/$name"/* "$corpus/"
  echo "fuzz_$name: ${seconds}s"
  if ! "$build/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -artifact_prefix="$artifacts/${name}-" -print_final_stats=0 "$corpus" > "$artifacts/$name.log" 2>&1; then
    echo "fuzz_$name: FOUND A PROBLEM (see $artifacts/$name.log)"
    tail -30 "$artifacts/$name.log"
    status=1
  else
    grep -E "^#[0-9]+ +DONE" "$artifacts/$name.log" | tail -1 || true
  fi
  rm -rf "$corpus"
done
exit $status
