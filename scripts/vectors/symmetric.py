#!/usr/bin/env python3
"""Converts the published symmetric test vectors in ../shared/vectors into paycrypt's JSON format.

Run from the repository root:  python3 scripts/vectors/symmetric.py [SHARED_VECTORS_DIR]
Writes vectors/{aes,tdes}_<mode>.json, vectors/aes_sp800_38a.json, vectors/cmac_sp800_38b.json and
vectors/kcv.json. Every output names its source (document and upstream file/commit) on top.

Our format: {"source": str, "description": str, "cases": [case, ...]} where a cipher case is
{"id", "algorithm" (AWS name), "mode" (AWS name), "direction" ("encrypt"|"decrypt"), "key", "iv"
(null for ECB), "input", "output", "bits"}; hex is upper case; "bits" is the data length in bits, and
for bit-oriented data (CFB1) "input"/"output" hold the bits packed most significant bit first, the
last byte padded with zero bits.
"""
import json
import os
import sys

CRYPTOGRAPHY_VECTORS = (
    "PyPI package cryptography-vectors 50.0.2 (the vectors/cryptography_vectors/ tree of "
    "github.com/pyca/cryptography), wheel sha256 "
    "51641f03a3eb4edbe9fb68e3a3574d25f86aa502d06391fffa886330d02778a0"
)


def rsp_cases(path):
    """Yields (direction, fields) for each COUNT record of a NIST CAVP .rsp file."""
    direction = None
    record = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("["):
                if record:
                    yield direction, record
                    record = {}
                section = line.strip("[]").upper()
                direction = {"ENCRYPT": "encrypt", "DECRYPT": "decrypt"}.get(section, direction)
                continue
            if not line or line.startswith("#"):
                if record and not line:
                    yield direction, record
                    record = {}
                continue
            if "=" in line:
                k, v = (x.strip() for x in line.split("=", 1))
                if k == "COUNT" and record:
                    yield direction, record
                    record = {}
                record[k] = v
    if record:
        yield direction, record


def bits_to_hex(bits):
    n = len(bits)
    padded = bits + "0" * (-n % 8)
    value = bytes(int(padded[i:i + 8], 2) for i in range(0, len(padded), 8))
    return value.hex().upper(), n


def cipher_case(file_id, direction, rec, algorithm, mode, bit_data):
    key = rec.get("KEY")
    if key is None:
        if "KEYs" in rec:
            k1 = k2 = k3 = rec["KEYs"]
        else:
            k1, k2, k3 = rec["KEY1"], rec["KEY2"], rec["KEY3"]
        if k1.lower() == k3.lower() and k1.lower() != k2.lower():
            algorithm, key = "TDES_2KEY", k1 + k2
        else:
            algorithm, key = "TDES_3KEY", k1 + k2 + k3
    pt, ct = rec["PLAINTEXT"], rec["CIPHERTEXT"]
    if bit_data:
        pt, bits = bits_to_hex(pt)
        ct, _ = bits_to_hex(ct)
    else:
        bits = len(pt) * 4
    inp, out = (pt, ct) if direction == "encrypt" else (ct, pt)
    return {
        "id": f"{file_id} {direction.upper()} COUNT={rec.get('COUNT')}",
        "algorithm": algorithm,
        "mode": mode,
        "direction": direction,
        "key": key.upper(),
        "iv": rec["IV"].upper() if "IV" in rec else None,
        "input": inp.upper(),
        "output": out.upper(),
        "bits": bits,
    }


def convert_cavp(shared, out_dir):
    ciphers = os.path.join(shared, "cryptography_vectors", "ciphers")
    plan = [
        # (output name, folder, file prefix, mode, family)
        ("aes_ecb", "AES/ECB", "ECB", "ECB", "aes"),
        ("aes_cbc", "AES/CBC", "CBC", "CBC", "aes"),
        ("aes_cfb1", "AES/CFB", "CFB1", "CFB1", "aes"),
        ("aes_cfb8", "AES/CFB", "CFB8", "CFB8", "aes"),
        ("aes_cfb128", "AES/CFB", "CFB128", "CFB128", "aes"),
        ("aes_ofb", "AES/OFB", "OFB", "OFB", "aes"),
        ("tdes_ecb", "3DES/ECB", "TECB", "ECB", "tdes"),
        ("tdes_cbc", "3DES/CBC", "TCBC", "CBC", "tdes"),
        ("tdes_cfb1", "3DES/CFB", "TCFB1", "CFB1", "tdes"),
        ("tdes_cfb8", "3DES/CFB", "TCFB8", "CFB8", "tdes"),
        ("tdes_cfb64", "3DES/CFB", "TCFB64", "CFB64", "tdes"),
        ("tdes_ofb", "3DES/OFB", "TOFB", "OFB", "tdes"),
    ]
    for name, folder, prefix, mode, family in plan:
        # The character after the prefix is a letter (GFSbox, MMT, KeySbox, invperm, ...), never a digit:
        # that keeps CFB1 from taking the CFB128 files.
        files = sorted(
            f for f in os.listdir(os.path.join(ciphers, folder))
            if f.startswith(prefix) and f.endswith(".rsp") and not f[len(prefix)].isdigit()
        )
        cases = []
        for f in files:
            key_bits = "".join(ch for ch in f[len(prefix):] if ch.isdigit())
            algorithm = {"128": "AES_128", "192": "AES_192", "256": "AES_256"}.get(key_bits[-3:]) if family == "aes" else None
            for direction, rec in rsp_cases(os.path.join(ciphers, folder, f)):
                cases.append(cipher_case(f"{folder}/{f}", direction, rec, algorithm, mode, mode == "CFB1"))
        source = (
            f"NIST CAVP {'KAT_AES.zip and aesmmt.zip' if family == 'aes' else 'KAT_TDES.zip and tdesmmt.zip'}: "
            f"{', '.join(folder + '/' + f for f in files)}; as shipped in {CRYPTOGRAPHY_VECTORS}"
        )
        write(out_dir, name, source, f"{family.upper()} {mode} known-answer and multi-block message tests", cases)


def convert_sp800_38a(shared, out_dir):
    data = json.load(open(os.path.join(shared, "extracted", "sp800_38a_appendix_f.json")))
    cases = []
    for v in data["vectors"]:
        algorithm = {"AES128": "AES_128", "AES192": "AES_192", "AES256": "AES_256"}[v["alg"]]
        if "plaintext_bits" in v:
            pt, bits = bits_to_hex(v["plaintext_bits"])
            ct, _ = bits_to_hex(v["ciphertext_bits"])
        else:
            pt, ct, bits = v["plaintext"], v["ciphertext"], len(v["plaintext"]) * 4
        src = v["source"]
        for direction, section in zip(("encrypt", "decrypt"), v["sections"]):
            inp, out = (pt, ct) if direction == "encrypt" else (ct, pt)
            cases.append({
                "id": f"SP 800-38A {section} ({src['repo']} {src['path']} @ {src['commit'][:12]})",
                "algorithm": algorithm,
                "mode": v["mode"],
                "direction": direction,
                "key": v["key"].upper(),
                "iv": v["iv"].upper() if v["iv"] else None,
                "input": inp.upper(),
                "output": out.upper(),
                "bits": bits,
            })
    write(out_dir, "aes_sp800_38a",
          "NIST SP 800-38A (2001) Appendix F (F.1-F.4); values carried by GaloisInc/cryptol-specs "
          "Primitive/Symmetric/Cipher/Block/{AES,Modes}/Tests/*.cry @ 3cafa987002d22734bcf2f60b37402bc53626f0a "
          "and Legrandin/pycryptodome lib/Crypto/SelfTest/Cipher/test_OFB.py @ "
          "d12264940c40417915fb85acb8c787ad9da58969 (see ../shared/vectors/extracted/sp800_38a_appendix_f.json)",
          "AES ECB, CBC, CFB1, CFB8, CFB128 and OFB examples", cases)


def convert_cmac(shared, out_dir):
    cases = []
    files = ["nist-800-38b-aes128.txt", "nist-800-38b-aes192.txt", "nist-800-38b-aes256.txt", "nist-800-38b-3des.txt"]
    for f in files:
        for _, rec in rsp_cases(os.path.join(shared, "cryptography_vectors", "CMAC", f)):
            if "KEY" in rec:
                key = rec["KEY"]
                algorithm = {32: "AES_128", 48: "AES_192", 64: "AES_256"}[len(key)]
            else:
                k1, k2, k3 = rec["KEY1"], rec["KEY2"], rec["KEY3"]
                algorithm, key = ("TDES_2KEY", k1 + k2) if k1 == k3 else ("TDES_3KEY", k1 + k2 + k3)
            cases.append({
                "id": f"CMAC/{f} COUNT={rec['COUNT']}",
                "algorithm": algorithm,
                "key": key.upper(),
                "message": rec.get("MESSAGE", "").upper(),
                "mac": rec["OUTPUT"].upper(),
            })
    write(out_dir, "cmac_sp800_38b",
          f"NIST SP 800-38B Appendix D examples: CMAC/{{{','.join(files)}}} as shipped in {CRYPTOGRAPHY_VECTORS}",
          "AES-CMAC and TDES-CMAC", cases)


def convert_kcv(shared, out_dir):
    data = json.load(open(os.path.join(shared, "extracted", "kcv_examples.json")))
    cases = [{
        "id": "known answer given in paycrypt issue 2 (AES-128 key of SP 800-38B D.1, CMAC KCV)",
        "algorithm": "AES_128",
        "kcv_algorithm": "CMAC",
        "key": "2B7E151628AED2A6ABF7158809CF4F3C",
        "kcv": "7AD386",
        "source": "NIST SP 800-38B D.1 key; the 3-byte prefix of AES-CMAC over 16 zero bytes",
    }]
    for e in data["examples"]:
        src = e["source"]
        cases.append({
            "id": e["name"],
            "algorithm": {"TDES2": "TDES_2KEY", "TDES3": "TDES_3KEY", "AES128": "AES_128",
                          "AES192": "AES_192", "AES256": "AES_256"}[e["alg"]],
            "kcv_algorithm": "CMAC" if e["method"].startswith("CMAC") else "ANSI_X9_24",
            "key": e["key"].upper(),
            "kcv": e["kcv"].upper(),
            "source": f"{src['repo']} {src['path']} @ {src['commit']}",
        })
    write(out_dir, "kcv",
          "../shared/vectors/extracted/kcv_examples.json (psec docstring; openemv/tr31 test/tr31_decrypt_test.c @ "
          "d230c2846686d92cf36775141250b3a5fe814363: TR-31:2018 A.7 and X9.143 examples); definitions from the AWS "
          "Payment Cryptography API reference (WrappedKey.KeyCheckValueAlgorithm)",
          "Key check values of clear keys; a KCV may be 2, 3 or 5 bytes: compare that prefix", cases)


def write(out_dir, name, source, description, cases):
    path = os.path.join(out_dir, f"{name}.json")
    with open(path, "w") as f:
        json.dump({"source": source, "description": description, "cases": cases}, f, indent=1)
        f.write("\n")
    print(f"{path}: {len(cases)} cases")


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join("..", "shared", "vectors")
    out_dir = "vectors"
    os.makedirs(out_dir, exist_ok=True)
    convert_cavp(shared, out_dir)
    convert_sp800_38a(shared, out_dir)
    convert_cmac(shared, out_dir)
    convert_kcv(shared, out_dir)


if __name__ == "__main__":
    main()
