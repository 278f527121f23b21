#!/usr/bin/env bash
# `paycrypt batch re-encrypt-data` on whole files (the batch issue's measurement), against the Python a
# user would write instead (benches/peers/batch_python.py), in one run:
#   - aes:        AES-128-CBC -> AES-256-CBC of a 16-byte field, CSV, --threads 1 and 2 (scaling);
#   - aes-dukpt:  AES DUKPT (AES-128 BDK, TERMINALS terminals interleaved) -> AES-128-CBC, threads 1 and 2;
#   - tdes-dukpt: TDES DUKPT (2-key BDK) -> a TDES 2-key zone key, threads 1 and 2;
#   - the Python peer on a prefix of the same files (single-threaded: the GIL).
# Each run: wall time, records/s (records / wall time, process start-up included) and peak RSS
# (/usr/bin/time). The peer's output must be byte for byte paycrypt's on the same records (CBC with the
# record's IV is deterministic), and paycrypt must reject no record; a run that fails either is
# marked in the table. Prints a markdown table and writes it to target/batch-bench/results.md.
#
#   bash benches/batch.sh                      # RECORDS=10000000 a file (about 1.1-1.3 GB each)
#   RECORDS=20000 bash benches/batch.sh        # a smoke run
# Knobs: RECORDS, TERMINALS (1000), THREADS ("1 2"), PEER_RECORDS (1000000, symmetric kind),
# PEER_DUKPT_RECORDS (100000: pydukpt and the hand-written AES DUKPT run ~1-7k records/s), KINDS.
#
# The generated files are cached under target/batch-bench/ (by kind, records and terminals): about
# 3.6 GB for the three 10M-record inputs, plus one output at a time. Run it on a quiet machine: the
# runs share the cores with whatever else runs, and the load average is recorded with each run.
set -euo pipefail
cd "$(dirname "$0")/.."

RECORDS=${RECORDS:-10000000}
TERMINALS=${TERMINALS:-1000}
THREADS=${THREADS:-"1 2"}
KINDS=${KINDS:-"aes aes-dukpt tdes-dukpt"}
PEER_RECORDS=${PEER_RECORDS:-1000000}
PEER_DUKPT_RECORDS=${PEER_DUKPT_RECORDS:-100000}
OUT=target/batch-bench
mkdir -p "$OUT"
die() { echo "batch.sh: $*" >&2; exit 1; }

# ---- tools ----------------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  echo "== installing GNU time (peak RSS)" >&2
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
venv=target/venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
# The peer needs pyca/cryptography and pydukpt, both in the interop requirements.
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/interop/requirements.txt
echo "== cargo build --release --bin paycrypt" >&2
cargo build --release --bin paycrypt >&2
# A copy, so that another build cannot swap the binary in the middle of the runs.
cp target/release/paycrypt "$OUT/paycrypt"
PAYCRYPT=$OUT/paycrypt

# ---- runs -----------------------------------------------------------------------------------------
RESULTS=$OUT/results.tsv   # kind, who, threads, records, seconds, records/s, peak RSS KiB, note, load
: >"$RESULTS"

now() { date +%s.%N; }
load() { cut -d' ' -f1 /proc/loadavg; }

# timed OUTFILE-PREFIX CMD...: runs CMD under /usr/bin/time; sets SECONDS_TAKEN, RSS_KIB and STATUS.
timed() {
  local prefix=$1
  shift
  local t0 t1
  t0=$(now)
  STATUS=0
  /usr/bin/time -f '%M' -o "$prefix.rss" "$@" >"$prefix.stdout" 2>"$prefix.stderr" || STATUS=$?
  t1=$(now)
  SECONDS_TAKEN=$(python3 -c "print(f'{$t1 - $t0:.3f}')")
  RSS_KIB=$(tail -n 1 "$prefix.rss")
}

record() { # kind who threads records note
  local rate
  rate=$(python3 -c "print(f'{$4 / $SECONDS_TAKEN:.0f}')")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$SECONDS_TAKEN" "$rate" "$RSS_KIB" "$5" "$(load)" \
    >>"$RESULTS"
  echo "   $1 $2 threads=$3: $4 records in ${SECONDS_TAKEN}s = $rate records/s, peak RSS $((RSS_KIB / 1024)) MiB ${5:+($5)}" >&2
}

echo "# batch.sh: $(date -u +%FT%TZ), $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for kind in $KINDS; do
  case $kind in
    aes|tdes) name="$kind-$RECORDS"; peer_n=$PEER_RECORDS ;;
    aes-dukpt|tdes-dukpt) name="$kind-$RECORDS-t$TERMINALS"; peer_n=$PEER_DUKPT_RECORDS ;;
    *) die "unknown kind $kind" ;;
  esac
  [ "$peer_n" -gt "$RECORDS" ] && peer_n=$RECORDS
  input=$OUT/$name.csv
  # A file is reused only once its generation finished (the .done marker).
  if [ ! -f "$input.done" ]; then
    echo "== generating $input" >&2
    "$PAYCRYPT" batch generate --kind "$kind" --records "$RECORDS" --terminals "$TERMINALS" --seed 1 \
      --output "$input" --seed-file "$OUT/$name.seed.json" --request-file "$OUT/$name.job.json" >/dev/null
    touch "$input.done"
  fi
  store=$OUT/store-$kind
  rm -rf "$store"
  "$PAYCRYPT" --data-dir "$store" seed "$OUT/$name.seed.json" >/dev/null
  output=$OUT/$kind.out.csv

  echo "== $kind: $RECORDS records" >&2
  for threads in $THREADS; do
    rm -f "$output" "$output".paycrypt-* "$output.rejects.jsonl"
    timed "$OUT/run" "$PAYCRYPT" --data-dir "$store" batch re-encrypt-data --input "$input" --output "$output" \
      --request "file://$OUT/$name.job.json" --result data=CipherText --threads "$threads" --quiet
    note=""
    if [ "$STATUS" -ne 0 ]; then
      note="FAILED (exit $STATUS: $(head -c 200 "$OUT/run.stderr" | tr '\n\t|' '   '))"
    elif ! python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(s["Rejected"] != 0 or s["Records"] != int(sys.argv[2]))' \
        "$OUT/run.stdout" "$RECORDS"; then
      note="REJECTS: $(tr -d '\n\t ' <"$OUT/run.stdout")"
    fi
    record "$kind" paycrypt "$threads" "$RECORDS" "$note"
  done

  # The peer on the first peer_n records, checked against paycrypt's last output.
  peer_out=$OUT/$kind.python.csv
  timed "$OUT/peer" "$venv/bin/python" benches/peers/batch_python.py --kind "$kind" --input "$input" \
    --seed-file "$OUT/$name.seed.json" --output "$peer_out" --records "$peer_n"
  note=""
  if [ "$STATUS" -ne 0 ]; then
    note="FAILED (exit $STATUS: $(tail -c 200 "$OUT/peer.stderr" | tr '\n\t|' '   '))"
  elif ! head -n $((peer_n + 1)) "$output" | cmp -s - "$peer_out"; then
    note="OUTPUT DIFFERS from paycrypt's"
  fi
  record "$kind" python 1 "$peer_n" "$note"
  rm -f "$output" "$peer_out"
done

# ---- table ----------------------------------------------------------------------------------------
python3 - "$RESULTS" "$OUT/results.md" "$RECORDS" "$TERMINALS" <<'PY'
import os, subprocess, sys
from datetime import datetime, timezone

results, md, records, terminals = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rows = [line.rstrip("\n").split("\t") for line in open(results) if line.strip()]
peer = {r[0]: float(r[5]) for r in rows if r[1] == "python" and not r[7]}
labels = {
    "aes": "AES-128-CBC -> AES-256-CBC",
    "tdes": "TDES 2-key -> 3-key CBC",
    "aes-dukpt": f"AES DUKPT ({terminals} terminals) -> AES-128-CBC",
    "tdes-dukpt": f"TDES DUKPT ({terminals} terminals) -> TDES 2-key CBC",
}
peers = {
    "aes": "csv + pyca/cryptography",
    "tdes": "csv + pyca/cryptography",
    "aes-dukpt": "csv + pyca, X9.24-3 written by hand (no PyPI package)",
    "tdes-dukpt": "csv + pydukpt + pyca",
}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
out = [
    f"# paycrypt batch re-encrypt-data ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)",
    "",
    f"{os.cpu_count()} cores ({cpu}); {records:,} records a file (CSV, 16-byte field); release build; "
    "records/s = records / wall time of the whole process; the Python peer runs on a prefix of the same file, "
    "single-threaded, and its output is checked byte for byte against paycrypt's.",
    "",
    "| job | program | threads | records | wall s | records/s | peak RSS MiB | paycrypt / Python | load | note |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
]
for kind, who, threads, n, secs, rate, rss, note, load in rows:
    program = "paycrypt" if who == "paycrypt" else f"Python ({peers[kind]})"
    ratio = ""
    if who == "paycrypt" and kind in peer and not note:
        ratio = f"{float(rate) / peer[kind]:.1f}x"
    elif who == "python" and not note:
        ratio = "1.0x"
    if note.startswith("FAILED"):
        rate = "0"  # a run that failed measured nothing
    out.append(f"| {labels[kind]} | {program} | {threads} | {int(n):,} | {float(secs):.2f} | {int(rate):,} | "
               f"{int(rss) / 1024:.1f} | {ratio} | {load} | {note} |")
# Scaling: records/s at the highest thread count over one thread.
scaling = []
for kind in dict.fromkeys(r[0] for r in rows):
    runs = {int(r[2]): float(r[5]) for r in rows if r[0] == kind and r[1] == "paycrypt" and not r[7]}
    if 1 in runs and len(runs) > 1:
        top = max(runs)
        scaling.append(f"- {labels[kind]}: {top} threads give {runs[top] / runs[1]:.2f}x one thread's records/s")
if scaling:
    out += ["", "Scaling:", ""] + scaling
text = "\n".join(out) + "\n"
open(md, "w").write(text)
print(text)
PY
echo "written to $OUT/results.md" >&2
if grep -qP '\t(FAILED|REJECTS|OUTPUT DIFFERS)' "$RESULTS"; then
  die "some runs failed (see the note column)"
fi
