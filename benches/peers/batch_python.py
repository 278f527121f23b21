#!/usr/bin/env python3
"""The Python peer of benches/batch.sh: what a user would write instead of `paycrypt batch
re-encrypt-data` for a file from `paycrypt batch generate`, in plain Python, one record at a time.

- Reads the CSV with the `csv` module and writes the same columns with `data` re-encrypted.
- aes, tdes: pyca/cryptography (OpenSSL) decrypts `data` with the incoming key (CBC, the record's iv)
  and encrypts the plaintext with the outgoing key (CBC, the same iv).
- tdes-dukpt: the PyPI package `pydukpt` (X9.24-1) derives the data request key of each record's KSN
  from the BDK (IPEK, transaction key, data variant, one per record, no cache); pyca decrypts with it
  (CBC, zero IV) and encrypts under the outgoing TDES key.
- aes-dukpt: no AES DUKPT (X9.24-3) package installs from PyPI, so the derivation is written here in
  a few lines over pyca's AES-ECB, as a user would have to (initial key, one step per counter one-bit,
  then the DATA_BOTH 3002 AES-128 working key; no cache).

The keys come from the seed file that `paycrypt batch generate` wrote. The output is byte for byte what
paycrypt writes (uppercase hex, LF line ends), so benches/batch.sh compares the two.

    target/venv/bin/python benches/peers/batch_python.py --kind aes --input in.csv \
        --seed-file seed.json --output out.csv [--records N]

Prints a JSON line: records, seconds (the loop, Python's start-up excluded), records_per_second.
"""
import argparse
import csv
import json
import sys
import time

import pydukpt
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

try:  # TripleDES moved to the "decrepit" module in cryptography 43.
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # pragma: no cover - older cryptography
    TripleDES = algorithms.TripleDES


def cbc(algorithm, key, iv):
    if algorithm.startswith("AES"):
        return Cipher(algorithms.AES(key), modes.CBC(iv))
    # pyca deprecates 16-byte (two-key) TDES keys: K1 K2 K1 is the same key.
    return Cipher(TripleDES(key + key[:8] if len(key) == 16 else key), modes.CBC(iv))


def aes_dukpt_data_key(bdk, ksn):
    """X9.24-3 host side for an AES-128 BDK: the AES-128 DATA_BOTH (3002) working key of a 12-byte KSN."""

    def derive(key, usage, data8):
        # Derivation data: version 01, block counter 01, key usage, algorithm AES-128 (0002), 128 bits.
        block = b"\x01\x01" + usage + b"\x00\x02\x00\x80" + data8
        return Cipher(algorithms.AES(key), modes.ECB()).encryptor().update(block)

    key = derive(bdk, b"\x80\x01", ksn[:8])  # the initial key, from the initial key ID
    counter = int.from_bytes(ksn[8:], "big")
    register = 0
    for bit in range(31, -1, -1):
        if counter >> bit & 1:
            register |= 1 << bit
            key = derive(key, b"\x80\x00", ksn[4:8] + register.to_bytes(4, "big"))
    return derive(key, b"\x30\x02", ksn[4:12])


def tdes_dukpt_data_key(bdk, ksn):
    return pydukpt.data_request_key(pydukpt.derive_key(pydukpt.derive_ipek(bdk, ksn), ksn))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", required=True, choices=["aes", "tdes", "aes-dukpt", "tdes-dukpt"])
    ap.add_argument("--input", required=True)
    ap.add_argument("--seed-file", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--records", type=int, default=0, help="stop after N records (0: the whole file)")
    args = ap.parse_args()

    with open(args.seed_file) as f:
        seed = json.load(f)
    by_id = {k["KeyId"]: (k["KeyAttributes"]["KeyAlgorithm"], bytes.fromhex(k["KeyMaterial"])) for k in seed["Keys"]}
    keys = {a["AliasName"]: by_id[a["KeyId"]] for a in seed["Aliases"]}
    out_alg, out_key = keys["alias/batch-out"]
    dukpt = args.kind.endswith("dukpt")
    if dukpt:
        in_alg, in_key = keys["alias/batch-bdk"]
        derive = aes_dukpt_data_key if args.kind == "aes-dukpt" else tdes_dukpt_data_key
        zero_iv = bytes(16 if args.kind == "aes-dukpt" else 8)
    else:
        in_alg, in_key = keys["alias/batch-in"]

    n = 0
    start = time.perf_counter()
    with open(args.input, newline="") as fin, open(args.output, "w", newline="") as fout:
        reader = csv.reader(fin)
        writer = csv.writer(fout, lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        col = {name: i for i, name in enumerate(header)}
        iv_i, data_i = col["iv"], col["data"]
        ksn_i = col.get("ksn")
        for row in reader:
            if args.records and n >= args.records:
                break
            iv = bytes.fromhex(row[iv_i])
            data = bytes.fromhex(row[data_i])
            if dukpt:
                key = derive(in_key, bytes.fromhex(row[ksn_i]))
                dec = cbc(in_alg, key, zero_iv).decryptor()
            else:
                dec = cbc(in_alg, in_key, iv).decryptor()
            plain = dec.update(data) + dec.finalize()
            enc = cbc(out_alg, out_key, iv).encryptor()
            row[data_i] = (enc.update(plain) + enc.finalize()).hex().upper()
            writer.writerow(row)
            n += 1
    seconds = time.perf_counter() - start
    json.dump({"records": n, "seconds": seconds, "records_per_second": n / seconds if seconds else 0}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
