#!/usr/bin/env python3
"""Interop: `paycrypt batch` whole files, every output record checked by an independent implementation.

- For each kind of `paycrypt batch generate` (aes, tdes, aes-dukpt, tdes-dukpt): a file of
  BATCH_RECORDS records (default 100,000), its keys seeded into a fresh --data-dir, then
  `paycrypt batch re-encrypt-data` over it. EVERY output record is decrypted with pycryptodome under
  the outgoing key of the seed file (CBC, the record's iv) and compared with its `plain` column; the
  other columns and the record order must come through unchanged.
- The incoming side, so that a generator bug cannot hide behind a matching service bug: the symmetric
  kinds' `data` decrypts with the incoming key (every record); for the DUKPT kinds a sample of
  DUKPT_SAMPLE records (default 500) decrypts under the key derived from the BDK and KSN by
  - TDES: the PyPI package `pydukpt` (X9.24-1, data request variant, then pycryptodome's DES3 CBC
    with a zero IV);
  - AES: no AES DUKPT implementation installs from PyPI, so the model of X9.24-3 in test_dukpt.py
    (written over pycryptodome's AES; a second implementation, not a published one) gives the
    DATA_BOTH (3002) AES-128 key.
- Scaling must not change the answer: the aes job again with --threads 1 gives the same bytes.
- JSON Lines: part of the aes file converted to .jsonl here, run once by its extension and once by
  --format jsonl on a file without one; every record checked the same way.
- KMS: a CSV of random plaintexts (base64) through `batch kms-encrypt` then `batch kms-decrypt`, with an
  encryption context from a column: every record must come back as it went in, and every blob must
  open with pyca/cryptography's AESGCM given the seeded key (the blob layout test_kms_local.py checks).

Counts one check per record checked (plus one per job summary). Prints `batch: N passed, M failed` and
exits non-zero on any failure.

    PAYCRYPT_BIN=$PWD/target/debug/paycrypt target/venv/bin/python tests/interop/test_batch.py
    BATCH_RECORDS=2000 ...   # a quick run
"""
import base64
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import pydukpt
from Crypto.Cipher import AES, DES3
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# Shared with the other interop scripts of this folder: the AES DUKPT model and KMS's encoding of an
# encryption context (each is checked against paycrypt there).
from test_dukpt import aes_model
from test_kms_local import context_bytes

BIN = os.environ.get("PAYCRYPT_BIN", "target/debug/paycrypt")
RNG = random.Random(int(os.environ.get("INTEROP_SEED", "0")) or None)
RECORDS = int(os.environ.get("BATCH_RECORDS", "100000"))
DUKPT_SAMPLE = int(os.environ.get("DUKPT_SAMPLE", "500"))
JSONL_RECORDS = min(RECORDS, 20000)
KMS_RECORDS = min(RECORDS, 20000)
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


def paycrypt(*args):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, env=ENV)
    if p.returncode != 0:
        raise RuntimeError(f"paycrypt {' '.join(args[:4])} exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def batch(store, operation, inp, out, request, results, *extra):
    """Runs one batch job and checks its JSON summary: every record done, none rejected."""
    args = ["--data-dir", store, "batch", operation, "--input", inp, "--output", out, "--request", request,
            "--quiet"]
    for r in results:
        args += ["--result", r]
    start = time.perf_counter()
    summary = json.loads(paycrypt(*args, *extra))
    seconds = time.perf_counter() - start
    n = summary["Records"]
    check(summary["Succeeded"] == n and summary["Rejected"] == 0 and not summary["Stopped"],
          f"{operation} {os.path.basename(inp)} summary {summary}")
    print(f"  {operation} {os.path.basename(inp)} {' '.join(extra)}: {n} records in {seconds:.1f} s "
          f"({n / seconds:,.0f} records/s, debug builds are slow)")
    return summary


def block_cipher(algorithm, key, iv):
    """A CBC cipher object of pycryptodome for a seed file's KeyAlgorithm."""
    if algorithm.startswith("AES"):
        return AES.new(key, AES.MODE_CBC, iv=iv)
    return DES3.new(key, DES3.MODE_CBC, iv=iv)


def seeded_keys(seed_path):
    """alias -> (KeyAlgorithm, key bytes) of a generated seed file."""
    with open(seed_path) as f:
        seed = json.load(f)
    by_id = {k["KeyId"]: (k["KeyAttributes"]["KeyAlgorithm"], bytes.fromhex(k["KeyMaterial"])) for k in seed["Keys"]}
    return {a["AliasName"]: by_id[a["KeyId"]] for a in seed["Aliases"]}


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def dukpt_key(kind, bdk, ksn):
    """The data key of a KSN, from the independent side."""
    if kind == "tdes-dukpt":
        return pydukpt.data_request_key(pydukpt.derive_key(pydukpt.derive_ipek(bdk, ksn), ksn))
    _, key = aes_model(bdk, "AES_128", ksn, "DATA_BOTH", "AES_128")
    return key


def check_records(label, before, after, out_key):
    """`after` is `before` with only `data` re-encrypted: under `out_key` (algorithm, bytes) in CBC with
    the record's iv it decrypts to `plain`."""
    check(len(after) == len(before), f"{label}: {len(after)} records out for {len(before)} in")
    algorithm, key = out_key
    for i, (a, b) in enumerate(zip(before, after)):
        same = all(b[c] == a[c] for c in a if c != "data") and list(b) == list(a)
        try:
            plain = block_cipher(algorithm, key, bytes.fromhex(b["iv"])).decrypt(bytes.fromhex(b["data"]))
        except ValueError as e:
            plain = f"{e}"
        ok = same and plain == bytes.fromhex(a["plain"]) and b["data"] != a["data"]
        check(ok, f"{label} record {i}: in {a}, out {b}")


def kind_job(tmp, kind, seed):
    """Generates, seeds and re-encrypts a file of `kind`; checks both sides. Returns what the JSON
    Lines part reuses."""
    d = os.path.join(tmp, kind)
    os.makedirs(d)
    store, inp, out = os.path.join(d, "store"), os.path.join(d, "in.csv"), os.path.join(d, "out.csv")
    seed_file, job = os.path.join(d, "seed.json"), os.path.join(d, "job.json")
    start = time.perf_counter()
    paycrypt("batch", "generate", "--kind", kind, "--records", str(RECORDS), "--terminals", str(TERMINALS),
             "--seed", str(seed), "--output", inp, "--seed-file", seed_file, "--request-file", job)
    print(f"{kind}: generated {RECORDS} records (seed {seed}) in {time.perf_counter() - start:.1f} s")
    paycrypt("--data-dir", store, "seed", seed_file)
    keys = seeded_keys(seed_file)
    batch(store, "re-encrypt-data", inp, out, f"file://{job}", ["data=CipherText"], "--threads", "2")
    before, after = read_csv(inp), read_csv(out)
    check_records(kind, before, after, keys["alias/batch-out"])

    # The incoming side, independently of paycrypt.
    if kind.endswith("dukpt"):
        _, bdk = keys["alias/batch-bdk"]
        zero = bytes(16 if kind.startswith("aes") else 8)
        algorithm = "AES_128" if kind.startswith("aes") else "TDES_2KEY"
        for r in RNG.sample(before, min(DUKPT_SAMPLE, len(before))):
            key = dukpt_key(kind, bdk, bytes.fromhex(r["ksn"]))
            plain = block_cipher(algorithm, key, zero).decrypt(bytes.fromhex(r["data"]))
            check(plain == bytes.fromhex(r["plain"]), f"{kind} input record {r['id']} (KSN {r['ksn']})")
    else:
        algorithm, key = keys["alias/batch-in"]
        for r in before:
            plain = block_cipher(algorithm, key, bytes.fromhex(r["iv"])).decrypt(bytes.fromhex(r["data"]))
            check(plain == bytes.fromhex(r["plain"]), f"{kind} input record {r['id']}")
    return store, inp, out, job, keys, before


def same_bytes_one_thread(store, inp, out, job):
    """The job once more on one thread: the output file must be byte for byte the same."""
    one = out.replace(".csv", "-1thread.csv")
    batch(store, "re-encrypt-data", inp, one, f"file://{job}", ["data=CipherText"], "--threads", "1")
    with open(out, "rb") as a, open(one, "rb") as b:
        check(a.read() == b.read(), f"--threads 1 and --threads 2 outputs differ ({out}, {one})")


def jsonl_jobs(tmp, store, job, keys, records):
    """Part of a CSV file as JSON Lines (id as a number, the rest strings), by extension and by --format."""
    records = records[:JSONL_RECORDS]
    docs = [{"id": int(r["id"]), "iv": r["iv"], "plain": r["plain"], "data": r["data"]} for r in records]
    for name, extra in (("in.jsonl", ()), ("in-jsonl.txt", ("--format", "jsonl"))):
        inp = os.path.join(tmp, name)
        out = os.path.join(tmp, "out-" + name)
        with open(inp, "w") as f:
            for d in docs:
                f.write(json.dumps(d, separators=(",", ":")) + "\n")
        batch(store, "re-encrypt-data", inp, out, f"file://{job}", ["data=CipherText"], *extra)
        with open(out) as f:
            lines = f.read().splitlines()
        try:
            after = [json.loads(line) for line in lines]
        except ValueError as e:
            check(False, f"{out} is not JSON Lines: {e}")
            continue
        check_records(name, docs, after, keys["alias/batch-out"])


def kms_round_trip(tmp):
    """kms-encrypt then kms-decrypt of base64 columns, an encryption context from the id column."""
    d = os.path.join(tmp, "kms")
    os.makedirs(d)
    store = os.path.join(d, "store")
    key, key_id = RNG.randbytes(32), str(uuid.uuid4())
    seed = {"KmsKeys": [{"KeyId": key_id, "KeySpec": "SYMMETRIC_DEFAULT", "KeyMaterial": key.hex()}],
            "KmsAliases": [{"AliasName": "alias/batch-kms", "TargetKeyId": key_id}]}
    with open(os.path.join(d, "seed.json"), "w") as f:
        json.dump(seed, f)
    paycrypt("--data-dir", store, "seed", os.path.join(d, "seed.json"))

    plain_path = os.path.join(d, "plain.csv")
    with open(plain_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "note", "pt"])
        for i in range(KMS_RECORDS):
            # A quoted column with a comma and a quote, to come through untouched.
            note = f'terminal {i % 7}, "lane" {i % 3}'
            w.writerow([f"r{i}", note, base64.b64encode(RNG.randbytes(RNG.randint(1, 300))).decode()])
    enc_path, dec_path = os.path.join(d, "enc.csv"), os.path.join(d, "dec.csv")
    context = {"record": "{id}"}
    encrypt = json.dumps({"KeyId": "alias/batch-kms", "Plaintext": "{pt}", "EncryptionContext": context})
    decrypt = json.dumps({"CiphertextBlob": "{ct}", "EncryptionContext": context})
    batch(store, "kms-encrypt", plain_path, enc_path, encrypt, ["ct=CiphertextBlob"])
    batch(store, "kms-decrypt", enc_path, dec_path, decrypt, ["back=Plaintext"])

    plain, enc, dec = read_csv(plain_path), read_csv(enc_path), read_csv(dec_path)
    check(len(enc) == len(plain) == len(dec), f"kms: {len(plain)} records, {len(enc)} encrypted, {len(dec)} decrypted")
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}".encode()
    gcm = AESGCM(key)
    for p, e, r in zip(plain, enc, dec):
        blob = base64.b64decode(e["ct"])
        n = blob[1]
        head, nonce, body = blob[:2 + n], blob[2 + n:14 + n], blob[14 + n:]
        try:
            opened = blob[0] == 1 and head[2:] == arn and \
                gcm.decrypt(nonce, body, head + context_bytes({"record": p["id"]})) == base64.b64decode(p["pt"])
        except Exception as exc:  # a tag mismatch or a malformed blob
            opened = False
            print(f"kms record {p['id']}: {exc!r}")
        check(opened, f"kms blob of {p['id']} does not open with AESGCM")
        check(r["back"] == p["pt"] and r["note"] == p["note"] and r["id"] == p["id"] and
              list(r) == ["id", "note", "pt", "ct", "back"], f"kms round trip {p} -> {r}")


def main():
    tmp = tempfile.mkdtemp(prefix="paycrypt-batch-interop-")
    try:
        kept = None

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
                kept = result
                part("aes --threads 1", same_bytes_one_thread, *result[:4])
        if kept:
            store, _, _, job, keys, records = kept
            part("jsonl", jsonl_jobs, tmp, store, job, keys, records)
        part("kms", kms_round_trip, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"batch: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
