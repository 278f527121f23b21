#!/usr/bin/env bash
# paycrypt's SQL functions against `paycrypt batch` on the same whole files (issue 18), in one run:
#   a. `paycrypt batch re-encrypt-data` on the CSV, every core (the reference output);
#   b. `paycrypt-sql`: COPY (SELECT ..., re_encrypt_data(...) AS data ...) over the Parquet input, to Parquet;
#   c. `paycrypt-sql`: the same SELECT over the CSV input, to Parquet (the input format's share), and
#      csv->csv (what batch does);
#   d. Ballista on loopback: one scheduler and 1 executor (--concurrent-tasks 2), then 2 executors
#      (--concurrent-tasks 1 each: 2 task slots in all, as many as the cores, as with 1 executor; 2 x 2
#      would run 4 tasks at once on 2 cores), each executor over its own copy of the key store;
#      `paycrypt-ballista sql -o out.parquet` with the same SELECT over the Parquet input (the client plans
#      with Ballista's 16 target partitions: 16 tasks); the details give the executors' peak RSS and CPU
#      seconds, and the job's time on the executors from the scheduler's log (the rest of the client's
#      wall time is fetching the results over Flight, one partition after the other, and writing them);
#   plus two diagnostics that write no rows (SELECT count(*) ... WHERE re_encrypt_data(...) IS NOT NULL):
#      paycrypt-sql over Parquet, and Ballista with 1 executor: the functions' and the scan's share without
#      the output (for Ballista: without the shuffle files and the Flight transfer to the client).
# The kinds: aes-dukpt (AES DUKPT, TERMINALS terminals, -> AES-128-CBC) and aes (AES-128-CBC -> AES-256-CBC),
# the files and jobs of `paycrypt batch generate` (the same as benches/batch.sh's). The SQL call is built
# from the job's request file: each `{col}` placeholder becomes the column, in concat(...).
#
# Each run: wall time of the process (start-up included; for Ballista the client's, the cluster already
# up), rows/s = RECORDS / wall, peak RSS (/usr/bin/time; for Ballista also the executors' VmHWM and CPU
# seconds, read from /proc before they are stopped). Each run is checked: it exits 0, its output has
# RECORDS rows, RECORDS distinct ids, and the `data` of every id equals batch's output (a paycrypt-sql
# join); batch's own output must reject nothing and decrypt back to the `plain` column. A run that fails
# its check is marked in the table. Prints a markdown table and writes it to $OUT/results.md.
#
#   bash benches/datafusion.sh                   # RECORDS=10000000 (CSV 1.1-1.3 GB a kind)
#   RECORDS=20000 bash benches/datafusion.sh     # a smoke run
# Knobs: RECORDS, KINDS ("aes-dukpt aes"), TERMINALS (1000), SKIP_BALLISTA (1 skips d), INPUT_DIR (where to
# look for cached CSVs of benches/batch.sh, e.g. target/batch-bench; default: $OUT), PORT_BASE (50150: the
# scheduler; executors on the next four ports), BUILD (0: take the release binaries already in
# $CARGO_TARGET_DIR/release as they are, e.g. while another cargo build holds the lock).
#
# Everything goes under ${CARGO_TARGET_DIR:-target}/datafusion-bench ($OUT): binaries copied there (so that
# a build elsewhere cannot swap them mid-run), the generated CSV and its Parquet copy (cached, by kind,
# records and terminals; made once), one output at a time. The Parquet input is paycrypt-sql's
# `COPY (SELECT * FROM csv) TO 'x.parquet' STORED AS PARQUET` with DataFusion's defaults: one file, row
# groups of 1,048,576 rows (10 at 10M rows: ~560 MB), ZSTD; the report gives its file and row-group counts
# (pyarrow, in $CARGO_TARGET_DIR/venv). At 10M rows Ballista's shuffle files take ~3 GB while a cluster
# is up. Run it on a quiet machine: the load average is recorded with each run. The release builds are
# long on 2 cores (fat LTO: ~4 min for paycrypt, ~22 and ~26 more for paycrypt-sql and paycrypt-ballista).
set -euo pipefail
cd "$(dirname "$0")/.."

RECORDS=${RECORDS:-10000000}
KINDS=${KINDS:-"aes-dukpt aes"}
TERMINALS=${TERMINALS:-1000}
SKIP_BALLISTA=${SKIP_BALLISTA:-0}
PORT_BASE=${PORT_BASE:-50150}
BUILD=${BUILD:-1}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=$(mkdir -p "$TARGET/datafusion-bench" && cd "$TARGET/datafusion-bench" && pwd)
INPUT_DIR=${INPUT_DIR:-$OUT}
die() { echo "datafusion.sh: $*" >&2; exit 1; }

# ---- tools ----------------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  echo "== installing GNU time (peak RSS)" >&2
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
# pyarrow, only to count the Parquet input's row groups for the report.
venv=$TARGET/venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import pyarrow' 2>/dev/null ||
  "$venv/bin/pip" install --quiet --disable-pip-version-check pyarrow >&2 || echo "(no pyarrow: row groups not counted)" >&2

if [ "$BUILD" = 1 ]; then
  echo "== cargo build --release: paycrypt, paycrypt-sql, paycrypt-ballista" >&2
  cargo build --release --bin paycrypt >&2
  cargo build --release -p paycrypt-datafusion --bin paycrypt-sql >&2
  [ "$SKIP_BALLISTA" = 1 ] || cargo build --release -p paycrypt-ballista >&2
fi
mkdir -p "$OUT/bin"
cp "$TARGET/release/paycrypt" "$TARGET/release/paycrypt-sql" "$OUT/bin/"
[ "$SKIP_BALLISTA" = 1 ] || cp "$TARGET/release/paycrypt-ballista" "$OUT/bin/"
PAYCRYPT=$OUT/bin/paycrypt
SQL=$OUT/bin/paycrypt-sql
BALLISTA=$OUT/bin/paycrypt-ballista

# ---- helpers --------------------------------------------------------------------------------------
RESULTS=$OUT/results.tsv   # kind, run, records, seconds, rows/s, peak RSS KiB, extra, note, load, cpu s
: >"$RESULTS"
FACTS=$OUT/facts.txt       # the Parquet inputs, the cluster start-ups
: >"$FACTS"

now() { date +%s.%N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# timed PREFIX CMD...: runs CMD under /usr/bin/time; sets SECONDS_TAKEN, RSS_KIB, CPU_S (user + system
# seconds: CPU_S / SECONDS_TAKEN is how many cores it kept busy) and STATUS.
timed() {
  local prefix=$1
  shift
  local t0 t1
  t0=$(now)
  STATUS=0
  /usr/bin/time -f '%M %U %S' -o "$prefix.rss" "$@" >"$prefix.stdout" 2>"$prefix.stderr" || STATUS=$?
  t1=$(now)
  SECONDS_TAKEN=$(python3 -c "print(f'{$t1 - $t0:.3f}')")
  read -r RSS_KIB user sys < <(tail -n 1 "$prefix.rss")
  CPU_S=$(python3 -c "print(f'{$user + $sys:.1f}')")
}

record() { # kind run note [extra]
  local rate
  rate=$(python3 -c "print(f'{$RECORDS / $SECONDS_TAKEN:.0f}')")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$RECORDS" "$SECONDS_TAKEN" "$rate" "$RSS_KIB" "${4:-}" "$3" \
    "$(load)" >>"$RESULTS"
  sed -i '$ s/$/\t'"$CPU_S"'/' "$RESULTS"
  echo "   $1 $2: $RECORDS rows in ${SECONDS_TAKEN}s ($CPU_S cpu-s) = $rate rows/s, peak RSS $((RSS_KIB / 1024)) MiB ${4:+[$4] }${3:+($3)}" >&2
}

failed_note() { # prefix
  echo "FAILED (exit $STATUS: $(tail -c 300 "$1.stderr" | tr '\n\t|' '   '))"
}

# check_output KIND FILE FORMAT: the output's rows, distinct ids, and data per id against batch's output
# ($REF); prints an empty note when all agree.
check_output() {
  local file=$1 format=$2
  local res=$OUT/check.csv
  rm -f "$res"
  local ddl
  if [ "$format" = csv ]; then
    ddl="CREATE EXTERNAL TABLE a ($COLDEFS) STORED AS CSV LOCATION '$file' OPTIONS ('format.has_header' 'true');"
  else
    ddl="CREATE EXTERNAL TABLE a STORED AS PARQUET LOCATION '$file';"
  fi
  if ! "$SQL" --data-dir "$OUT/store-check" -c "$ddl
    CREATE EXTERNAL TABLE b ($COLDEFS) STORED AS CSV LOCATION '$REF' OPTIONS ('format.has_header' 'true');
    COPY (SELECT (SELECT count(*) FROM a) AS output_rows, count(*) AS joined, count(DISTINCT a.id) AS ids,
                 sum(CASE WHEN a.data = b.data THEN 0 ELSE 1 END) AS differ
          FROM a JOIN b ON CAST(a.id AS VARCHAR) = b.id) TO '$res' STORED AS CSV" >"$OUT/check.stdout" 2>"$OUT/check.stderr"; then
    echo "CHECK FAILED TO RUN ($(tail -c 200 "$OUT/check.stderr" | tr '\n\t|' '   '))"
    return
  fi
  python3 - "$res" "$RECORDS" <<'PY'
import csv, sys
row = next(csv.DictReader(open(sys.argv[1])))
n = int(sys.argv[2])
bad = []
for k in ("output_rows", "joined", "ids"):
    if int(row[k] or 0) != n:
        bad.append(f"{k}={row[k]}")
if int(row["differ"] or 0) != 0:
    bad.append(f"{row['differ']} ids differ from batch")
if bad:
    print("CHECK FAILED: " + ", ".join(bad) + f" (want {n})")
PY
}

# The processes this script started (Ballista), stopped at exit whatever happens.
PIDS=()
stop_all() {
  local i
  # Executors first (they were started after the scheduler), then the scheduler.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[i]}" 2>/dev/null || true; done
  for i in "${PIDS[@]}"; do wait "$i" 2>/dev/null || true; done
  PIDS=()
  rm -rf "$OUT"/work-e*   # the shuffle files (Arrow IPC): GBs at 10M rows
}
trap stop_all EXIT

# proc_stats PID: "VmHWM-KiB cpu-seconds" of a running process.
proc_stats() {
  local hwm ticks
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$1/status")
  ticks=$(awk '{print $14 + $15}' "/proc/$1/stat")
  echo "$hwm $(python3 -c "print(f'{$ticks / $(getconf CLK_TCK):.1f}')")"
}

# cluster N CONCURRENT LOG: a scheduler and N executors (each over its own copy of the store), up and
# registered, logging to LOG-scheduler.log, LOG-e1.log...; sets CLUSTER_PIDS (scheduler first),
# SCHEDULER and CLUSTER_LOG.
cluster() {
  local n=$1 conc=$2 log=$3 i t0
  t0=$(now)
  CLUSTER_PIDS=()
  CLUSTER_LOG=$log
  "$BALLISTA" scheduler --port "$PORT_BASE" --executor-timeout 30 >"$log-scheduler.log" 2>&1 &
  PIDS+=($!); CLUSTER_PIDS+=($!)
  for i in $(seq 1 "$n"); do
    rm -rf "$OUT/work-e$i"; mkdir -p "$OUT/work-e$i"
    "$BALLISTA" executor --data-dir "$OUT/store-e$i" --port $((PORT_BASE + 2 * i - 1)) --grpc-port $((PORT_BASE + 2 * i)) \
      --scheduler-port "$PORT_BASE" --concurrent-tasks "$conc" --work-dir "$OUT/work-e$i" >"$log-e$i.log" 2>&1 &
    PIDS+=($!); CLUSTER_PIDS+=($!)
  done
  SCHEDULER=df://localhost:$PORT_BASE
  # Up when the scheduler has registered every executor.
  for _ in $(seq 1 300); do
    if [ "$(grep -ci 'register.*executor\|executor.*register' "$log-scheduler.log" || true)" -ge "$n" ]; then
      echo "cluster of $n executor(s) x $conc task(s): registered in $(python3 -c "print(f'{$(now) - $t0:.2f}')") s" >>"$FACTS"
      return 0
    fi
    for i in "${CLUSTER_PIDS[@]}"; do kill -0 "$i" 2>/dev/null || die "a Ballista process exited: see $log-*.log"; done
    sleep 0.2
  done
  die "the executors did not register within 60 s: see $log-*.log"
}

# ---- runs -----------------------------------------------------------------------------------------
echo "# datafusion.sh: $(date -u +%FT%TZ), $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), load $(load)" >&2
for kind in $KINDS; do
  case $kind in
    aes|tdes) name="$kind-$RECORDS" ;;
    aes-dukpt|tdes-dukpt) name="$kind-$RECORDS-t$TERMINALS" ;;
    *) die "unknown kind $kind" ;;
  esac
  # The CSV: batch.sh's cached one if INPUT_DIR has it (finished: the .done marker), else generated here.
  if [ -f "$INPUT_DIR/$name.csv.done" ]; then
    src=$INPUT_DIR
  else
    src=$OUT
    if [ ! -f "$OUT/$name.csv.done" ]; then
      echo "== generating $OUT/$name.csv" >&2
      "$PAYCRYPT" batch generate --kind "$kind" --records "$RECORDS" --terminals "$TERMINALS" --seed 1 \
        --output "$OUT/$name.csv" --seed-file "$OUT/$name.seed.json" --request-file "$OUT/$name.job.json" >/dev/null
      touch "$OUT/$name.csv.done"
    fi
  fi
  input=$src/$name.csv
  job=$src/$name.job.json
  # Every store holds the same keys: one per process that may run at once (a store is locked).
  for s in check main e1 e2; do
    rm -rf "$OUT/store-$s"
    "$PAYCRYPT" --data-dir "$OUT/store-$s" seed "$src/$name.seed.json" >/dev/null
  done
  STORE=$OUT/store-main

  # The columns (all VARCHAR: hex like 0123 must stay text) and the SQL call from the job's request.
  header=$(head -n 1 "$input")
  COLDEFS=$(echo "$header" | sed 's/,/ VARCHAR, /g; s/$/ VARCHAR/')
  # $OUT/sql.select: the SELECT over table t (batch's columns, `data` replaced by re_encrypt_data of the
  # job); $OUT/sql.decrypt: decrypt_data of `data` with the job's outgoing key and attributes.
  python3 - "$job" "$header" "$OUT/sql" <<'PY'
import json, re, sys
job, columns, out = json.load(open(sys.argv[1])), sys.argv[2].split(","), sys.argv[3]
def sql(value):
    # A member as SQL: a literal, or concat('...', col, '...') around each {col} placeholder.
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    parts = []
    for i, piece in enumerate(re.split(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", text)):
        if i % 2:
            parts.append(piece)
        elif piece:
            parts.append("'" + piece.replace("'", "''") + "'")
    return parts[0] if len(parts) == 1 else "concat(" + ", ".join(parts) + ")"
members = ["IncomingKeyIdentifier", "IncomingEncryptionAttributes", "OutgoingKeyIdentifier",
           "OutgoingEncryptionAttributes", "CipherText"]
call = "re_encrypt_data(" + ", ".join(sql(job[m]) for m in members) + ")"
select = ", ".join(f"{call} AS data" if c == "data" else c for c in columns)
open(out + ".select", "w").write(f"SELECT {select} FROM t")
open(out + ".decrypt", "w").write(
    f"decrypt_data({sql(job['OutgoingKeyIdentifier'])}, {sql(job['OutgoingEncryptionAttributes'])}, data)")
PY
  SELECT=$(cat "$OUT/sql.select")
  DECRYPT=$(cat "$OUT/sql.decrypt")
  echo "== $kind: $RECORDS rows; $SELECT" >&2
  echo "$kind SQL: $SELECT" >>"$FACTS"

  # The Parquet input, made once from the CSV.
  parquet=$OUT/$name.parquet
  if [ ! -f "$parquet.done" ]; then
    rm -rf "$parquet"
    echo "== converting $input to $parquet" >&2
    timed "$OUT/convert" "$SQL" --data-dir "$OUT/store-check" -c "
      CREATE EXTERNAL TABLE c ($COLDEFS) STORED AS CSV LOCATION '$input' OPTIONS ('format.has_header' 'true');
      COPY (SELECT * FROM c) TO '$parquet' STORED AS PARQUET"
    [ "$STATUS" -eq 0 ] || die "conversion failed: $(cat "$OUT/convert.stderr")"
    echo "$name.parquet made in ${SECONDS_TAKEN}s" >>"$FACTS"
    touch "$parquet.done"
  fi
  {
    printf '%s: CSV %s bytes; Parquet: %s, %s bytes' "$name" "$(stat -c %s "$input")" \
      "$([ -d "$parquet" ] && echo "a directory of $(find "$parquet" -name '*.parquet' | wc -l) files" || echo "one file")" \
      "$(du -sb "$parquet" | cut -f1)"
    "$venv/bin/python" - "$parquet" <<'PY' || echo
import glob, os, sys
import pyarrow.parquet as pq
p = sys.argv[1]
files = sorted(glob.glob(os.path.join(p, "**", "*.parquet"), recursive=True)) if os.path.isdir(p) else [p]
groups = [pq.ParquetFile(f).metadata for f in files]
sizes = [m.row_group(i).num_rows for m in groups for i in range(m.num_row_groups)]
col = groups[0].row_group(0).column(0)
print(f", {len(sizes)} row groups (rows: {min(sizes)}..{max(sizes)}), compression {col.compression}")
PY
  } >>"$FACTS"
  tail -n 1 "$FACTS" >&2

  # a. batch, every core: the reference output.
  REF=$OUT/$kind.batch.csv
  rm -f "$REF" "$REF".paycrypt-* "$REF.rejects.jsonl"
  timed "$OUT/run" "$PAYCRYPT" --data-dir "$STORE" batch re-encrypt-data --input "$input" --output "$REF" \
    --request "file://$job" --result data=CipherText --quiet
  note=""
  if [ "$STATUS" -ne 0 ]; then
    note=$(failed_note "$OUT/run")
  elif ! python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(s["Rejected"] != 0 or s["Records"] != int(sys.argv[2]))' \
      "$OUT/run.stdout" "$RECORDS"; then
    note="REJECTS: $(tr -d '\n\t ' <"$OUT/run.stdout")"
  else
    # The reference itself: every data decrypts (outgoing key and attributes) back to the known plain.
    rm -f "$OUT/check.csv"
    if "$SQL" --data-dir "$OUT/store-check" -c "
        CREATE EXTERNAL TABLE b ($COLDEFS) STORED AS CSV LOCATION '$REF' OPTIONS ('format.has_header' 'true');
        COPY (SELECT count(*) AS n, sum(CASE WHEN $DECRYPT = plain THEN 0 ELSE 1 END) AS wrong FROM b)
          TO '$OUT/check.csv' STORED AS CSV" >"$OUT/check.stdout" 2>"$OUT/check.stderr"; then
      got=$(tail -n 1 "$OUT/check.csv")
      [ "$got" = "$RECORDS,0" ] || note="CHECK FAILED: rows,wrong = $got"
    else
      note="CHECK FAILED TO RUN ($(tail -c 200 "$OUT/check.stderr" | tr '\n\t|' '   '))"
    fi
  fi
  record "$kind" "a. paycrypt batch, CSV -> CSV" "$note" "decrypts back to plain: $([ -z "$note" ] && echo yes || echo no)"
  [ -z "$note" ] || { echo "   the reference failed: the SQL runs cannot be checked" >&2; }

  # b, c. paycrypt-sql, every core (DataFusion's target_partitions = cores).
  sql_run() { # label input-ddl output format
    local label=$1 ddl=$2 output=$3 format=$4
    rm -rf "$output"
    timed "$OUT/run" "$SQL" --data-dir "$STORE" -c "$ddl; COPY ($SELECT) TO '$output' STORED AS ${format^^}"
    local note=""
    if [ "$STATUS" -ne 0 ]; then note=$(failed_note "$OUT/run"); else note=$(check_output "$output" "$format"); fi
    local files
    files=$([ -d "$output" ] && echo "$(find "$output" -type f | wc -l) files" || echo "1 file")
    record "$kind" "$label" "$note" "$files"
    rm -rf "$output"
  }
  pq_ddl="CREATE EXTERNAL TABLE t STORED AS PARQUET LOCATION '$parquet'"
  csv_ddl="CREATE EXTERNAL TABLE t ($COLDEFS) STORED AS CSV LOCATION '$input' OPTIONS ('format.has_header' 'true')"
  sql_run "b. paycrypt-sql, Parquet -> Parquet" "$pq_ddl" "$OUT/$kind.sql-pq.parquet" parquet
  sql_run "c. paycrypt-sql, CSV -> Parquet" "$csv_ddl" "$OUT/$kind.sql-csv.parquet" parquet
  sql_run "c'. paycrypt-sql, CSV -> CSV" "$csv_ddl" "$OUT/$kind.sql-csv.csv" csv

  # Diagnostic: the functions over the Parquet scan, no output written.
  count_sql="SELECT count(*) AS n FROM ($SELECT) WHERE data IS NOT NULL"
  timed "$OUT/run" "$SQL" --data-dir "$STORE" -c "$pq_ddl; $count_sql"
  note=""
  if [ "$STATUS" -ne 0 ]; then note=$(failed_note "$OUT/run")
  elif ! grep -qw "$RECORDS" "$OUT/run.stdout"; then note="CHECK FAILED: count $(tr -d '\n' <"$OUT/run.stdout")"; fi
  record "$kind" "(diag) paycrypt-sql, Parquet -> count(*) only" "$note"

  # d. Ballista on loopback.
  if [ "$SKIP_BALLISTA" != 1 ]; then
    ballista_run() { # label output|"" (count only)
      local label=$1 output=$2 note="" extra
      rm -f "$output"
      if [ -n "$output" ]; then
        timed "$OUT/run" "$BALLISTA" sql --scheduler "$SCHEDULER" -c "$pq_ddl; $SELECT" -o "$output"
      else
        timed "$OUT/run" "$BALLISTA" sql --scheduler "$SCHEDULER" -c "$pq_ddl; $count_sql"
      fi
      if [ "$STATUS" -ne 0 ]; then note=$(failed_note "$OUT/run")
      elif [ -n "$output" ]; then note=$(check_output "$output" parquet)
      elif ! grep -qw "$RECORDS" "$OUT/run.stdout"; then note="CHECK FAILED: count $(tr -d '\n' <"$OUT/run.stdout")"; fi
      extra="client $((RSS_KIB / 1024)) MiB"
      local i=0 p s
      for p in "${CLUSTER_PIDS[@]}"; do
        s=($(proc_stats "$p"))
        if [ $i -eq 0 ]; then extra="$extra; scheduler $((s[0] / 1024)) MiB ${s[1]} cpu-s"
        else extra="$extra; executor $i $((s[0] / 1024)) MiB ${s[1]} cpu-s"; fi
        i=$((i + 1))
      done
      extra="$extra; client: $(grep -o 'statement 2 of 2: .*' "$OUT/run.stderr" | sed 's/statement 2 of 2: //')"
      # The job on the executors (queued to finished, as the scheduler logs it, to the second); the rest of
      # the client's time is planning, and fetching the results over Flight (one partition after the
      # other, once the job is done) and writing them.
      extra="$extra; job on the executors: $(python3 - "$CLUSTER_LOG-scheduler.log" <<'PY'
import re, sys
from datetime import datetime
times = {}
for line in open(sys.argv[1]):
    m = re.match(r"\[(\S+Z) .*Job (queued|finished successfully)", line)
    if m:
        times.setdefault(m.group(2), datetime.fromisoformat(m.group(1).replace("Z", "+00:00")))
print(f"{(times['finished successfully'] - times['queued']).total_seconds():.0f} s (1 s resolution)"
      if len(times) == 2 else "? (not in the scheduler log)")
PY
)"
      record "$kind" "$label" "$note" "$extra"
      rm -f "$output"
    }
    # The client plans with Ballista's 16 target partitions: 16 tasks over the Parquet file's byte ranges.
    cluster 1 2 "$OUT/ballista-$kind-1x2"
    ballista_run "d. Ballista, 1 executor x 2 tasks, Parquet -> Parquet (client)" "$OUT/$kind.ballista1.parquet"
    stop_all
    cluster 1 2 "$OUT/ballista-$kind-1x2-count"
    ballista_run "(diag) Ballista, 1 executor x 2 tasks, Parquet -> count(*) only" ""
    stop_all
    cluster 2 1 "$OUT/ballista-$kind-2x1"
    ballista_run "d. Ballista, 2 executors x 1 task, Parquet -> Parquet (client)" "$OUT/$kind.ballista2.parquet"
    stop_all
  fi
  rm -f "$REF"
done

# ---- table ----------------------------------------------------------------------------------------
python3 - "$RESULTS" "$OUT/results.md" "$RECORDS" "$TERMINALS" "$FACTS" <<'PY'
import os, sys
from datetime import datetime, timezone

results, md, records, terminals, facts = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
rows = [line.rstrip("\n").split("\t") for line in open(results) if line.strip()]
labels = {
    "aes": "AES-128-CBC -> AES-256-CBC",
    "tdes": "TDES 2-key -> 3-key CBC",
    "aes-dukpt": f"AES DUKPT ({terminals} terminals) -> AES-128-CBC",
    "tdes-dukpt": f"TDES DUKPT ({terminals} terminals) -> TDES 2-key CBC",
}
batch = {r[0]: float(r[4]) for r in rows if r[1].startswith("a.") and not r[7]}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
out = [
    f"# paycrypt batch vs paycrypt-sql vs paycrypt-ballista ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)",
    "",
    f"{os.cpu_count()} cores ({cpu}); {records:,} rows a file; release builds; rows/s = rows / wall time of "
    "the whole process (Ballista: the client's, the cluster already up). Every output is checked against "
    "batch's (rows, distinct ids, `data` per id); batch's output decrypts back to the known plaintexts. "
    "cpu s = user + system seconds of the process (Ballista: the client's; the executors' are in details). "
    "load = the 1/5/15-minute load averages right after the run.",
    "",
    "| job | run | rows | wall s | cpu s | rows/s | vs batch | peak RSS MiB | load | details | note |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
]
for kind, run, n, secs, rate, rss, extra, note, load, cpu in rows:
    if note.startswith("FAILED"):
        rate = "0"  # a run that failed measured nothing
    ratio = f"{float(rate) / batch[kind]:.2f}x" if kind in batch and not note else ""
    out.append(f"| {labels[kind]} | {run} | {int(n):,} | {float(secs):.2f} | {cpu} | {int(rate):,} | {ratio} | "
               f"{int(rss) / 1024:.1f} | {load} | {extra} | {note} |")
out += ["", "Inputs and clusters:", ""] + [f"- {l.rstrip()}" for l in open(facts) if l.strip()]
text = "\n".join(out) + "\n"
open(md, "w").write(text)
print(text)
PY
echo "written to $OUT/results.md" >&2
if grep -qP '\t(FAILED|CHECK FAILED|REJECTS)' "$RESULTS"; then
  die "some runs failed (see the note column)"
fi
