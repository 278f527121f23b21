#!/usr/bin/env bash
# A short run of every cargo-fuzz target (CI's smoke run; the long runs are in docs/testing.md#fuzzing):
# builds them on the stable toolchain without sanitizers, then runs each for FUZZ_SECONDS (default 10)
# from its corpus in fuzz/corpus/<target> when the repository keeps one. Fails on any crash.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECONDS_EACH=${FUZZ_SECONDS:-10}
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== cargo install cargo-fuzz"
  cargo install --quiet --locked cargo-fuzz --version 0.13.2
fi
cargo fuzz build -s none -O
for target in $(cargo fuzz list); do
  # A scratch copy: the run adds to its corpus, and the repository's stays as committed.
  scratch=$(mktemp -d)
  if [ -d "corpus/$target" ]; then
    cp -R "corpus/$target/." "$scratch/"
  fi
  echo "-- fuzz $target (${SECONDS_EACH}s)"
  log=$(mktemp)
  status=0
  cargo fuzz run -s none -O "$target" "$scratch" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -E "^stat::number_of_executed_units|SUMMARY|panicked" "$log" || true
  rm -rf "$scratch"
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$log"
    echo "fuzz target $target failed (artifacts in fuzz/artifacts/$target)"
    exit 1
  fi
  rm -f "$log"
done
echo "fuzz smoke: every target ran ${SECONDS_EACH}s without a crash"
