#!/usr/bin/env python3
"""Times the peers of benches/rsa_jwe.rs on the same operations and prints paycrypt's ratios.

    cargo bench --bench rsa_jwe -- --save-baseline pure
    cargo bench --bench rsa_jwe --features aws-lc -- --save-baseline aws-lc
    target/venv/bin/python benches/peers/compare.py [--seconds 2]

Peers: pyca/cryptography (OpenSSL) for RSA-OAEP-SHA256; jwcrypto, joserfc and node `jose` for JWE
RSA-OAEP-256 + A256GCM of a 200-byte JSON payload. paycrypt's figures are read from criterion's
saved baselines (target/criterion/<group>/<op>/<baseline>/estimates.json). Node `jose` is installed
with npm into target/bench-node on first use.
"""
import argparse
import json
import os
import shutil
import subprocess
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from joserfc import jwe as jf_jwe
from joserfc.jwk import RSAKey as JfRSAKey
from jwcrypto import jwe as jc_jwe
from jwcrypto import jwk as jc_jwk

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
PAYLOAD = (b'{"login":"jean.dupont@example.com","password":"correct horse battery staple","otp":"123456",'
           b'"device":"3f2c9a1e-7d4b-4e8a-9c61-5b0f2d8e4a17","ts":1732368000,"lang":"fr",'
           b'"note":"end to end encrypted k"}')
assert len(PAYLOAD) == 200


def rate(op, seconds):
    for _ in range(10):
        op()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        op()
        n += 1
    return n / (time.perf_counter() - start)


def criterion(group, op, baseline):
    path = os.path.join(ROOT, "target/criterion", group, op, baseline, "estimates.json")
    try:
        with open(path) as f:
            return 1e9 / json.load(f)["mean"]["point_estimate"]
    except OSError:
        return None


def node_jose(seconds):
    if not shutil.which("node") or not shutil.which("npm"):
        return {}
    work = os.path.join(ROOT, "target/bench-node")
    os.makedirs(work, exist_ok=True)
    if not os.path.isdir(os.path.join(work, "node_modules/jose")):
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "jose"], cwd=work, check=True)
    shutil.copy(os.path.join(ROOT, "benches/peers/jose_bench.mjs"), work)
    out = subprocess.run(["node", "jose_bench.mjs", PAYLOAD.decode(), str(seconds)], cwd=work,
                         capture_output=True, check=True, text=True)
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    s = parser.parse_args().seconds
    rows = []
    oaep = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    msg = b"0123456789abcdef0123456789abcdef"
    for bits in (2048, 3072):
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        pub = key.public_key()
        ct = pub.encrypt(msg, oaep)
        group = f"rsa{bits}_oaep_sha256"
        rows.append((f"RSA-{bits} OAEP-SHA256 encrypt", group, "encrypt", {"pyca": rate(lambda: pub.encrypt(msg, oaep), s)}))
        pyca_decrypt = {"pyca": rate(lambda: key.decrypt(ct, oaep), s)}
        rows.append((f"RSA-{bits} OAEP-SHA256 decrypt", group, "decrypt", pyca_decrypt))
        # The rsa crate's own blinded private operation, benched in the same run as ours: the "before".
        rows.append((f"RSA-{bits} OAEP-SHA256 decrypt, rsa crate", group, "decrypt_rsa_crate", pyca_decrypt))

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    from cryptography.hazmat.primitives import serialization
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    jc_key = jc_jwk.JWK.from_pem(pem)
    jf_key = JfRSAKey.import_key(pem)
    header = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "bench"}

    def jc_encrypt():
        t = jc_jwe.JWE(PAYLOAD, protected=json.dumps(header))
        t.add_recipient(jc_key)
        return t.serialize(compact=True)

    def jc_decrypt(token):
        t = jc_jwe.JWE()
        t.deserialize(token, key=jc_key)
        return t.payload

    token = jc_encrypt()
    algs = ["RSA-OAEP-256", "A256GCM"]
    node = node_jose(s)
    group = "jwe_rsa_oaep_256_a256gcm_200b"
    rows.append(("JWE RSA-OAEP-256+A256GCM encrypt (200 B)", group, "encrypt", {
        "jwcrypto": rate(jc_encrypt, s),
        "joserfc": rate(lambda: jf_jwe.encrypt_compact(header, PAYLOAD, jf_key, algorithms=algs), s),
        "node jose": node.get("jwe_encrypt"),
    }))
    rows.append(("JWE RSA-OAEP-256+A256GCM decrypt (200 B)", group, "decrypt", {
        "jwcrypto": rate(lambda: jc_decrypt(token), s),
        "joserfc": rate(lambda: jf_jwe.decrypt_compact(token, jf_key, algorithms=algs), s),
        "node jose": node.get("jwe_decrypt"),
    }))

    print(f"{'operation':44} {'paycrypt':>10} {'+aws-lc':>10}  peers (ops/s)              ratio vs fastest peer")
    for name, group, op, peers in rows:
        pure, lc = criterion(group, op, "pure"), criterion(group, op, "aws-lc")
        peers = {k: v for k, v in peers.items() if v}
        best_name, best = max(peers.items(), key=lambda kv: kv[1])
        peer_text = ", ".join(f"{k} {v:,.0f}" for k, v in peers.items())
        fmt = lambda v: f"{v:10,.0f}" if v else f"{'-':>10}"
        ratio = lambda v: f"{v / best:.2f}x" if v else "-"
        print(f"{name:44} {fmt(pure)} {fmt(lc)}  {peer_text}  pure {ratio(pure)}, aws-lc {ratio(lc)} (vs {best_name})")


if __name__ == "__main__":
    main()
