#!/usr/bin/env python3
"""Writes vectors/esdk_python_sdk.json: AWS Encryption SDK messages made by the AWS Encryption SDK for
Python with a raw AES wrapping key, one group per algorithm suite (all eleven; the message format 1
suites under FORBID_ENCRYPT_ALLOW_DECRYPT, which is how such messages were made before key
commitment), framed and non-framed, for tests/esdk_vectors.rs to decrypt.

    pip install 'aws-encryption-sdk>=4'
    python3 scripts/vectors/esdk_python.py

The plaintexts are fixed (no randomness in the inputs), but every run makes new messages: message ids,
IVs and signing keys are random, so a rerun rewrites the whole file.
"""
import base64
import json
from pathlib import Path

import aws_encryption_sdk
from aws_encryption_sdk.identifiers import AlgorithmSuite, CommitmentPolicy, EncryptionKeyType, WrappingAlgorithm
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.raw import RawMasterKey

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE, NAME, KEY = "paycrypt-vectors", "python-aes-256", bytes(range(32))
CONTEXT = {"purpose": "paycrypt esdk vectors", "tenant": "t-1"}
# (plaintext length, frame length; 0 = non-framed). The Python SDK wants frame lengths that are
# multiples of 128.
SHAPES = [(0, 4096), (100, 0), (100, 128), (300, 128), (512, 256)]


def plaintext(n):
    return bytes((i * 7 + 3) % 256 for i in range(n))


def main():
    key = RawMasterKey(
        provider_id=NAMESPACE,
        key_id=NAME.encode(),
        wrapping_key=WrappingKey(
            wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
            wrapping_key=KEY,
            wrapping_key_type=EncryptionKeyType.SYMMETRIC,
        ),
    )
    strict = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    legacy = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
    cases = []
    for suite in sorted(AlgorithmSuite, key=lambda s: s.algorithm_id):
        client = strict if suite.is_committing() else legacy
        for size, frame_length in SHAPES:
            pt = plaintext(size)
            ct, _ = client.encrypt(
                source=pt, key_provider=key, algorithm=suite, frame_length=frame_length, encryption_context=CONTEXT
            )
            cases.append({
                "id": f"0x{suite.algorithm_id:04x} {suite.name}, {size} bytes, frame length {frame_length}",
                "suite": f"0x{suite.algorithm_id:04x}",
                "frame_length": frame_length,
                "plaintext": pt.hex(),
                "message": base64.b64encode(ct).decode(),
            })
    out = {
        "source": f"made with the AWS Encryption SDK for Python {aws_encryption_sdk.__version__} "
        "(RawMasterKey, AES_256_GCM_IV12_TAG16_NO_PADDING) by scripts/vectors/esdk_python.py",
        "description": "Messages of every ESDK suite, framed and non-framed, with the raw AES key below; each "
        "decrypts to its plaintext with the context below",
        "key_namespace": NAMESPACE,
        "key_name": NAME,
        "wrapping_key": KEY.hex(),
        "encryption_context": CONTEXT,
        "cases": cases,
    }
    path = ROOT / "vectors" / "esdk_python_sdk.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
