#!/usr/bin/env bash
# paycrypt's modes against `openssl speed -evp` on this machine, in one run, at 4 KiB per call.
# Prints one line per comparison: paycrypt rate, OpenSSL rate, ratio, and the issue's target.
#
#   bash benches/openssl_compare.sh            # run both and compare
#
# Run it on a quiet machine: both sides are single-threaded and share the cores with whatever else runs.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v openssl >/dev/null || { echo "openssl not found (apt-get install openssl)"; exit 1; }

filter='modes/(AES_128/(ECB|CBC|CFB8|CFB64|CFB128|CFB1|OFB)|TDES_3KEY/(CBC|ECB))/(en|de)crypt/4096$'
cargo bench --bench symmetric -- "$filter" >/dev/null 2>&1

openssl_rate() { # cipher [-decrypt] -> bytes per second at 4096-byte calls
  local line
  line=$(openssl speed -elapsed -seconds 2 -bytes 4096 $2 -evp "$1" 2>/dev/null | tail -n 1)
  # The last field is thousands of bytes per second, e.g. "11625172.04k".
  echo "$line" | awk '{ v = $NF; sub(/k$/, "", v); printf "%.0f\n", v * 1000 }'
}

python3 - "$filter" <<'PY' > target/openssl_compare_ours.txt
import re, sys
sys.path.insert(0, "benches")
from criterion_table import results
pattern = re.compile(sys.argv[1])
for full_id, ns, size in results():
    if pattern.search(full_id) and size:
        print(full_id, size / ns * 1e9)
PY

ours() { awk -v id="$1" '$1 == id { print $2 }' target/openssl_compare_ours.txt; }

printf '%-34s %14s %14s %7s  %s\n' "comparison (4 KiB calls)" "paycrypt MB/s" "OpenSSL MB/s" "ratio" "target"
compare() { # label our-id openssl-cipher openssl-flag target
  local a b
  a=$(ours "$2"); b=$(openssl_rate "$3" "$4")
  python3 -c "a=$a;b=$b;t=$5;print(f'%-34s %14.1f %14.1f %6.2fx  >= {t}x %s' % ('$1', a/1e6, b/1e6, a/b, 'ok' if a/b >= t else 'BELOW'))"
}
compare "AES-128 ECB encrypt" modes/AES_128/ECB/encrypt/4096 aes-128-ecb "" 1.0
compare "AES-128 CBC encrypt" modes/AES_128/CBC/encrypt/4096 aes-128-cbc "" 1.0
compare "AES-128 CBC decrypt" modes/AES_128/CBC/decrypt/4096 aes-128-cbc -decrypt 1.3
compare "AES-128 OFB" modes/AES_128/OFB/encrypt/4096 aes-128-ofb "" 1.0
compare "AES-128 CFB128 encrypt" modes/AES_128/CFB128/encrypt/4096 aes-128-cfb "" 1.0
compare "AES-128 CFB128 decrypt" modes/AES_128/CFB128/decrypt/4096 aes-128-cfb -decrypt 1.0
compare "AES-128 CFB8 encrypt" modes/AES_128/CFB8/encrypt/4096 aes-128-cfb8 "" 1.0
compare "AES-128 CFB1 encrypt" modes/AES_128/CFB1/encrypt/4096 aes-128-cfb1 "" 1.0
compare "TDES-3KEY CBC encrypt" modes/TDES_3KEY/CBC/encrypt/4096 des-ede3-cbc "" 1.0
compare "TDES-3KEY CBC decrypt" modes/TDES_3KEY/CBC/decrypt/4096 des-ede3-cbc -decrypt 1.0
compare "TDES-3KEY ECB encrypt" modes/TDES_3KEY/ECB/encrypt/4096 des-ede3-ecb "" 1.0
compare "TDES-3KEY ECB decrypt" modes/TDES_3KEY/ECB/decrypt/4096 des-ede3-ecb -decrypt 1.0
a=$(ours modes/AES_128/CFB64/encrypt/4096); b=$(ours modes/AES_128/CFB8/encrypt/4096)
python3 -c "a=$a;b=$b;print('%-34s %14.1f %14.1f %6.2fx  >= 2x (vs our CFB8) %s' % ('AES-128 CFB64 vs our CFB8', a/1e6, b/1e6, a/b, 'ok' if a/b >= 2 else 'BELOW'))"
