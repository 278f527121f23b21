#!/usr/bin/env bash
# Every test: the Rust suite (unit, vectors, property, CLI golden files, doctests), then the interop
# tests against independent implementations (pyca/cryptography, pycryptodome, ...) in a venv under
# target/. Exits non-zero on any failure.
set -euo pipefail
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
for t in tests/interop/test_*.py; do
  echo "-- $t"
  "$venv/bin/python" "$t" || status=1
done
exit $status
