#!/usr/bin/env bash
# Every test: the Rust suite (unit, vectors, property, CLI golden files, doctests), then the interop
# tests against independent implementations (pyca/cryptography, pycryptodome, ...) in a venv under
# target/. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

# The `aws-lc` feature builds AWS-LC from C sources (aws-lc-sys): it needs a C compiler.
if ! command -v cc >/dev/null 2>&1; then
  echo "== installing a C compiler for aws-lc-sys"
  apt-get update -qq && apt-get install -y -qq build-essential
fi

echo "== cargo test (all features: the CLI and the aws-lc engine)"
cargo test --locked --all-features
echo "== cargo test (default features: pure Rust)"
cargo test --locked

echo "== interop"
venv=target/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/interop/requirements.txt
# Every interop script runs against the pure-Rust binary, then against the aws-lc one.
cargo build --locked --quiet --features aws-lc --bin paycrypt
cp target/debug/paycrypt target/debug/paycrypt-aws-lc
cargo build --locked --quiet --bin paycrypt
status=0
for bin in paycrypt paycrypt-aws-lc; do
  export PAYCRYPT_BIN="$PWD/target/debug/$bin"
  for t in tests/interop/test_*.py; do
    echo "-- $t ($bin)"
    "$venv/bin/python" "$t" || status=1
  done
done
exit $status
