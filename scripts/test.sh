#!/usr/bin/env bash
# Every test: the Rust suite (unit, vectors, property, CLI golden files, doctests), then the interop
# tests against independent implementations (pyca/cryptography, pycryptodome, ...) in a venv under
# target/. Exits non-zero on any failure.
set -uo pipefail
set -e
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
# The DataFusion and Ballista crates are workspace members outside the default build (they bring
# DataFusion and Ballista). Tested together: one build of DataFusion serves both. The Ballista tests run
# a scheduler and executors as processes on loopback.
echo "== cargo test -p paycrypt-datafusion -p paycrypt-ballista"
cargo test --locked -p paycrypt-datafusion -p paycrypt-ballista

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
# paycrypt-sql (the DataFusion functions) for test_sql.py; the same binary against both paycrypt builds.
# Built with the Ballista crate, as tested above, so that DataFusion is not compiled a second time.
cargo build --locked --quiet -p paycrypt-datafusion -p paycrypt-ballista --bins
export PAYCRYPT_SQL_BIN="$PWD/target/debug/paycrypt-sql"
status=0
total_passed=0
total_failed=0
for bin in paycrypt paycrypt-aws-lc; do
  export PAYCRYPT_BIN="$PWD/target/debug/$bin"
  for t in tests/interop/test_*.py; do
    echo "-- $t ($bin)"
    log=$(mktemp)
    "$venv/bin/python" "$t" 2>&1 | tee "$log" || status=1
    # Each script closes with 'NAME: N passed, M failed'; add them up for one closing line.
    counts=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
    if [ -z "$counts" ]; then
      echo "$t printed no closing count"; status=1
    else
      passed=$(echo "$counts" | cut -d' ' -f1)
      # A script that checked nothing proves nothing: it fails, whatever it exited with.
      if [ "$passed" -eq 0 ]; then
        echo "$t passed no check"; status=1
      fi
      total_passed=$((total_passed + passed))
      total_failed=$((total_failed + $(echo "$counts" | cut -d' ' -f3)))
    fi
    rm -f "$log"
  done
done
echo "interop: $total_passed passed, $total_failed failed"
[ "$total_passed" -gt 0 ] || { echo "interop: no check passed"; status=1; }
exit $status
