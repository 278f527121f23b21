#!/usr/bin/env python3
"""Interop of `paycrypt rsa` and `paycrypt jwe` with pyca/cryptography, jwcrypto and joserfc.

paycrypt encrypts and they decrypt; they encrypt and paycrypt decrypts: every RSA padding (PKCS1,
OAEP_SHA1/256/512, with and without label) and every JWE alg/enc pair, with random keys (a handful
made here, reused) and random payloads. Also: keys written by `paycrypt rsa generate` load in pyca and
jwcrypto, and JSON field encryption opens with jwcrypto. Closes with `test_rsa_jwe: N passed, M failed`.
"""
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding as pad
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwe as jf_jwe
from joserfc.jwk import RSAKey as JfRSAKey
from jwcrypto import jwe as jc_jwe
from jwcrypto import jwk as jc_jwk

BIN = os.environ.get("PAYCRYPT_BIN", "target/debug/paycrypt")
RNG = random.Random(int(os.environ.get("INTEROP_SEED", "0")) or None)
PADDINGS = ["PKCS1", "OAEP_SHA1", "OAEP_SHA256", "OAEP_SHA512"]
HASHES = {"OAEP_SHA1": hashes.SHA1, "OAEP_SHA256": hashes.SHA256, "OAEP_SHA512": hashes.SHA512}
OVERHEAD = {"PKCS1": 11, "OAEP_SHA1": 42, "OAEP_SHA256": 66, "OAEP_SHA512": 130}
ALGS = ["RSA-OAEP-256", "RSA-OAEP"]
ENCS = ["A256GCM", "A192GCM", "A128GCM"]

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def run(args, stdin=b""):
    p = subprocess.run([BIN, *args], input=stdin, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError(f"paycrypt {' '.join(args[:3])} failed: {p.stderr.decode()}")
    return p.stdout


def oaep(name, label):
    h = HASHES[name]
    return pad.OAEP(mgf=pad.MGF1(algorithm=h()), algorithm=h(), label=label or None)


def main():
    tmp = tempfile.mkdtemp(prefix="paycrypt-interop-")
    keys = []
    for i, bits in enumerate([2048, 2048, 3072]):
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        prefix = os.path.join(tmp, f"k{i}")
        with open(prefix + ".pem", "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        with open(prefix + ".pub.pem", "wb") as f:
            f.write(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
        jwk = jc_jwk.JWK.from_pem(open(prefix + ".pem", "rb").read())
        jwk_dict = json.loads(jwk.export_private())
        jwk_dict.update(kid=f"kid-{i}", use="enc")
        with open(prefix + ".jwk", "w") as f:
            json.dump(jwk_dict, f)
        keys.append((key, prefix, bits, jc_jwk.JWK(**jwk_dict)))

    # RSA: each padding, both directions, random keys, messages and labels.
    for padding in PADDINGS:
        for _ in range(8):
            key, prefix, bits, _ = RNG.choice(keys)
            msg = RNG.randbytes(RNG.randint(0, bits // 8 - OVERHEAD[padding]))
            label = RNG.randbytes(RNG.randint(1, 16)) if padding != "PKCS1" and RNG.random() < 0.5 else b""
            extra = ["--label", label.hex()] if label else []
            ct = json.loads(run(["rsa", "encrypt", "--public-key", prefix + ".pub.pem", "--padding", padding,
                                 "--plain-text", msg.hex(), *extra]))["CipherText"]
            if padding == "PKCS1":
                pt = key.decrypt(bytes.fromhex(ct), pad.PKCS1v15())
            else:
                pt = key.decrypt(bytes.fromhex(ct), oaep(padding, label))
            check(f"paycrypt->pyca {padding} {bits}", pt == msg)
            theirs = key.public_key().encrypt(msg, pad.PKCS1v15() if padding == "PKCS1" else oaep(padding, label))
            out = json.loads(run(["rsa", "decrypt", "--private-key", prefix + ".jwk", "--padding", padding,
                                  "--cipher-text", theirs.hex(), *extra]))["PlainText"]
            check(f"pyca->paycrypt {padding} {bits}", bytes.fromhex(out) == msg)

    # JWE: each alg/enc pair, both directions, with jwcrypto and joserfc.
    for alg, enc, _ in itertools.product(ALGS, ENCS, range(2)):
        key, prefix, bits, jc_key = RNG.choice(keys)
        kid = jc_key.get("kid")
        # jwcrypto cannot open a JWE whose ciphertext part is empty ("No recipient matched"), though
        # RFC 7516 allows an empty plaintext; empty payloads are checked with joserfc below.
        payload = RNG.randbytes(RNG.randint(1, 300))
        token = run(["jwe", "encrypt", "--key", prefix + ".jwk", "--alg", alg, "--enc", enc], payload).strip()
        tok = jc_jwe.JWE()
        tok.deserialize(token.decode(), key=jc_key)
        header = json.loads(tok.objects["protected"])
        check(f"paycrypt->jwcrypto {alg} {enc}", tok.payload == payload and header.get("kid") == kid)
        jf_key = JfRSAKey.import_key(open(prefix + ".pem", "rb").read())
        out = jf_jwe.decrypt_compact(token, jf_key, algorithms=[alg, enc])
        check(f"paycrypt->joserfc {alg} {enc}", out.plaintext == payload)

        made = jc_jwe.JWE(payload, protected=json.dumps({"alg": alg, "enc": enc, "kid": kid}))
        made.add_recipient(jc_key)
        got = run(["jwe", "decrypt", "--key", prefix + ".jwk"], made.serialize(compact=True).encode())
        check(f"jwcrypto->paycrypt {alg} {enc}", got == payload)
        made = jf_jwe.encrypt_compact({"alg": alg, "enc": enc, "kid": kid}, payload, jf_key,
                                      algorithms=[alg, enc])
        got = run(["jwe", "decrypt", "--key", prefix + ".pem"], made.encode())
        check(f"joserfc->paycrypt {alg} {enc}", got == payload)

    # An empty payload, both directions, with joserfc.
    for alg, enc in itertools.product(ALGS, ENCS):
        key, prefix, bits, jc_key = RNG.choice(keys)
        jf_key = JfRSAKey.import_key(open(prefix + ".pem", "rb").read())
        token = run(["jwe", "encrypt", "--key", prefix + ".jwk", "--alg", alg, "--enc", enc], b"").strip()
        out = jf_jwe.decrypt_compact(token, jf_key, algorithms=[alg, enc])
        check(f"empty paycrypt->joserfc {alg} {enc}", out.plaintext == b"")
        made = jf_jwe.encrypt_compact({"alg": alg, "enc": enc}, b"", jf_key, algorithms=[alg, enc])
        got = run(["jwe", "decrypt", "--key", prefix + ".pem"], made.encode())
        check(f"empty joserfc->paycrypt {alg} {enc}", got == b"")

    # A JWKS with every key: the token's kid chooses.
    jwks = os.path.join(tmp, "jwks.json")
    with open(jwks, "w") as f:
        json.dump({"keys": [json.loads(k[3].export_private()) for k in keys]}, f)
    for key, prefix, bits, jc_key in keys:
        made = jc_jwe.JWE(b"by kid", protected=json.dumps({"alg": "RSA-OAEP-256", "enc": "A256GCM",
                                                           "kid": jc_key.get("kid")}))
        made.add_recipient(jc_key)
        got = run(["jwe", "decrypt", "--key", jwks], made.serialize(compact=True).encode())
        check(f"jwks kid {jc_key.get('kid')}", got == b"by kid")

    # JSON field encryption opens field by field in jwcrypto; its tokens open in paycrypt.
    key, prefix, bits, jc_key = keys[0]
    doc = {"login": "jdoe", "password": "p\u00e4ss \"w\u00f6rd\"", "otp": str(RNG.randint(0, 999999)), "n": 1}
    sealed = json.loads(run(["jwe", "encrypt-fields", "--key", prefix + ".jwk", "--field", "password",
                             "--field", "/otp"], json.dumps(doc).encode()))
    ok = list(sealed) == list(doc) and sealed["login"] == "jdoe" and sealed["n"] == 1
    for field in ["password", "otp"]:
        tok = jc_jwe.JWE()
        tok.deserialize(sealed[field], key=jc_key)
        ok = ok and tok.payload.decode() == doc[field]
    check("encrypt-fields -> jwcrypto", ok)
    theirs = dict(doc)
    for field in ["password", "otp"]:
        made = jc_jwe.JWE(doc[field].encode(), protected=json.dumps({"alg": "RSA-OAEP-256", "enc": "A256GCM",
                                                                     "kid": "kid-0"}))
        made.add_recipient(jc_key)
        theirs[field] = made.serialize(compact=True)
    opened = json.loads(run(["jwe", "decrypt-fields", "--key", prefix + ".pem"], json.dumps(theirs).encode()))
    check("jwcrypto -> decrypt-fields", opened == doc)

    # Keys written by paycrypt load elsewhere.
    out = json.loads(run(["rsa", "generate", "--bits", "2048", "--out", os.path.join(tmp, "gen.pem"),
                          "--jwk-out", os.path.join(tmp, "gen.jwk"), "--kid", "gen"]))
    gen = serialization.load_pem_private_key(open(os.path.join(tmp, "gen.pem"), "rb").read(), None)
    pub = serialization.load_pem_public_key(out["PublicKey"].encode())
    gen_jwk = jc_jwk.JWK(**json.load(open(os.path.join(tmp, "gen.jwk"))))
    check("generate -> pyca/jwcrypto", gen.key_size == 2048
          and gen.public_key().public_numbers() == pub.public_numbers()
          and gen_jwk.get("kid") == "gen" and gen_jwk.has_private
          and oct(os.stat(os.path.join(tmp, "gen.pem")).st_mode)[-3:] == "600")

    print(f"test_rsa_jwe: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
