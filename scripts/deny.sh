#!/usr/bin/env bash
# cargo-deny against the RustSec advisory database snapshot kept in supply-chain/advisory-db (see its
# SNAPSHOT.txt): cargo-deny reads a database as a git repository under deny.toml's db-path, named after
# its URL, and this machine's network reaches the package registries only, so the snapshot is made into
# such a repository under target/ and cargo-deny runs offline. Installs cargo-deny when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-deny >/dev/null 2>&1; then
  echo "== cargo install cargo-deny"
  cargo install --quiet --locked cargo-deny --version 0.20.2
fi
# The directory cargo-deny derives from db-urls = ["https://github.com/rustsec/advisory-db"].
db=target/advisory-dbs/advisory-db-3157b0e258782691
rm -rf "$db"
mkdir -p "$(dirname "$db")"
cp -R supply-chain/advisory-db "$db"
(
  cd "$db"
  git init -q
  git add -A
  # The snapshot's own date (SNAPSHOT.txt), so cargo-deny's staleness view is the snapshot's.
  GIT_AUTHOR_DATE=2026-08-21T00:00:00Z GIT_COMMITTER_DATE=2026-08-21T00:00:00Z \
    git -c user.name=paycrypt-ci -c user.email=ci@localhost -c commit.gpgsign=false commit -q -m "RustSec advisory-db snapshot"
)
cargo fetch --locked --quiet
# --workspace: every member (the DataFusion and Ballista crates too), not only the root package.
cargo deny --offline --locked --workspace check
