#!/usr/bin/env python3
"""Interop: `paycrypt dukpt` against independent implementations, on random BDKs and KSNs.

- TDES DUKPT host side: `paycrypt dukpt derive-key` (IPEK and the PIN, MAC request/response and data
  request/response keys) against the PyPI package `pydukpt` (ANSI X9.24-1:2009); the KCV against
  pycryptodome's TDES.
- TDES DUKPT device side: `paycrypt dukpt device` (KSN sequence and keys) against `pydukpt.next_ksn` and
  `pydukpt.derive_key`, from fresh and resumed terminals, including the counter skips near the 10-one-bit
  limit.
- TDES_3KEY BDKs (paycrypt's documented extension: IPEK halves are TDES-3KEY encryptions under the BDK and
  the BDK XOR C0C0C0C000000000 per third): the IPEK from pycryptodome's DES3, the rest from `pydukpt`.
- AES DUKPT: no independent implementation installs from PyPI, so the keys are checked against a short
  model of X9.24-3:2017 §6 written here over pycryptodome's AES (BDKs of 128, 192 and 256 bits, every
  usage and allowed key type). It is a second implementation, not a published one.

Prints `N passed, M failed` and exits non-zero on any failure.
"""
import json
import os
import random
import subprocess
import sys

import pydukpt
from Crypto.Cipher import AES, DES3
from Crypto.Hash import CMAC

BIN = os.environ.get("PAYCRYPT_BIN", "target/debug/paycrypt")
RNG = random.Random(int(os.environ.get("INTEROP_SEED", "0")) or None)
CASES = int(os.environ.get("INTEROP_CASES", "25"))

TDES_USAGES = {
    "PIN": pydukpt.pin_key,
    "MAC_REQUEST": pydukpt.mac_request_key,
    "MAC_RESPONSE": pydukpt.mac_response_key,
    "DATA_REQUEST": pydukpt.data_request_key,
    "DATA_RESPONSE": pydukpt.data_response_key,
}
AES_USAGES = {"KEY_ENCRYPTION": 0x0002, "PIN_ENCRYPTION": 0x1000, "MAC_GENERATION": 0x2000,
              "MAC_VERIFICATION": 0x2001, "MAC_BOTH": 0x2002, "DATA_ENCRYPTION": 0x3000,
              "DATA_DECRYPTION": 0x3001, "DATA_BOTH": 0x3002, "KEY_DERIVATION": 0x8000}
# name: (algorithm indicator, bits), weakest first.
KEY_TYPES = {"TDES_2KEY": (0, 128), "TDES_3KEY": (1, 192), "AES_128": (2, 128), "AES_192": (3, 192),
             "AES_256": (4, 256)}
passed = 0
failed = 0


def check(name, got, want):
    global passed, failed
    if got.upper() == want.upper():
        passed += 1
    else:
        failed += 1
        print(f"FAILED {name}: paycrypt {got}, peer {want}")


def paycrypt(*args):
    out = subprocess.run([BIN, "dukpt", *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"paycrypt dukpt {' '.join(args)}: {out.stderr.strip()}")
    return out.stdout


def random_counter(bits, max_ones):
    while True:
        c = RNG.getrandbits(bits)
        while bin(c).count("1") > max_ones:
            c &= c - 1
        if c:
            return c


def random_tdes_ksn():
    ksn = bytearray(RNG.randbytes(10))
    ksn[7] &= 0xE0
    ksn[8] = ksn[9] = 0
    return pydukpt.ksn_with_counter(bytes(ksn), random_counter(21, 10))


def tdes_kcv(key):
    return DES3.new(key, DES3.MODE_ECB).encrypt(bytes(8))[:3].hex()


def tdes_host():
    for _ in range(CASES):
        bdk, ksn = RNG.randbytes(16), random_tdes_ksn()
        ipek = pydukpt.derive_ipek(bdk, ksn)
        txn = pydukpt.derive_key(ipek, ksn)
        for usage, variant in TDES_USAGES.items():
            out = json.loads(paycrypt("derive-key", "--bdk", bdk.hex(), "--ksn", ksn.hex(), "--usage", usage))
            want = variant(txn)
            check(f"IPEK {bdk.hex()} {ksn.hex()}", out["InitialKey"], ipek.hex())
            check(f"{usage} {bdk.hex()} {ksn.hex()}", out["DerivedKey"], want.hex())
            check(f"{usage} KCV", out["KeyCheckValue"], tdes_kcv(want))


def tdes_three_key_bdk():
    mask = bytes.fromhex("C0C0C0C000000000" * 3)
    for _ in range(CASES):
        bdk, ksn = RNG.randbytes(24), random_tdes_ksn()
        iksn8 = pydukpt.ksn_with_counter(ksn, 0)[:8]
        masked = bytes(a ^ b for a, b in zip(bdk, mask))
        ipek = DES3.new(bdk, DES3.MODE_ECB).encrypt(iksn8) + DES3.new(masked, DES3.MODE_ECB).encrypt(iksn8)
        out = json.loads(paycrypt("derive-key", "--bdk", bdk.hex(), "--ksn", ksn.hex(), "--usage", "DATA_REQUEST"))
        check(f"3-key IPEK {bdk.hex()}", out["InitialKey"], ipek.hex())
        want = pydukpt.data_request_key(pydukpt.derive_key(ipek, ksn))
        check(f"3-key DATA_REQUEST {bdk.hex()} {ksn.hex()}", out["DerivedKey"], want.hex())


def transactions_left(start, limit):
    """How many transactions a device loaded with `start` still has, counted up to `limit`."""
    n, ksn = (1 if pydukpt.ksn_counter(start) else 0), start
    while n < limit:
        try:
            ksn = pydukpt.next_ksn(ksn)
        except pydukpt.KSNExhaustedError:
            break
        n += 1
    return n


def tdes_device():
    count = 40
    for case in range(CASES):
        ipek = RNG.randbytes(16)
        # Half the runs start fresh (counter 0), half resume near the 10-one-bit limit to exercise skips;
        # a resumed counter must leave `count` transactions (one near the top of the counter has fewer:
        # the device then refuses, rightly, as exhausted).
        while True:
            ksn = random_tdes_ksn()
            start = pydukpt.ksn_with_counter(ksn, 0) if case % 2 == 0 else ksn
            if transactions_left(start, count) == count:
                break
        lines = paycrypt("device", "--ipek", ipek.hex(), "--ksn", start.hex(), "--count", str(count),
                         "--usage", "DATA_REQUEST").splitlines()
        expected = start if pydukpt.ksn_counter(start) else pydukpt.next_ksn(start)
        for line in lines:
            doc = json.loads(line)
            check(f"device KSN after {start.hex()}", doc["KeySerialNumber"], expected.hex())
            txn = pydukpt.derive_key(ipek, expected)
            check(f"device key {expected.hex()}", doc["TransactionKey"], txn.hex())
            check(f"device DATA_REQUEST {expected.hex()}", doc["DerivedKey"], pydukpt.data_request_key(txn).hex())
            try:
                expected = pydukpt.next_ksn(expected)
            except pydukpt.KSNExhaustedError:
                break
        check(f"device line count from {start.hex()}", str(len(lines)), str(count))


def aes_derive(key, usage, key_type, data8):
    kind, bits = KEY_TYPES[key_type]
    out = b""
    for i in range(-(-bits // 128)):
        block = bytes([1, i + 1]) + usage.to_bytes(2, "big") + kind.to_bytes(2, "big") + bits.to_bytes(2, "big")
        out += AES.new(key, AES.MODE_ECB).encrypt(block + data8)
    return out[: bits // 8]


def aes_model(bdk, bdk_type, ksn, usage, key_type):
    ik = aes_derive(bdk, 0x8001, bdk_type, ksn[:8])
    counter = int.from_bytes(ksn[8:], "big")
    key, prefix = ik, 0
    for bit in range(31, -1, -1):
        if counter >> bit & 1:
            prefix |= 1 << bit
            key = aes_derive(key, 0x8000, bdk_type, ksn[4:8] + prefix.to_bytes(4, "big"))
    return ik, aes_derive(key, AES_USAGES[usage], key_type, ksn[4:8] + ksn[8:])


def aes_kcv(key, key_type):
    if key_type.startswith("TDES"):
        return tdes_kcv(key)
    return CMAC.new(key, bytes(16), ciphermod=AES).digest()[:3].hex()


def aes_host():
    bdk_types = ["AES_128", "AES_192", "AES_256"]
    names = list(KEY_TYPES)
    for case in range(CASES * 2):
        bdk_type = bdk_types[case % 3]
        bdk = RNG.randbytes(KEY_TYPES[bdk_type][1] // 8)
        ksn = RNG.randbytes(8) + random_counter(32, 16).to_bytes(4, "big")
        usage = RNG.choice(list(AES_USAGES))
        key_type = RNG.choice(names[: names.index(bdk_type) + 1])
        ik, want = aes_model(bdk, bdk_type, ksn, usage, key_type)
        out = json.loads(paycrypt("derive-key", "--bdk", bdk.hex(), "--ksn", ksn.hex(), "--usage", usage,
                                  "--derived-key-algorithm", key_type))
        check(f"AES initial key {bdk_type} {ksn.hex()}", out["InitialKey"], ik.hex())
        check(f"AES {usage} {key_type} {bdk.hex()} {ksn.hex()}", out["DerivedKey"], want.hex())
        check(f"AES KCV {key_type}", out["KeyCheckValue"], aes_kcv(want, key_type))


def main():
    for part in (tdes_host, tdes_three_key_bdk, tdes_device, aes_host):
        before = passed + failed
        part()
        print(f"{part.__name__}: {passed + failed - before} checks")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
