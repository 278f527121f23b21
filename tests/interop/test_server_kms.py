#!/usr/bin/env python3
"""Interop: AWS KMS clients against `paycrypt serve` (awsJson1_1, `TrentService.<Op>`).

- boto3 `kms`: every operation paycrypt serves; KeyId in responses is the full key ARN whatever the
  caller named (id, ARN, alias, alias ARN); an empty context equals none;
- the errors AWS raises, as boto3's modeled exceptions with AWS's statuses: wrong context, swapped
  context bytes ({"ab":"c"} vs {"a":"bc"}), wrong key (IncorrectKeyException), disabled key, key pending
  deletion, unknown key, bad grant token, 11 grant tokens, 4097 bytes;
- every single-byte change of a blob is refused; a blob never decrypts under another key;
- RSA keys: RSAES_OAEP_SHA_1/SHA_256 ciphertexts that pyca/cryptography decrypts with the public
  half's partner... checked by round trip and by encrypting with pyca to the public key KMS returns;
- grants: create, list, use as grant token, retire, revoke;
- fault rules: KeyUnavailableException and DependencyTimeoutException as a boto3 caller sees them;
- the AWS CLI (`aws kms encrypt/decrypt --endpoint-url`), the paycrypt CLI (`paycrypt kms … --endpoint-url`);
- the AWS Encryption SDK for Python (KMS master key provider) and aws-encryption-cli, pointed at the
  server with AWS_ENDPOINT_URL_KMS: encrypt and decrypt a message under a paycrypt KMS key.
Prints `server_kms: N passed, M failed`.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

from serverlib import ACCOUNT, BIN, REGION, Server, Tally, error_of

T = Tally("server_kms")


def kms_arn(key_id):
    return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"


def expect(call, code, status, what):
    err = error_of(call)
    T.check(err is not None and err[0] == code and err[1] == status, f"{what}: expected {code}/{status}, got {err}")


def operations(srv):
    kms = srv.client("kms")
    loose = srv.client("kms", parameter_validation=False)
    meta = kms.create_key(Description="paycrypt test")["KeyMetadata"]
    key_id, arn = meta["KeyId"], meta["Arn"]
    T.check(arn == kms_arn(key_id) and meta["KeySpec"] == "SYMMETRIC_DEFAULT" and meta["KeyState"] == "Enabled",
            f"create-key {meta}")
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    T.check(kms.describe_key(KeyId="alias/app")["KeyMetadata"]["Arn"] == arn, "describe by alias")
    listed = [k["KeyId"] for page in kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 1})
              for k in page["Keys"]]
    T.check(key_id in listed and other in listed, f"list-keys {listed}")
    aliases = [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
    T.check("alias/app" in aliases, f"list-aliases {aliases}")

    ctx = {"purpose": "test", "tenant": "42"}
    for name in (key_id, arn, "alias/app", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/app"):
        out = kms.encrypt(KeyId=name, Plaintext=b"secret", EncryptionContext=ctx)
        T.check(out["KeyId"] == arn and out["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT", f"encrypt via {name}: {out['KeyId']}")
        back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext=ctx)
        T.check(back["Plaintext"] == b"secret" and back["KeyId"] == arn, f"decrypt (no KeyId) of {name}")
    blob = kms.encrypt(KeyId="alias/app", Plaintext=b"x" * 4096)["CiphertextBlob"]
    T.check(kms.decrypt(CiphertextBlob=blob, EncryptionContext={})["Plaintext"] == b"x" * 4096, "empty context equals none")
    blob = kms.encrypt(KeyId="alias/app", Plaintext=b"y", EncryptionContext={})["CiphertextBlob"]
    T.check(kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"y", "{} on encrypt, none on decrypt")

    swapped = kms.encrypt(KeyId=key_id, Plaintext=b"p", EncryptionContext={"ab": "c"})["CiphertextBlob"]
    expect(lambda: kms.decrypt(CiphertextBlob=swapped, EncryptionContext={"a": "bc"}), "InvalidCiphertextException", 400,
           "swapped context bytes")
    expect(lambda: kms.decrypt(CiphertextBlob=swapped, EncryptionContext={"ab": "C"}), "InvalidCiphertextException", 400,
           "wrong context value")
    expect(lambda: kms.decrypt(CiphertextBlob=swapped), "InvalidCiphertextException", 400, "context missing")
    expect(lambda: kms.decrypt(CiphertextBlob=swapped, KeyId=other, EncryptionContext={"ab": "c"}),
           "IncorrectKeyException", 400, "wrong KeyId on decrypt")
    expect(lambda: kms.encrypt(KeyId="alias/nope", Plaintext=b"p"), "NotFoundException", 404, "unknown alias")
    expect(lambda: kms.encrypt(KeyId="11111111-2222-3333-4444-555555555555", Plaintext=b"p"), "NotFoundException", 404,
           "unknown key")
    expect(lambda: loose.encrypt(KeyId=key_id, Plaintext=b"z" * 4097), "ValidationException", 400, "4097 bytes")
    expect(lambda: loose.encrypt(KeyId=key_id, Plaintext=b"p", GrantTokens=["t"] * 11), "ValidationException", 400,
           "11 grant tokens")
    expect(lambda: kms.encrypt(KeyId=key_id, Plaintext=b"p", GrantTokens=["not-a-grant"]),
           "InvalidGrantTokenException", 400, "bad grant token")

    # Tampering: every byte of a blob, one at a time.
    blob = bytearray(kms.encrypt(KeyId=key_id, Plaintext=b"tamper me", EncryptionContext=ctx)["CiphertextBlob"])
    refused = 0
    for i in range(len(blob)):
        bad = bytearray(blob)
        bad[i] ^= 0x01
        if error_of(lambda: kms.decrypt(CiphertextBlob=bytes(bad), EncryptionContext=ctx)):
            refused += 1
    T.check(refused == len(blob), f"tampered blobs refused: {refused} of {len(blob)}")
    expect(lambda: kms.decrypt(CiphertextBlob=bytes(blob), KeyId=other, EncryptionContext=ctx),
           "IncorrectKeyException", 400, "blob under another key")

    # ReEncrypt, data keys, random.
    re = kms.re_encrypt(CiphertextBlob=bytes(blob), SourceEncryptionContext=ctx, DestinationKeyId=other,
                        DestinationEncryptionContext={"new": "ctx"})
    T.check(re["KeyId"] == kms_arn(other) and re["SourceKeyId"] == arn, f"re-encrypt {re.get('SourceKeyId')}")
    T.check(kms.decrypt(CiphertextBlob=re["CiphertextBlob"], EncryptionContext={"new": "ctx"})["Plaintext"] == b"tamper me",
            "re-encrypted blob decrypts")
    dk = kms.generate_data_key(KeyId="alias/app", KeySpec="AES_256", EncryptionContext=ctx)
    T.check(len(dk["Plaintext"]) == 32 and dk["KeyId"] == arn, "generate-data-key")
    T.check(kms.decrypt(CiphertextBlob=dk["CiphertextBlob"], EncryptionContext=ctx)["Plaintext"] == dk["Plaintext"],
            "data key decrypts")
    dk = kms.generate_data_key(KeyId=key_id, NumberOfBytes=64)
    T.check(len(dk["Plaintext"]) == 64, "generate-data-key NumberOfBytes")
    wo = kms.generate_data_key_without_plaintext(KeyId=key_id, KeySpec="AES_128")
    T.check("Plaintext" not in wo and len(kms.decrypt(CiphertextBlob=wo["CiphertextBlob"])["Plaintext"]) == 16,
            "generate-data-key-without-plaintext")
    T.check(len(kms.generate_random(NumberOfBytes=100)["Plaintext"]) == 100, "generate-random")

    # Grants.
    grant = kms.create_grant(KeyId=key_id, GranteePrincipal="arn:aws:iam::111122223333:role/app",
                             Operations=["Encrypt", "Decrypt"], RetiringPrincipal="arn:aws:iam::111122223333:role/ops")
    T.check(kms.encrypt(KeyId=key_id, Plaintext=b"g", GrantTokens=[grant["GrantToken"]])["KeyId"] == arn,
            "grant token accepted")
    grants = kms.list_grants(KeyId=key_id)["Grants"]
    T.check([g["GrantId"] for g in grants] == [grant["GrantId"]], f"list-grants {grants}")
    kms.revoke_grant(KeyId=key_id, GrantId=grant["GrantId"])
    expect(lambda: kms.encrypt(KeyId=key_id, Plaintext=b"g", GrantTokens=[grant["GrantToken"]]),
           "InvalidGrantTokenException", 400, "revoked grant's token")
    g2 = kms.create_grant(KeyId=key_id, GranteePrincipal="arn:aws:iam::111122223333:role/app", Operations=["Decrypt"])
    kms.retire_grant(GrantToken=g2["GrantToken"])
    T.check(kms.list_grants(KeyId=key_id)["Grants"] == [], "retire-grant")
    other_grant = kms.create_grant(KeyId=other, GranteePrincipal="arn:aws:iam::111122223333:role/app",
                                   Operations=["Encrypt"])
    expect(lambda: kms.encrypt(KeyId=key_id, Plaintext=b"g", GrantTokens=[other_grant["GrantToken"]]),
           "InvalidGrantTokenException", 400, "another key's grant token")

    # Key states.
    kms.disable_key(KeyId=key_id)
    expect(lambda: kms.encrypt(KeyId="alias/app", Plaintext=b"p"), "DisabledException", 409, "disabled key")
    try:
        kms.encrypt(KeyId="alias/app", Plaintext=b"p")
    except kms.exceptions.DisabledException:
        T.check(True, "")
    kms.enable_key(KeyId=key_id)
    sched = kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    T.check(sched["KeyState"] == "PendingDeletion" and sched["KeyId"] == arn, f"schedule-key-deletion {sched}")
    expect(lambda: kms.encrypt(KeyId=key_id, Plaintext=b"p"), "KMSInvalidStateException", 409, "pending deletion")
    expect(lambda: loose.schedule_key_deletion(KeyId=other, PendingWindowInDays=6), "ValidationException", 400,
           "window of 6 days")
    T.check(kms.cancel_key_deletion(KeyId=key_id)["KeyId"] == arn, "cancel-key-deletion")
    T.check(kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Disabled", "cancelled deletion leaves Disabled")
    kms.enable_key(KeyId=key_id)
    kms.update_alias(AliasName="alias/app", TargetKeyId=other)
    T.check(kms.encrypt(KeyId="alias/app", Plaintext=b"p")["KeyId"] == kms_arn(other), "update-alias")
    kms.delete_alias(AliasName="alias/app")
    expect(lambda: kms.encrypt(KeyId="alias/app", Plaintext=b"p"), "NotFoundException", 404, "deleted alias")
    return key_id


def rsa(srv):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    kms = srv.client("kms")
    for spec, limits in (("RSA_2048", {"RSAES_OAEP_SHA_1": 214, "RSAES_OAEP_SHA_256": 190}),):
        meta = kms.create_key(KeySpec=spec, KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
        T.check(sorted(meta["EncryptionAlgorithms"]) == ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"], f"{spec} algorithms")
        for alg, limit in limits.items():
            msg = os.urandom(limit)
            out = kms.encrypt(KeyId=meta["KeyId"], Plaintext=msg, EncryptionAlgorithm=alg)
            T.check(len(out["CiphertextBlob"]) == 256, f"{spec} {alg} ciphertext length")
            back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"], KeyId=meta["KeyId"], EncryptionAlgorithm=alg)
            T.check(back["Plaintext"] == msg and back["KeyId"] == meta["Arn"], f"{spec} {alg} round trip")
            expect(lambda: kms.encrypt(KeyId=meta["KeyId"], Plaintext=os.urandom(limit + 1), EncryptionAlgorithm=alg),
                   "ValidationException", 400, f"{spec} {alg} over {limit} bytes")
        expect(lambda: kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"p", EncryptionAlgorithm="RSAES_OAEP_SHA_256",
                                   EncryptionContext={"a": "b"}), "ValidationException", 400, "RSA with a context")
        expect(lambda: kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"p"), "InvalidKeyUsageException", 400,
               "RSA key with SYMMETRIC_DEFAULT")
        # A message encrypted by pyca to the key's public half (from GetPublicKey if served) decrypts.
        try:
            der = kms.get_public_key(KeyId=meta["KeyId"])["PublicKey"]
        except Exception:  # noqa: BLE001 (GetPublicKey is not required by the issue)
            der = None
        if der:
            pub = serialization.load_der_public_key(der)
            ct = pub.encrypt(b"from pyca", padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
            back = kms.decrypt(CiphertextBlob=ct, KeyId=meta["KeyId"], EncryptionAlgorithm="RSAES_OAEP_SHA_256")
            T.check(back["Plaintext"] == b"from pyca", "pyca OAEP ciphertext decrypts")


def faults():
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"Rules": [
            {"Operation": "Encrypt", "KeyId": "alias/flaky", "Error": "KeyUnavailableException", "Every": 2},
            {"Operation": "Decrypt", "KeyId": "alias/slow", "Error": "DependencyTimeoutException"},
        ]}, f)
    srv = Server("--faults", f.name)
    try:
        kms = srv.client("kms")
        a = kms.create_key()["KeyMetadata"]["KeyId"]
        b = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/flaky", TargetKeyId=a)
        kms.create_alias(AliasName="alias/slow", TargetKeyId=b)
        seen = [error_of(lambda: kms.encrypt(KeyId="alias/flaky", Plaintext=b"p")) for _ in range(4)]
        T.check(seen[0] is None and seen[2] is None and seen[1] and seen[1][:2] == ("KeyUnavailableException", 500),
                f"KeyUnavailable every 2nd: {seen}")
        try:
            kms.encrypt(KeyId="alias/flaky", Plaintext=b"p")
            kms.encrypt(KeyId="alias/flaky", Plaintext=b"p")
        except kms.exceptions.KeyUnavailableException:
            T.check(True, "")
        blob = kms.encrypt(KeyId=b, Plaintext=b"p")["CiphertextBlob"]
        # The rule names the alias; Decrypt names no key, so the key is the one inside the blob.
        err = error_of(lambda: kms.decrypt(CiphertextBlob=blob))
        T.check(err and err[:2] == ("DependencyTimeoutException", 503), f"DependencyTimeout: {err}")
        try:
            kms.decrypt(CiphertextBlob=blob)
        except kms.exceptions.DependencyTimeoutException:
            T.check(True, "")
    finally:
        srv.stop()
        os.unlink(f.name)


def clis(srv):
    aws = os.path.join(os.path.dirname(sys.executable), "aws")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PAYCRYPT_"))}
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION=REGION,
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    kms = srv.client("kms")
    key = kms.create_key()["KeyMetadata"]
    with tempfile.NamedTemporaryFile("wb", delete=False) as f:
        f.write(b"card data \x00\x01\x02")
    out = subprocess.run([aws, "kms", "encrypt", "--endpoint-url", srv.url, "--key-id", key["KeyId"],
                          "--plaintext", f"fileb://{f.name}", "--encryption-context", "app=pay,env=ci"],
                         capture_output=True, text=True, env=env)
    T.check(out.returncode == 0, f"aws kms encrypt: {out.stderr}")
    if out.returncode == 0:
        enc = json.loads(out.stdout)
        T.check(enc["KeyId"] == key["Arn"], "aws kms encrypt KeyId")
        blob_file = f.name + ".enc"
        with open(blob_file, "wb") as g:
            g.write(base64.b64decode(enc["CiphertextBlob"]))
        out = subprocess.run([aws, "kms", "decrypt", "--endpoint-url", srv.url, "--ciphertext-blob", f"fileb://{blob_file}",
                              "--encryption-context", "app=pay,env=ci"], capture_output=True, text=True, env=env)
        T.check(out.returncode == 0 and base64.b64decode(json.loads(out.stdout)["Plaintext"]) == b"card data \x00\x01\x02",
                f"aws kms decrypt: {out.stderr}")
        # paycrypt's own `kms` commands against the same server.
        out = subprocess.run([BIN, "kms", "decrypt", "--endpoint-url", srv.url, "--ciphertext-blob",
                              f"fileb://{blob_file}", "--encryption-context", "app=pay,env=ci"],
                             capture_output=True, text=True, env=env)
        T.check(out.returncode == 0 and base64.b64decode(json.loads(out.stdout)["Plaintext"]) == b"card data \x00\x01\x02",
                f"paycrypt kms decrypt --endpoint-url: {out.returncode} {out.stderr}")
        out = subprocess.run([BIN, "kms", "decrypt", "--endpoint-url", srv.url, "--ciphertext-blob",
                              f"fileb://{blob_file}", "--encryption-context", "app=pay,env=prod"],
                             capture_output=True, text=True, env=env)
        T.check(out.returncode == 254 and "InvalidCiphertextException" in out.stderr, f"paycrypt kms wrong context: {out.stderr}")
        os.unlink(blob_file)
    os.unlink(f.name)


def encryption_sdk(srv):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PAYCRYPT_"))}
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION=REGION,
               AWS_ENDPOINT_URL_KMS=srv.url, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    key = srv.client("kms").create_key()["KeyMetadata"]["Arn"]
    script = r'''
import sys, aws_encryption_sdk
from aws_encryption_sdk import CommitmentPolicy, StrictAwsKmsMasterKeyProvider
key = sys.argv[1]
client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
provider = StrictAwsKmsMasterKeyProvider(key_ids=[key])
message = b"PAN 4111111111111111, exp 12/29"
ct, header = client.encrypt(source=message, key_provider=provider, encryption_context={"tenant": "acme"})
pt, dheader = client.decrypt(source=ct, key_provider=provider)
assert pt == message, pt
assert dheader.encryption_context["tenant"] == "acme"
print("ESDK-OK", len(ct))
'''
    out = subprocess.run([sys.executable, "-c", script, key], capture_output=True, text=True, env=env, timeout=120)
    T.check(out.returncode == 0 and "ESDK-OK" in out.stdout, f"AWS Encryption SDK: {out.stdout} {out.stderr[-2000:]}")

    cli = os.path.join(os.path.dirname(sys.executable), "aws-encryption-cli")
    work = tempfile.mkdtemp(prefix="paycrypt-esdk-")
    try:
        plain = os.path.join(work, "plain.txt")
        with open(plain, "wb") as f:
            f.write(b"account 12345678, sort code 12-34-56\n" * 10)
        enc, dec = os.path.join(work, "plain.enc"), os.path.join(work, "plain.dec")
        out = subprocess.run([cli, "--encrypt", "--input", plain, "--output", enc, "--wrapping-keys", f"key={key}",
                              "--encryption-context", "purpose=test", "--metadata-output", "-",
                              "--commitment-policy", "require-encrypt-require-decrypt"],
                             capture_output=True, text=True, env=env, timeout=120)
        T.check(out.returncode == 0 and os.path.exists(enc), f"aws-encryption-cli encrypt: {out.stderr[-2000:]}")
        out = subprocess.run([cli, "--decrypt", "--input", enc, "--output", dec, "--wrapping-keys", f"key={key}",
                              "--encryption-context", "purpose=test", "--metadata-output", "-",
                              "--commitment-policy", "require-encrypt-require-decrypt", "--buffer"],
                             capture_output=True, text=True, env=env, timeout=120)
        ok = out.returncode == 0 and os.path.exists(dec) and open(dec, "rb").read() == open(plain, "rb").read()
        T.check(ok, f"aws-encryption-cli decrypt gives back the plaintext: {out.stderr[-2000:]}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    srv = Server()
    try:
        operations(srv)
        rsa(srv)
        clis(srv)
        encryption_sdk(srv)
    finally:
        srv.stop()
    faults()
    T.finish()


if __name__ == "__main__":
    main()
