#!/usr/bin/env python3
"""Interop: `paycrypt-sql` (the DataFusion functions) on whole files, every output record checked by an
independent implementation, and against `paycrypt batch` on the same file and job.

- For each kind of `paycrypt batch generate` (aes, tdes, aes-dukpt, tdes-dukpt): a file of SQL_RECORDS
  records (default 20,000), its keys seeded into a fresh --data-dir. `paycrypt-sql` reads the CSV as an
  external table and writes `re_encrypt_data(...)` of every record, the call built from the generated
  job's request, with COPY to Parquet and to CSV. The Parquet file is read with pyarrow and the CSV with
  the csv module; EVERY record of both is decrypted with pycryptodome under the outgoing key of the seed
  file (CBC, the record's iv) and compared with its `plain`; the other columns must come through
  unchanged. `paycrypt batch re-encrypt-data` runs the same job on the same file: the SQL CSV (ordered
  by id) must equal its output byte for byte.
- `dukpt_derive_key` over the DUKPT files' KSNs and BDK, a sample of DUKPT_SAMPLE records (default 300)
  per kind, against `pydukpt` (TDES, every usage) and the X9.24-3 model of test_dukpt.py (AES).
- KMS: a CSV of random base64 plaintexts (KMS_RECORDS, default 5,000) through `kms_encrypt` with an
  encryption context built from the id, `kms_re_encrypt` to a second key and context, then
  `kms_decrypt`: every record must come back as it went in, and every blob of both keys must open with
  pyca/cryptography's AESGCM given the seeded key (the blob layout test_kms_local.py checks).
- A `try_` form writing rejects: `try_re_encrypt_data` over part of the aes file with a missing key for
  every 97th record; the rejects (to CSV) must be exactly those records, each a
  ResourceNotFoundException, and the rest must decrypt as above.

Counts one check per record checked (plus one per file comparison). Prints `sql: N passed, M failed` and
exits non-zero on any failure.

    PAYCRYPT_BIN=$PWD/target/debug/paycrypt PAYCRYPT_SQL_BIN=$PWD/target/debug/paycrypt-sql \\
        target/venv/bin/python tests/interop/test_sql.py
    SQL_RECORDS=2000 ...   # a quick run
"""
import base64
import csv
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import pyarrow.parquet as pq
import pydukpt
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# Shared with the other interop scripts of this folder, each checked against paycrypt there: the outgoing
# key's cipher, the AES DUKPT model and the TDES usages of pydukpt, KMS's encoding of a context.
from test_batch import block_cipher, seeded_keys
from test_dukpt import TDES_USAGES, aes_model
from test_kms_local import context_bytes

BIN = os.environ.get("PAYCRYPT_BIN", "target/debug/paycrypt")
SQL_BIN = os.environ.get("PAYCRYPT_SQL_BIN", "target/debug/paycrypt-sql")
RNG = random.Random(int(os.environ.get("INTEROP_SEED", "0")) or None)
RECORDS = int(os.environ.get("SQL_RECORDS", "20000"))
DUKPT_SAMPLE = int(os.environ.get("DUKPT_SAMPLE", "300"))
KMS_RECORDS = min(RECORDS, int(os.environ.get("KMS_RECORDS", "5000")))
TRY_RECORDS = min(RECORDS, 2000)
TERMINALS = 1000
REGION, ACCOUNT = "us-east-1", "111122223333"
ENV = dict(os.environ, PAYCRYPT_REGION=REGION, PAYCRYPT_ACCOUNT_ID=ACCOUNT)
ENV.pop("PAYCRYPT_DATA_DIR", None)
KINDS = ["aes", "tdes", "aes-dukpt", "tdes-dukpt"]
passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        if failed <= 20:
            print("FAILED", what)
        elif failed == 21:
            print("(further failures not printed)")


def run(binary, *args):
    p = subprocess.run([binary, *args], capture_output=True, text=True, env=ENV)
    if p.returncode != 0:
        name = os.path.basename(binary)
        raise RuntimeError(f"{name} {' '.join(args[:4])} exited {p.returncode}: {p.stderr.strip()[-2000:]}")
    return p.stdout


def paycrypt(*args):
    return run(BIN, *args)


def sql(store, script):
    """Runs a SQL script with paycrypt-sql over `store`; prints its timing lines."""
    start = time.perf_counter()
    out = run(SQL_BIN, "--data-dir", store, "-c", script)
    print(f"  paycrypt-sql: {time.perf_counter() - start:.1f} s")
    return out


def quote(text):
    return "'" + text.replace("'", "''") + "'"


def sql_text(template):
    """A job template string (`{iv}`, `{"Dukpt":{"KeySerialNumber":"{ksn}",...}}`) as a SQL expression:
    literals quoted, placeholders as columns, joined with ||."""
    parts, last = [], 0
    for m in re.finditer(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", template):
        if m.start() > last:
            parts.append(quote(template[last:m.start()]))
        parts.append(m.group(1))
        last = m.end()
    if last < len(template):
        parts.append(quote(template[last:]))
    return " || ".join(parts)


def member(request, name):
    value = request[name]
    return sql_text(value if isinstance(value, str) else json.dumps(value, separators=(",", ":")))


def re_encrypt_call(function, request, incoming=None):
    """The job's ReEncryptData request as a call of `function`, arguments in the request's order."""
    return (f"{function}({incoming or member(request, 'IncomingKeyIdentifier')}, "
            f"{member(request, 'IncomingEncryptionAttributes')}, {member(request, 'OutgoingKeyIdentifier')}, "
            f"{member(request, 'OutgoingEncryptionAttributes')}, {member(request, 'CipherText')})")


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def read_parquet(path):
    table = pq.read_table(path)
    columns = table.column_names
    return [dict(zip(columns, row)) for row in zip(*(table.column(c).to_pylist() for c in columns))]


def check_records(label, before, after, out_key):
    """`after` is `before` (in the same order) with only `data` re-encrypted: under `out_key` in CBC with
    the record's iv it decrypts to `plain`."""
    check(len(after) == len(before), f"{label}: {len(after)} records out for {len(before)} in")
    algorithm, key = out_key
    for i, (a, b) in enumerate(zip(before, after)):
        same = list(b) == list(a) and all(b[c] == a[c] for c in a if c != "data")
        try:
            plain = block_cipher(algorithm, key, bytes.fromhex(b["iv"])).decrypt(bytes.fromhex(b["data"]))
        except (ValueError, TypeError) as e:
            plain = f"{e}"
        check(same and plain == bytes.fromhex(a["plain"]) and b["data"] != a["data"],
              f"{label} record {i}: in {a}, out {b}")


def create_table(path, columns):
    cols = ", ".join(f"{c} VARCHAR" for c in columns)
    return (f"CREATE EXTERNAL TABLE t ({cols}) STORED AS CSV LOCATION {quote(path)} "
            "OPTIONS ('format.has_header' 'true');\n")


def kind_job(tmp, kind, seed):
    """Generates and seeds a file of `kind`, re-encrypts it with paycrypt-sql and with paycrypt batch,
    and checks both SQL outputs record by record and the CSV against batch byte by byte."""
    d = os.path.join(tmp, kind)
    os.makedirs(d)
    store, inp = os.path.join(d, "store"), os.path.join(d, "in.csv")
    seed_file, job = os.path.join(d, "seed.json"), os.path.join(d, "job.json")
    paycrypt("batch", "generate", "--kind", kind, "--records", str(RECORDS), "--terminals", str(TERMINALS),
             "--seed", str(seed), "--output", inp, "--seed-file", seed_file, "--request-file", job)
    paycrypt("--data-dir", store, "seed", seed_file)
    keys = seeded_keys(seed_file)
    with open(job) as f:
        request = json.load(f)
    before = read_csv(inp)
    columns = list(before[0])

    # The SQL side: Parquet and CSV, each from its own run of the function, ordered as the input.
    parquet_out, csv_out = os.path.join(d, "sql.parquet"), os.path.join(d, "sql.csv")
    select = (f"SELECT {', '.join(c for c in columns if c != 'data')}, "
              f"{re_encrypt_call('re_encrypt_data', request)} AS data FROM t ORDER BY CAST(id AS BIGINT)")
    print(f"{kind}: {RECORDS} records (seed {seed})")
    sql(store, create_table(inp, columns) +
        f"COPY ({select}) TO {quote(parquet_out)} STORED AS PARQUET;\n"
        f"COPY ({select}) TO {quote(csv_out)} STORED AS CSV OPTIONS ('format.has_header' 'true');")
    check_records(f"{kind} parquet", before, read_parquet(parquet_out), keys["alias/batch-out"])
    check_records(f"{kind} csv", before, read_csv(csv_out), keys["alias/batch-out"])

    # The same job through paycrypt batch: the same bytes.
    batch_out = os.path.join(d, "batch.csv")
    start = time.perf_counter()
    summary = json.loads(paycrypt("--data-dir", store, "batch", "re-encrypt-data", "--input", inp,
                                  "--output", batch_out, "--request", f"file://{job}",
                                  "--result", "data=CipherText", "--quiet"))
    print(f"  paycrypt batch: {time.perf_counter() - start:.1f} s")
    check(summary["Succeeded"] == RECORDS and summary["Rejected"] == 0, f"{kind} batch summary {summary}")
    with open(batch_out, "rb") as a, open(csv_out, "rb") as b:
        check(a.read() == b.read(), f"{kind}: paycrypt-sql's CSV differs from paycrypt batch's ({csv_out}, {batch_out})")

    if kind.endswith("dukpt"):
        dukpt_derive(d, store, kind, keys["alias/batch-bdk"][1], before)
    return store, inp, request, keys, columns


def dukpt_derive(d, store, kind, bdk, records):
    """dukpt_derive_key on a sample of the file's KSNs, every usage, against pydukpt or the AES model."""
    sample = RNG.sample(records, min(DUKPT_SAMPLE, len(records)))
    usages = list(TDES_USAGES) if kind == "tdes-dukpt" else ["DATA_BOTH", "MAC_GENERATION", "PIN_ENCRYPTION"]
    ksn_path, out = os.path.join(d, "ksn.csv"), os.path.join(d, "derived.parquet")
    with open(ksn_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["ksn", "usage"])
        for r in sample:
            for u in usages:
                w.writerow([r["ksn"], u])
    sql(store, f"CREATE EXTERNAL TABLE k (ksn VARCHAR, usage VARCHAR) STORED AS CSV LOCATION {quote(ksn_path)} "
               "OPTIONS ('format.has_header' 'true');\n"
               f"COPY (SELECT ksn, usage, dukpt_derive_key({quote(bdk.hex())}, ksn, usage) AS key FROM k) "
               f"TO {quote(out)} STORED AS PARQUET;")
    got = read_parquet(out)
    check(len(got) == len(sample) * len(usages), f"{kind} derive: {len(got)} rows")
    for r in got:
        ksn = bytes.fromhex(r["ksn"])
        if kind == "tdes-dukpt":
            want = TDES_USAGES[r["usage"]](pydukpt.derive_key(pydukpt.derive_ipek(bdk, ksn), ksn))
        else:
            _, want = aes_model(bdk, "AES_128", ksn, r["usage"], "AES_128")
        check(r["key"] == want.hex().upper(), f"{kind} dukpt_derive_key {r}: want {want.hex().upper()}")


def try_rejects(tmp, store, inp, request, keys, columns):
    """try_re_encrypt_data with a missing incoming key for every 97th record: rejects to CSV."""
    good, rejects = os.path.join(tmp, "try-good.parquet"), os.path.join(tmp, "try-rejects.csv")
    key = "CASE WHEN CAST(id AS BIGINT) % 97 = 5 THEN 'alias/missing' ELSE 'alias/batch-in' END"
    rest = ", ".join(c for c in columns if c != "data")
    inner = (f"SELECT {rest}, data AS old, {re_encrypt_call('try_re_encrypt_data', request, key)} AS r "
             f"FROM t WHERE CAST(id AS BIGINT) < {TRY_RECORDS}")
    sql(store, create_table(inp, columns) +
        f"CREATE VIEW v AS {inner};\n"
        f"COPY (SELECT {rest}, r.value AS data FROM v WHERE r.error IS NULL ORDER BY CAST(id AS BIGINT)) "
        f"TO {quote(good)} STORED AS PARQUET;\n"
        f"COPY (SELECT id, r.error AS error FROM v WHERE r.error IS NOT NULL ORDER BY CAST(id AS BIGINT)) "
        f"TO {quote(rejects)} STORED AS CSV OPTIONS ('format.has_header' 'true');")
    before = [r for r in read_csv(inp) if int(r["id"]) < TRY_RECORDS]
    want = [r["id"] for r in before if int(r["id"]) % 97 == 5]
    got = read_csv(rejects)
    check([r["id"] for r in got] == want, f"try rejects {[r['id'] for r in got][:10]}..., want {want[:10]}...")
    for r in got:
        check(r["error"].startswith("An error occurred (ResourceNotFoundException) when calling the "
                                    "ReEncryptData operation: "), f"try reject {r}")
    kept = [r for r in before if int(r["id"]) % 97 != 5]
    check_records("try good", kept, read_parquet(good), keys["alias/batch-out"])


def kms_round_trip(tmp):
    """kms_encrypt, kms_re_encrypt to a second key and context, kms_decrypt; blobs opened with AESGCM."""
    d = os.path.join(tmp, "kms")
    os.makedirs(d)
    store = os.path.join(d, "store")
    first, second = (RNG.randbytes(32), str(uuid.uuid4())), (RNG.randbytes(32), str(uuid.uuid4()))
    seed = {"KmsKeys": [{"KeyId": i, "KeySpec": "SYMMETRIC_DEFAULT", "KeyMaterial": k.hex()} for k, i in (first, second)],
            "KmsAliases": [{"AliasName": "alias/sql-kms", "TargetKeyId": first[1]},
                           {"AliasName": "alias/sql-kms-2", "TargetKeyId": second[1]}]}
    with open(os.path.join(d, "seed.json"), "w") as f:
        json.dump(seed, f)
    paycrypt("--data-dir", store, "seed", os.path.join(d, "seed.json"))

    plain_path, out = os.path.join(d, "plain.csv"), os.path.join(d, "kms.parquet")
    with open(plain_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "pt"])
        for i in range(KMS_RECORDS):
            w.writerow([f"r{i}", base64.b64encode(RNG.randbytes(RNG.randint(1, 300))).decode()])
    ctx1 = "'{\"record\":\"' || id || '\"}'"
    ctx2 = "'{\"moved\":\"' || id || '\"}'"
    print(f"kms: {KMS_RECORDS} records")
    sql(store, f"CREATE EXTERNAL TABLE p (id VARCHAR, pt VARCHAR) STORED AS CSV LOCATION {quote(plain_path)} "
               "OPTIONS ('format.has_header' 'true');\n"
               f"CREATE TABLE e AS SELECT id, pt, kms_encrypt('alias/sql-kms', pt, {ctx1}) AS ct FROM p;\n"
               f"CREATE TABLE m AS SELECT id, pt, ct, kms_re_encrypt(ct, 'alias/sql-kms-2', {ctx1}, {ctx2}) AS ct2 FROM e;\n"
               f"COPY (SELECT id, pt, ct, ct2, kms_decrypt(ct2, {ctx2}) AS back FROM m ORDER BY id) "
               f"TO {quote(out)} STORED AS PARQUET;")
    got = read_parquet(out)
    check(len(got) == KMS_RECORDS, f"kms: {len(got)} records for {KMS_RECORDS}")

    def opens(blob, key, key_id, context, plain):
        arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}".encode()
        n = blob[1]
        head, nonce, body = blob[:2 + n], blob[2 + n:14 + n], blob[14 + n:]
        try:
            return blob[0] == 1 and head[2:] == arn and \
                AESGCM(key).decrypt(nonce, body, head + context_bytes(context)) == plain
        except Exception as exc:  # a tag mismatch or a malformed blob
            print(f"kms blob: {exc!r}")
            return False

    for r in got:
        plain = base64.b64decode(r["pt"])
        check(opens(base64.b64decode(r["ct"]), *first, {"record": r["id"]}, plain), f"kms_encrypt blob of {r['id']}")
        check(opens(base64.b64decode(r["ct2"]), *second, {"moved": r["id"]}, plain), f"kms_re_encrypt blob of {r['id']}")
        check(r["back"] == r["pt"], f"kms round trip {r['id']}: {r['pt']} -> {r['back']}")


def main():
    tmp = tempfile.mkdtemp(prefix="paycrypt-sql-interop-")
    started = time.perf_counter()
    try:
        def part(name, fn, *args):
            # A command that fails counts as one failed check; the other parts still run.
            before = passed + failed
            try:
                result = fn(*args)
            except RuntimeError as e:
                check(False, f"{name}: {e}")
                result = None
            print(f"{name}: {passed + failed - before} checks")
            return result

        for kind in KINDS:
            result = part(kind, kind_job, tmp, kind, RNG.randint(1, 2**63))
            if kind == "aes" and result:
                part("try_re_encrypt_data", try_rejects, tmp, *result)
        part("kms", kms_round_trip, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"({time.perf_counter() - started:.0f} s)")
    print(f"sql: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
