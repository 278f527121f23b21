#!/usr/bin/env python3
"""Interop: `paycrypt kms` against independent implementations, offline (no server).

- RSA_2048/RSA_3072 KMS keys seeded with keys pyca/cryptography generated: ciphertexts from
  `paycrypt kms encrypt` (RSAES_OAEP_SHA_1 and RSAES_OAEP_SHA_256) decrypt with pyca/cryptography,
  ciphertexts pyca makes decrypt with `paycrypt kms decrypt`, and KMS's plaintext limits hold
  (214/190 bytes for 2048-bit keys, 342/318 for 3072-bit) with one byte more refused;
- SYMMETRIC_DEFAULT blobs made under a seeded key open with pyca's AESGCM given the key, the blob
  layout and the canonical encryption-context encoding (the format paycrypt documents);
- every response's members and enums against botocore's `kms` model.
Prints `kms_local: N passed, M failed` and exits non-zero on any failure.
"""
import base64
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import uuid

from botocore.loaders import Loader
from botocore.model import ServiceModel
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding as pad
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

BIN = os.environ.get("PAYCRYPT_BIN", "target/debug/paycrypt")
RNG = random.Random(int(os.environ.get("INTEROP_SEED", "0")) or None)
MODEL = ServiceModel(Loader().load_service_model("kms", "service-2"), "kms")
passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAILED", what)


def run(args, env, expect=0):
    p = subprocess.run([BIN, *args], capture_output=True, env=env)
    if p.returncode != expect:
        raise RuntimeError(f"{args[:3]} exited {p.returncode}: {p.stderr.decode()}")
    return p


def kms(op_cli, args, env, expect=0):
    p = run(["kms", op_cli, *args], env, expect)
    return json.loads(p.stdout) if expect == 0 and p.stdout.strip() else p


def shape_ok(op, value):
    """Members of `value` (and of nested structures and lists of them) are all in the operation's
    output shape, and enum values in their sets."""
    return members_ok(MODEL.operation_model(op).output_shape, value)


def members_ok(shape, value):
    if shape.type_name == "structure":
        return isinstance(value, dict) and all(
            name in shape.members and members_ok(shape.members[name], v) for name, v in value.items())
    if shape.type_name == "list":
        return isinstance(value, list) and all(members_ok(shape.member, v) for v in value)
    enum = getattr(shape, "enum", None)
    return not enum or value in enum


def oaep(alg):
    h = hashes.SHA1 if alg == "RSAES_OAEP_SHA_1" else hashes.SHA256
    return pad.OAEP(mgf=pad.MGF1(algorithm=h()), algorithm=h(), label=None)


def context_bytes(ctx):
    out = struct.pack(">I", len(ctx))
    for k in sorted(ctx, key=lambda s: s.encode()):
        for part in (k.encode(), ctx[k].encode()):
            out += struct.pack(">I", len(part)) + part
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="paycrypt-kms-interop-")
    env = dict(os.environ, PAYCRYPT_DATA_DIR=os.path.join(tmp, "store"),
               PAYCRYPT_REGION="us-east-1", PAYCRYPT_ACCOUNT_ID="111122223333")
    rsa_keys = []
    seed = {"KmsKeys": [], "KmsAliases": []}
    for bits in (2048, 3072):
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        kid = str(uuid.uuid4())
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        seed["KmsKeys"].append({"KeyId": kid, "KeySpec": f"RSA_{bits}", "KeyMaterial": pem})
        rsa_keys.append((key, kid, bits))
    sym_key = os.urandom(32)
    sym_id = str(uuid.uuid4())
    seed["KmsKeys"].append({"KeyId": sym_id, "KeySpec": "SYMMETRIC_DEFAULT", "KeyMaterial": sym_key.hex()})
    seed["KmsAliases"].append({"AliasName": "alias/interop", "TargetKeyId": sym_id})
    seed_path = os.path.join(tmp, "seed.json")
    with open(seed_path, "w") as f:
        json.dump(seed, f)
    run(["seed", seed_path], env)

    limits = {(2048, "RSAES_OAEP_SHA_1"): 214, (2048, "RSAES_OAEP_SHA_256"): 190,
              (3072, "RSAES_OAEP_SHA_1"): 342, (3072, "RSAES_OAEP_SHA_256"): 318}
    for key, kid, bits in rsa_keys:
        d = kms("describe-key", ["--key-id", kid], env)
        check(d["KeyMetadata"]["KeySpec"] == f"RSA_{bits}" and shape_ok("DescribeKey", d), f"describe RSA_{bits}")
        for alg in ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"):
            limit = limits[(bits, alg)]
            for n in (1, RNG.randint(2, limit - 1), limit):
                msg = RNG.randbytes(n)
                f = os.path.join(tmp, "msg.bin")
                with open(f, "wb") as fh:
                    fh.write(msg)
                out = kms("encrypt", ["--key-id", kid, "--plaintext", f"fileb://{f}", "--encryption-algorithm", alg], env)
                ct = base64.b64decode(out["CiphertextBlob"])
                check(key.decrypt(ct, oaep(alg)) == msg and len(ct) == bits // 8, f"paycrypt->pyca {alg} {bits} {n}B")
                check(shape_ok("Encrypt", out) and out["KeyId"].endswith(kid), f"encrypt shape {alg}")
                theirs = key.public_key().encrypt(msg, oaep(alg))
                dec = kms("decrypt", ["--key-id", kid, "--ciphertext-blob", base64.b64encode(theirs).decode(),
                                      "--encryption-algorithm", alg], env)
                check(base64.b64decode(dec["Plaintext"]) == msg and shape_ok("Decrypt", dec), f"pyca->paycrypt {alg} {bits}")
            over = base64.b64encode(bytes(limit + 1)).decode()
            p = kms("encrypt", ["--key-id", kid, "--plaintext", over, "--encryption-algorithm", alg], env, expect=254)
            check(b"(ValidationException)" in p.stderr, f"limit {alg} {bits}: {p.stderr!r}")

    # SYMMETRIC_DEFAULT: the documented blob format opens with an independent AES-GCM.
    for _ in range(6):
        msg = RNG.randbytes(RNG.randint(1, 4096))
        ctx = {RNG.choice(["a", "ab", "tenant", "é"]) + str(i): RNG.choice(["", "c", "bc", "x" * 20]) for i in range(RNG.randint(0, 4))}
        f = os.path.join(tmp, "msg.bin")
        with open(f, "wb") as fh:
            fh.write(msg)
        args = ["--key-id", "alias/interop", "--plaintext", f"fileb://{f}"]
        if ctx:
            args += ["--encryption-context", json.dumps(ctx)]
        out = kms("encrypt", args, env)
        blob = base64.b64decode(out["CiphertextBlob"])
        n = blob[1]
        head, nonce, body = blob[:2 + n], blob[2 + n:14 + n], blob[14 + n:]
        ok = blob[0] == 1 and head[2:].decode() == f"arn:aws:kms:us-east-1:111122223333:key/{sym_id}"
        plain = AESGCM(sym_key).decrypt(nonce, body, head + context_bytes(ctx))
        check(ok and plain == msg and shape_ok("Encrypt", out), f"symmetric blob opens with pyca ({len(msg)}B, {len(ctx)} pairs)")
        dec = kms("decrypt", ["--ciphertext-blob", out["CiphertextBlob"]] + (["--encryption-context", json.dumps(ctx)] if ctx else []), env)
        check(base64.b64decode(dec["Plaintext"]) == msg, "symmetric round trip")

    dk = kms("generate-data-key", ["--key-id", "alias/interop", "--key-spec", "AES_256"], env)
    check(len(base64.b64decode(dk["Plaintext"])) == 32 and shape_ok("GenerateDataKey", dk), "generate-data-key")
    for op_cli, op in (("list-keys", "ListKeys"), ("list-aliases", "ListAliases")):
        out = kms(op_cli, [], env)
        check(shape_ok(op, out), f"{op} shape")

    print(f"kms_local: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
