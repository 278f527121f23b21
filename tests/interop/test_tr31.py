#!/usr/bin/env python3
"""Interop: paycrypt's TR-31 key blocks against psec (github.com/knovichikhin/psec).

Random keys and random headers (usage, mode, algorithm, key version, exportability, optional blocks
KS, KC, KP, TS and labels): psec unwraps every block `paycrypt tr31 wrap` makes (versions B and D), and
`paycrypt tr31 unwrap` opens every block psec makes (versions A, B, C and D), to the same key and
header. Optional blocks stay under 256 characters in the paycrypt -> psec direction: for longer
blocks psec writes and reads its own extended-length form, not ANSI X9.143's (docs/tr31.md); the
psec -> paycrypt direction includes some, as paycrypt reads psec's form too. Prints
`tr31: N passed, M failed` and exits non-zero on any failure.
"""
import json
import os
import random
import subprocess
import sys
import warnings

from psec import tr31

warnings.filterwarnings("ignore")  # psec's TDES goes through pyca's deprecated TripleDES

BIN = os.environ.get("PAYCRYPT_BIN", "target/debug/paycrypt")
RNG = random.Random(int(os.environ.get("INTEROP_SEED", "0")) or None)
CASES = int(os.environ.get("INTEROP_CASES", "40"))

# Usages with the modes TR-31:2018 allows them, and key algorithms with their key lengths.
USAGES = {"K0": "BDEN", "K1": "BDE", "P0": "BDE", "D0": "BDE", "M3": "CGV", "M6": "CGV", "B0": "XN", "C0": "CGV",
          "V2": "CGV", "E0": "X"}
ALGS = {"T": [8, 16, 24], "A": [16, 24, 32], "D": [8], "H": [20, 32, 64]}
KBPK_LENS = {"A": [8, 16, 24], "B": [16, 24], "C": [8, 16, 24], "D": [16, 24, 32]}
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))
passed = 0
failed = 0


def hexs(n):
    return bytes(RNG.getrandbits(8) for _ in range(n)).hex().upper()


def random_blocks(long_ok):
    blocks = {}
    for _ in range(RNG.randrange(0, 4)):
        kind = RNG.choice(["KS", "KC", "KP", "TS", "LB", "99"])
        if kind == "KS":
            blocks["KS"] = hexs(10)
        elif kind in ("KC", "KP"):
            blocks[kind] = RNG.choice(["00", "01"]) + hexs(RNG.choice([3, 5]))
        elif kind == "TS":
            blocks["TS"] = RNG.choice(["20200818221218Z", "2020-08-18T22:12:18Z", "2021-01-31T23:59:59.25Z"])
        else:
            n = RNG.randrange(260, 400) if long_ok and RNG.random() < 0.2 else RNG.randrange(0, 60)
            blocks[kind] = "".join(RNG.choice(PRINTABLE) for _ in range(n))
    return blocks


def random_case(version, long_ok=False):
    usage = RNG.choice(list(USAGES))
    alg = RNG.choice(list(ALGS))
    key = bytes(RNG.getrandbits(8) for _ in range(RNG.choice(ALGS[alg])))
    kbpk = bytes(RNG.getrandbits(8) for _ in range(RNG.choice(KBPK_LENS[version])))
    header = tr31.Header(version, usage, alg, RNG.choice(USAGES[usage]), RNG.choice(ALNUM) + RNG.choice(ALNUM),
                         RNG.choice("ENS"))
    for k, v in random_blocks(long_ok).items():
        header.blocks[k] = v
    return kbpk, header, key


def header_text(header):
    # psec's header string, length field and all; paycrypt recomputes the length.
    return str(header)


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def paycrypt(*args):
    out = subprocess.run([BIN, "tr31", *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return json.loads(out.stdout)


def same_header(ours, header):
    blocks = {b["Id"]: b["Data"] for b in ours["OptionalBlocks"] if b["Id"] != "PB"}
    return (ours["Version"], ours["KeyUsage"], ours["Algorithm"], ours["ModeOfUse"], ours["KeyVersionNumber"],
            ours["Exportability"], blocks) == (header.version_id, header.key_usage, header.algorithm,
                                               header.mode_of_use, header.version_num, header.exportability,
                                               dict(header.blocks))


def paycrypt_wraps_psec_unwraps(version):
    kbpk, header, key = random_case(version)
    name = f"paycrypt->psec {version} kbpk={kbpk.hex()} header={header_text(header)} key={key.hex()}"
    try:
        args = ["wrap", "--kbpk", kbpk.hex(), "--header", header_text(header), "--key", key.hex()]
        if RNG.random() < 0.3:
            args += ["--masked-length", str(RNG.randrange(0, 40))]
        block = paycrypt(*args)["KeyBlock"]
        theirs, their_key = tr31.unwrap(kbpk, block)
    except Exception as e:  # noqa: BLE001 - any failure is a failed case
        check(name, False, repr(e))
        return
    same = (their_key == key and theirs.key_usage == header.key_usage and theirs.mode_of_use == header.mode_of_use
            and theirs.algorithm == header.algorithm and theirs.version_num == header.version_num
            and theirs.exportability == header.exportability and dict(theirs.blocks) == dict(header.blocks))
    check(name, same, block)


def psec_wraps_paycrypt_unwraps(version):
    kbpk, header, key = random_case(version, long_ok=True)
    name = f"psec->paycrypt {version} kbpk={kbpk.hex()} key={key.hex()}"
    try:
        block = tr31.wrap(kbpk, header, key)
        ours = paycrypt("unwrap", "--kbpk", kbpk.hex(), "--key-block", block)
    except Exception as e:  # noqa: BLE001
        check(name, False, repr(e))
        return
    check(name, bytes.fromhex(ours["Key"]) == key and same_header(ours, header), block)


def main():
    for version in "BD":
        for _ in range(CASES * 2):
            paycrypt_wraps_psec_unwraps(version)
            psec_wraps_paycrypt_unwraps(version)
    for version in "AC":
        for _ in range(CASES):
            psec_wraps_paycrypt_unwraps(version)
    # A wrong KBPK is refused by both, with paycrypt's one opaque message.
    kbpk, header, key = random_case("D")
    block = tr31.wrap(kbpk, header, key)
    wrong = bytes([kbpk[0] ^ 1]) + kbpk[1:]
    out = subprocess.run([BIN, "tr31", "unwrap", "--kbpk", wrong.hex(), "--key-block", block], capture_output=True,
                         text=True)
    check("wrong KBPK", out.returncode == 1 and "could not be unwrapped" in out.stderr, out.stderr)
    print(f"tr31: {passed} passed, {failed} failed")
    if failed or not passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
