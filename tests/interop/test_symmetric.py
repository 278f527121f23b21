#!/usr/bin/env python3
"""Interop: paycrypt's TDES/AES modes against pyca/cryptography, pycryptodome and the OpenSSL CLI.

Random keys, IVs and data lengths for every (algorithm, mode, direction); CFB1 against `openssl enc`
(neither Python library has it), AES-CFB64 against pycryptodome (segment_size=64), the rest against both
Python libraries. Also checks the KCV command against a KCV computed with pyca. Prints
`N passed, M failed` and exits non-zero on any failure.
"""
import json
import os
import random
import shutil
import subprocess
import sys
import warnings

from Crypto.Cipher import AES as CryptoAES
from Crypto.Cipher import DES3 as CryptoDES3
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

try:
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # older pyca
    TripleDES = algorithms.TripleDES

warnings.filterwarnings("ignore")
BIN = os.environ.get("PAYCRYPT_BIN", "target/debug/paycrypt")
RNG = random.Random(int(os.environ.get("INTEROP_SEED", "0")) or None)
CASES_PER_PAIR = int(os.environ.get("INTEROP_CASES", "12"))

ALGS = {"TDES_2KEY": 16, "TDES_3KEY": 24, "AES_128": 16, "AES_192": 24, "AES_256": 32}
passed = 0
failed = 0


def paycrypt(direction, alg, mode, key, iv, data):
    args = [BIN, "cipher", direction, "--algorithm", alg, "--mode", mode, "--key", key.hex(), "--data", data.hex()]
    if iv is not None:
        args += ["--iv", iv.hex()]
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    doc = json.loads(out.stdout)
    return bytes.fromhex(doc["CipherText"] if direction == "encrypt" else doc["PlainText"])


def tdes_key3(key):
    return key + key[:8] if len(key) == 16 else key


def pyca(alg, mode, key, iv, data, encrypt):
    cipher_alg = TripleDES(tdes_key3(key)) if alg.startswith("TDES") else algorithms.AES(key)
    m = {"ECB": lambda: modes.ECB(), "CBC": lambda: modes.CBC(iv), "CFB8": lambda: modes.CFB8(iv),
         "OFB": lambda: modes.OFB(iv), "CFB": lambda: modes.CFB(iv), "CFB128": lambda: modes.CFB(iv),
         "CFB64": lambda: modes.CFB(iv)}[mode]()
    c = Cipher(cipher_alg, m)
    ctx = c.encryptor() if encrypt else c.decryptor()
    return ctx.update(data) + ctx.finalize()


def pycryptodome(alg, mode, key, iv, data, encrypt):
    tdes = alg.startswith("TDES")
    module = CryptoDES3 if tdes else CryptoAES
    block_bits = 64 if tdes else 128
    if mode == "ECB":
        c = module.new(key, module.MODE_ECB)
    elif mode == "CBC":
        c = module.new(key, module.MODE_CBC, iv=iv)
    elif mode == "OFB":
        c = module.new(key, module.MODE_OFB, iv=iv)
    else:
        seg = {"CFB8": 8, "CFB64": 64, "CFB128": 128, "CFB": block_bits}[mode]
        c = module.new(key, module.MODE_CFB, iv=iv, segment_size=seg)
    return c.encrypt(data) if encrypt else c.decrypt(data)


def openssl_cfb1(alg, key, iv, data, encrypt):
    name = {"AES_128": "aes-128-cfb1", "AES_192": "aes-192-cfb1", "AES_256": "aes-256-cfb1",
            "TDES_2KEY": "des-ede3-cfb1", "TDES_3KEY": "des-ede3-cfb1"}[alg]
    k = tdes_key3(key) if alg.startswith("TDES") else key
    args = ["openssl", "enc", "-" + name, "-K", k.hex(), "-iv", iv.hex(), "-nopad", "-nosalt"]
    if not encrypt:
        args.append("-d")
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout


def random_key(alg):
    while True:
        key = bytes(RNG.getrandbits(8) for _ in range(ALGS[alg]))
        if not alg.startswith("TDES"):
            return key
        parts = [key[i:i + 8] for i in range(0, len(key), 8)]
        # pycryptodome refuses keys that collapse to single DES; random keys almost never do.
        if len(set(parts)) == len(parts):
            return key


def check(label, ours, theirs):
    global passed, failed
    if ours == theirs:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {label}: paycrypt {ours.hex()} peer {theirs.hex()}")


def main():
    have_openssl = shutil.which("openssl") is not None
    for alg in ALGS:
        tdes = alg.startswith("TDES")
        block = 8 if tdes else 16
        for mode in ["ECB", "CBC", "CFB", "CFB1", "CFB8", "CFB64", "CFB128", "OFB"]:
            if tdes and mode == "CFB128":
                continue
            for _ in range(CASES_PER_PAIR):
                key = random_key(alg)
                iv = None if mode == "ECB" else bytes(RNG.getrandbits(8) for _ in range(block))
                n = RNG.randrange(0, 80)
                if mode in ("ECB", "CBC"):
                    n -= n % block
                data = bytes(RNG.getrandbits(8) for _ in range(n))
                label = f"{alg} {mode} key={key.hex()} iv={iv.hex() if iv else None} len={n}"
                for direction, encrypt in (("encrypt", True), ("decrypt", False)):
                    ours = paycrypt(direction, alg, mode, key, iv, data)
                    if mode == "CFB1":
                        if have_openssl:
                            check(f"{label} {direction} vs openssl", ours, openssl_cfb1(alg, key, iv, data, encrypt))
                        continue
                    check(f"{label} {direction} vs pycryptodome", ours, pycryptodome(alg, mode, key, iv, data, encrypt))
                    if not (mode == "CFB64" and not tdes):  # pyca has no AES-CFB64
                        check(f"{label} {direction} vs pyca", ours, pyca(alg, mode, key, iv, data, encrypt))
    # KCVs: ANSI X9.24 (encrypt a zero block) and CMAC, computed with pyca.
    for alg in ALGS:
        for kcv_alg in ("ANSI_X9_24", "CMAC"):
            for _ in range(CASES_PER_PAIR):
                key = random_key(alg)
                out = subprocess.run([BIN, "kcv", "--algorithm", alg, "--key", key.hex(), "--kcv-algorithm", kcv_alg],
                                     capture_output=True, text=True, check=True)
                ours = bytes.fromhex(json.loads(out.stdout)["KeyCheckValue"])
                block = 8 if alg.startswith("TDES") else 16
                if kcv_alg == "ANSI_X9_24":
                    theirs = pyca(alg, "ECB", key, None, bytes(block), True)[:3]
                else:
                    c = CMAC(TripleDES(tdes_key3(key)) if alg.startswith("TDES") else algorithms.AES(key))
                    c.update(bytes(block))
                    theirs = c.finalize()[:3]
                check(f"KCV {alg} {kcv_alg} key={key.hex()}", ours, theirs)
    if not have_openssl:
        print("note: openssl not found; CFB1 was checked by the NIST vectors only")
    print(f"symmetric: {passed} passed, {failed} failed")
    if failed or not passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
