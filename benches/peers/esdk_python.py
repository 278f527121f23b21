#!/usr/bin/env python3
"""The Python peer of benches/esdk.rs: the AWS Encryption SDK for Python (`aws-encryption-sdk`, over
pyca/cryptography, i.e. OpenSSL) on the same operations, and paycrypt's ratios.

- encrypt and decrypt of 1 KiB and 1 MiB, suites 0x0478 and 0x0578, frames of 4096 bytes, context
  {"purpose": "bench"};
- `kms`: StrictAwsKmsMasterKeyProvider against `paycrypt serve` (a release build, in memory) over HTTP
  on the loopback, so each message includes one GenerateDataKey or Decrypt round trip (with botocore's
  own overhead, which an in-process Rust call does not have: compare the `raw` rows for the SDK itself);
- `raw`: a RawMasterKeyProvider with a 256-bit AES key (AES_256_GCM_IV12_TAG16_NO_PADDING), no KMS.

    cargo build --release --bin paycrypt
    cargo bench --bench esdk -- --save-baseline esdk
    target/venv/bin/python benches/peers/esdk_python.py [--seconds 2] [--bin target/release/paycrypt]

Prints one line per operation: the Python SDK's time per message, paycrypt's (from criterion's saved
baseline `esdk`, target/criterion/esdk_<suite>/<op>/<size>/esdk/estimates.json, when there), and the
ratio (how many times faster paycrypt is).
"""
import argparse
import json
import os
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
sys.path.insert(0, os.path.join(ROOT, "tests", "interop"))

import aws_encryption_sdk  # noqa: E402
import botocore.session  # noqa: E402
from aws_encryption_sdk import CommitmentPolicy, StrictAwsKmsMasterKeyProvider  # noqa: E402
from aws_encryption_sdk.identifiers import Algorithm, EncryptionKeyType, WrappingAlgorithm  # noqa: E402
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey  # noqa: E402
from aws_encryption_sdk.key_providers.raw import RawMasterKeyProvider  # noqa: E402

SUITES = {"0x0478": Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
          "0x0578": Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384}
SIZES = {"1KiB": 1024, "1MiB": 1 << 20}
CONTEXT = {"purpose": "bench"}


class RawProvider(RawMasterKeyProvider):
    provider_id = "bench"

    def __init__(self, **kwargs):  # noqa: D107 - the SDK's documented pattern
        pass

    def _get_raw_key(self, key_id):
        return WrappingKey(wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
                           wrapping_key=bytes([7] * 32), wrapping_key_type=EncryptionKeyType.SYMMETRIC)


def per_call(fn, seconds):
    """Seconds per call of `fn`, timed for about `seconds` after one warm-up call."""
    fn()
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and n >= 3:
            return elapsed / n


def paycrypt_estimate(suite, op, size):
    path = os.path.join(ROOT, "target", "criterion", f"esdk_{suite}", op, size, "esdk", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["mean"]["point_estimate"] / 1e9
    except (OSError, KeyError, ValueError):
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "paycrypt"))
    args = parser.parse_args()
    os.environ["PAYCRYPT_BIN"] = args.bin
    os.environ.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
                      AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    from serverlib import Server  # after PAYCRYPT_BIN is set

    srv = Server("--quiet")
    os.environ["AWS_ENDPOINT_URL_KMS"] = srv.url
    try:
        arn = srv.client("kms").create_key()["KeyMetadata"]["Arn"]
        client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
        kms = StrictAwsKmsMasterKeyProvider(key_ids=[arn], botocore_session=botocore.session.Session())
        raw = RawProvider()
        raw.add_master_key(b"raw-1")
        print(f"{'operation':<34} {'python':>12} {'paycrypt':>12} {'ratio':>8}")
        for suite, algorithm in SUITES.items():
            for size_name, size in SIZES.items():
                plaintext = bytes([0x5A]) * size
                for ring, provider in (("kms", kms), ("raw", raw)):
                    def enc():
                        return client.encrypt(source=plaintext, key_provider=provider, encryption_context=CONTEXT,
                                              algorithm=algorithm, frame_length=4096)[0]
                    message = enc()
                    rows = (("encrypt", enc), ("decrypt", lambda: client.decrypt(source=message, key_provider=provider)))
                    for op, fn in rows:
                        py = per_call(fn, args.seconds)
                        ours = paycrypt_estimate(suite, f"{op}_{ring}", size_name)
                        ratio = f"{py / ours:7.2f}x" if ours else "-"
                        ours_text = f"{ours * 1e6:10.1f}us" if ours else "-"
                        print(f"{suite} {op}_{ring} {size_name:<16} {py * 1e6:10.1f}us {ours_text:>12} {ratio:>8}",
                              flush=True)
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
