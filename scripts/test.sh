#!/usr/bin/env bash
# Every test: the Rust suite (unit, vectors, property, CLI golden files, doctests), then the interop
# tests against independent implementations (pyca/cryptography, pycryptodome, ...) in a venv under
# target/. Exits non-zero on any failure.
set -uo pipefail
set -e
cd "$(dirname "$0")/.."

echo "== cargo test"
cargo test --locked --all-features

echo "== interop"
venv=target/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/interop/requirements.txt
cargo build --locked --quiet --bin paycrypt
export PAYCRYPT_BIN="$PWD/target/debug/paycrypt"
status=0
total_passed=0
total_failed=0
for t in tests/interop/test_*.py; do
  echo "-- $t"
  log=$(mktemp)
  "$venv/bin/python" "$t" 2>&1 | tee "$log" || status=1
  # Each script closes with 'NAME: N passed, M failed'; add them up for one closing line.
  counts=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
  if [ -z "$counts" ]; then
    echo "$t printed no closing count"; status=1
  else
    total_passed=$((total_passed + $(echo "$counts" | cut -d' ' -f1)))
    total_failed=$((total_failed + $(echo "$counts" | cut -d' ' -f3)))
  fi
  rm -f "$log"
done
echo "interop: $total_passed passed, $total_failed failed"
exit $status
