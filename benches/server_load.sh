#!/usr/bin/env bash
# paycrypt serve under load (issue "paycrypt serve", section Measure; KMS issue, section Measure):
#   - EncryptData (AES-128 CBC, 32 bytes, alias/zone) closed loop over C keep-alive HTTP/1.1 connections: req/s
#   - EncryptData open loop at 5,000 req/s: p50/p90/p99/max, measured from each request's due time
#   - server RSS with 10,000 AES keys (seeded through POST /_paycrypt/seed, signed)
#   - KMS Encrypt of 256 bytes against moto_server (pip moto[server]) and against paycrypt serve (when
#     this build serves KMS), closed loop, and the ratios.
# Every request is SigV4-signed (benches/server_load.rs over paycrypt::perf::load,
# the engine of `paycrypt load`). Server and generator run on this machine,
# both under `nice -n -5` (root; otherwise at normal priority).
#
#   bash benches/server_load.sh            # DURATION=10 seconds a run, CONNECTIONS="16 64", RATE=5000, OPEN_RUNS=3
#   PRIORITY=rt bash benches/server_load.sh   # the same under SCHED_FIFO (see below)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-"16 64"}
RATE=${RATE:-5000}
OPEN_RUNS=${OPEN_RUNS:-3}
KMS_CONNECTIONS=${KMS_CONNECTIONS:-16}
OUT=target/server-load
mkdir -p "$OUT"
LOG="$OUT/results-${PRIORITY:-nice}.txt"
: >"$LOG"
say() { echo "$*" | tee -a "$LOG" >&2; }
die() { echo "server_load.sh: $*" >&2; exit 1; }

# PRIORITY=nice (default): server and generator under `nice -n -5`. PRIORITY=rt: under `chrt -f 1`
# (SCHED_FIFO), a diagnostic: other jobs' CPU time slices can then no longer delay a request, so the
# latency shows what the server does when it has the CPU.
case ${PRIORITY:-nice} in
  nice) NICE=(nice -n -5) ;;
  rt) NICE=(chrt -f 1) ;;
  *) die "PRIORITY must be nice or rt" ;;
esac
"${NICE[@]}" true 2>/dev/null || { echo "server_load.sh: cannot run ${NICE[*]}: running at normal priority" >&2; NICE=(); }


# ---- build ----------------------------------------------------------------------------------------
# The bench build unifies the dev-dependencies' features into the crate, and writes its own
# target/release/paycrypt: build it first, then the plain release binary, and keep a copy of that.
LOADGEN=$(cargo bench --bench server_load --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "server_load" and m.get("executable"):
        print(m["executable"])')
[ -x "$LOADGEN" ] || die "the load generator did not build (cargo bench --bench server_load --no-run)"
cargo build --release --bin paycrypt >&2
cp target/release/paycrypt "$OUT/paycrypt"
PAYCRYPT=$OUT/paycrypt

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# result LABEL FIELD: a field of the generator's RESULT line for LABEL.
result() { { grep "^RESULT label=$1 " "$LOG" || true; } | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }

loadgen() {
  say "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)   server_load $*"
  "${NICE[@]}" "$LOADGEN" "$@" | tee -a "$LOG" || say "!!! THE RUN ABOVE HAD ERRORS (exit $?) !!!"
}

say "# server_load.sh: $(date -u +%F), $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(uname -r)"
say "# server and load generator on the same machine, both under '${NICE[*]:-normal priority}'; other builds may run at the same time (load averages per run below)"

# ---- paycrypt serve -------------------------------------------------------------------------------
"${NICE[@]}" "$PAYCRYPT" serve --ephemeral --quiet --seed tests/cmd/pc/fixtures/seed.json \
  --listen 127.0.0.1:0 >"$OUT/serve.out" 2>"$OUT/serve.err" &
SERVER=$!
PIDS+=("$SERVER")
URL=
for _ in $(seq 100); do
  URL=$(sed -n 's/^paycrypt serve: ready on \(http:\/\/[^ ]*\).*/\1/p' "$OUT/serve.out")
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || die "paycrypt serve did not start: $(cat "$OUT/serve.out" "$OUT/serve.err")"
say "# paycrypt serve at $URL (pid $SERVER)"

for c in $CONNECTIONS; do
  loadgen --url "$URL" --kind encrypt-data --connections "$c" --duration "$DURATION" --label "encrypt-data-c$c"
done
# Latency is the figure most hurt by other processes on a shared 2-core machine: several runs.
for i in $(seq "$OPEN_RUNS"); do
  loadgen --url "$URL" --kind encrypt-data --rate "$RATE" --connections 64 --duration "$DURATION" --label "encrypt-data-open-$i"
done

# ---- RSS with 10,000 keys -------------------------------------------------------------------------
rss_kib() { sed -n 's/^VmRSS:\s*\([0-9]*\) kB/\1/p' "/proc/$SERVER/status"; }
RSS_BEFORE=$(rss_kib)
python3 - "$OUT" <<'EOF'
import json, sys
# 10,000 AES-128 keys in 5 files of 2,000 (each under the server's 1 MiB body limit).
for part in range(5):
    keys = [{
        "KeyId": f"load{i:012d}",
        "KeyAttributes": {"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
                          "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
                          "KeyModesOfUse": {"NoRestrictions": True}},
        "KeyMaterial": f"{i:032X}",
    } for i in range(part * 2000, (part + 1) * 2000)]
    with open(f"{sys.argv[1]}/seed10k-{part}.json", "w") as f:
        json.dump({"Keys": keys}, f)
EOF
for part in 0 1 2 3 4; do
  "$PAYCRYPT" seed --endpoint-url "$URL" "$OUT/seed10k-$part.json" >/dev/null
done
RSS_AFTER=$(rss_kib)
say "RESULT label=rss keys=10006 rss_before_kib=$RSS_BEFORE rss_kib=$RSS_AFTER"
loadgen --url "$URL" --kind encrypt-data --connections 64 --duration "$DURATION" --label encrypt-data-10k-keys \
  --key-id arn:aws:payment-cryptography:us-east-1:111122223333:key/load000000009999

# ---- KMS: moto_server and paycrypt ----------------------------------------------------------------
if [ ! -x target/venv/bin/moto_server ]; then
  [ -x target/venv/bin/python ] || python3 -m venv target/venv
  target/venv/bin/pip install -q 'moto[server]' boto3 >&2
fi
MOTO_PORT=$(free_port)
"${NICE[@]}" target/venv/bin/moto_server -p "$MOTO_PORT" >"$OUT/moto.log" 2>&1 &
PIDS+=("$!")
MOTO_URL=http://127.0.0.1:$MOTO_PORT
say "# moto_server $(target/venv/bin/python -c 'import moto; print(moto.__version__)') at $MOTO_URL"

# create_key URL: prints a new SYMMETRIC_DEFAULT key's id, or UNAVAILABLE when the endpoint has no KMS.
create_key() {
  target/venv/bin/python - "$1" <<'EOF'
import sys, time
import boto3, botocore
kms = boto3.client("kms", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
for attempt in range(100):
    try:
        print(kms.create_key()["KeyMetadata"]["KeyId"])
        break
    except botocore.exceptions.EndpointConnectionError:
        time.sleep(0.1)
    except botocore.exceptions.ClientError as e:
        if e.response["Error"]["Code"] in ("UnknownOperationException", "UnknownOperation"):
            print("UNAVAILABLE")
            break
        raise
EOF
}

MOTO_KEY=$(create_key "$MOTO_URL")
[ -n "$MOTO_KEY" ] || die "moto_server did not answer CreateKey"
loadgen --url "$MOTO_URL" --kind kms-encrypt --key-id "$MOTO_KEY" --connections "$KMS_CONNECTIONS" \
  --duration "$DURATION" --label moto-kms-encrypt

PC_KEY=$(create_key "$URL")
if [ "$PC_KEY" = UNAVAILABLE ]; then
  say "paycrypt KMS not available in this build (TrentService.CreateKey: UnknownOperationException)"
else
  loadgen --url "$URL" --kind kms-encrypt --key-id "$PC_KEY" --connections "$KMS_CONNECTIONS" \
    --duration "$DURATION" --label paycrypt-kms-encrypt
fi

# ---- summary --------------------------------------------------------------------------------------
best_ed=0
for c in $CONNECTIONS; do
  r=$(result "encrypt-data-c$c" rps)
  [ -n "$r" ] && [ "$r" -gt "$best_ed" ] && best_ed=$r
done
moto=$(result moto-kms-encrypt rps)
pckms=$(result paycrypt-kms-encrypt rps)
ratio() { if [ -n "$1" ] && [ -n "$2" ] && [ "$2" -gt 0 ]; then python3 -c "print(f'{$1/$2:.1f}x')"; else echo n/a; fi; }
{
  echo
  echo "== paycrypt serve under load: $(date -u +%F), $(nproc) cores, generator and server on one machine (${NICE[*]:-normal priority}), ${DURATION} s runs =="
  for c in $CONNECTIONS; do
    printf '  EncryptData closed loop, %3s conns : %8s req/s  (errors %s)\n' "$c" "$(result "encrypt-data-c$c" rps)" "$(result "encrypt-data-c$c" errors)"
  done
  for i in $(seq "$OPEN_RUNS"); do
    l=encrypt-data-open-$i
    printf '  EncryptData open loop at %s req/s, run %s: p50 %s ms, p90 %s ms, p99 %s ms, max %s ms  (errors %s)\n' "$RATE" "$i" \
      "$(result "$l" p50_ms)" "$(result "$l" p90_ms)" "$(result "$l" p99_ms)" "$(result "$l" max_ms)" "$(result "$l" errors)"
  done
  printf '  RSS with 10,006 keys              : %s KiB (%s KiB before seeding 10,000)\n' "$RSS_AFTER" "$RSS_BEFORE"
  printf '  EncryptData with 10k keys, 64 conns: %8s req/s\n' "$(result encrypt-data-10k-keys rps)"
  printf '  moto KMS Encrypt (256 B), %3s conns: %8s req/s  (errors %s; moto answers without keep-alive: a new connection each)\n' \
    "$KMS_CONNECTIONS" "${moto:-n/a}" "$(result moto-kms-encrypt errors)"
  if [ -n "$pckms" ]; then
    printf '  paycrypt KMS Encrypt (256 B), %3s conns: %8s req/s  (errors %s)\n' "$KMS_CONNECTIONS" "$pckms" "$(result paycrypt-kms-encrypt errors)"
  else
    echo "  paycrypt KMS Encrypt (256 B)      : not available in this build"
  fi
  printf '  ratio paycrypt EncryptData / moto KMS Encrypt: %s\n' "$(ratio "$best_ed" "$moto")"
  printf '  ratio paycrypt KMS Encrypt / moto KMS Encrypt: %s   (goal >= 20x)\n' "$(ratio "$pckms" "$moto")"
} | tee -a "$LOG"
if grep -q '^RESULT .* errors=[1-9]' "$LOG"; then
  echo "!!! SOME RUNS HAD ERRORS: see $LOG !!!" | tee -a "$LOG"
  exit 1
fi
