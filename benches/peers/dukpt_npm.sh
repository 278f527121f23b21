#!/usr/bin/env bash
# paycrypt vs npm `dukpt` (the fastest installable peer) on the same TDES DUKPT derivation, in one run:
# BDK -> IPEK -> transaction key -> DATA_REQUEST key, KSN counter with 10 one-bits. Installs npm dukpt
# 3.0.0 into the target directory, checks that both give the same key, times npm before and after
# paycrypt's criterion bench (the machine's load moves both), and prints the ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
peer="$target/npm-peer"
bdk=0123456789ABCDEFFEDCBA9876543210
ksn=FFFF9876543210E55555

if [ ! -d "$peer/node_modules/dukpt" ]; then
  mkdir -p "$peer"
  (cd "$peer" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund dukpt@3.0.0)
fi

ours_key=$(cargo run --quiet --release -- dukpt derive-key --bdk $bdk --ksn $ksn --usage DATA_REQUEST \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).DerivedKey))')
npm_before=$(node benches/peers/dukpt_npm.js "$peer/node_modules" 20000)
cargo bench --bench dukpt -- --warm-up-time 1 --measurement-time 3 'dukpt/tdes_data_request_10bits/uncached'
npm_after=$(node benches/peers/dukpt_npm.js "$peer/node_modules" 20000)

estimates="$target/criterion/dukpt_tdes_data_request_10bits/uncached/new/estimates.json"
node - "$ours_key" "$npm_before" "$npm_after" "$estimates" <<'JS'
const fs = require('fs');
const [ours_key, before, after, estimates] = process.argv.slice(2);
const b = JSON.parse(before), a = JSON.parse(after);
const npm_ns = (b.ns_per_derivation + a.ns_per_derivation) / 2;
const ours_ns = JSON.parse(fs.readFileSync(estimates, 'utf8')).mean.point_estimate;
if (b.key !== ours_key) {
  console.error(`key mismatch: paycrypt ${ours_key}, npm dukpt ${b.key}`);
  process.exit(1);
}
console.log(`same key: ${ours_key}`);
console.log(`npm dukpt: ${(npm_ns / 1000).toFixed(2)} us per derivation (${(b.ns_per_derivation / 1000).toFixed(2)} before, ${(a.ns_per_derivation / 1000).toFixed(2)} after)`);
console.log(`paycrypt:  ${(ours_ns / 1000).toFixed(2)} us per derivation`);
console.log(`ratio: paycrypt is ${(npm_ns / ours_ns).toFixed(2)}x npm dukpt`);
JS
