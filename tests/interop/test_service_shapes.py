#!/usr/bin/env python3
"""Interop: paycrypt's AWS-mirroring commands against botocore's service models.

Runs every payment-cryptography command paycrypt mirrors on a seeded store and checks:
- each request's JSON parameters against the operation's input shape with botocore's own ParamValidator;
- each response against the operation's output shape: required members, no unknown members, types, enums,
  string lengths and patterns (botocore's validator skips patterns; this script applies them);
- each error line: `An error occurred (<Exception>) when calling the <Operation> operation: ...`, exit 254,
  and the exception is one the model lists for that operation;
- EncryptData/DecryptData/ReEncryptData results against pycryptodome on random keys, IVs and data;
  Dukpt against pydukpt (TDES) and test_dukpt.py's X9.24-3 model (AES) for every DukptKeyVariant;
  Asymmetric against pyca/cryptography in both directions.
Prints `service_shapes: N passed, M failed` and exits non-zero on any failure.
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile

from botocore.loaders import Loader
from botocore.model import ServiceModel
from botocore.validate import ParamValidator
from Crypto.Cipher import AES, DES3

BIN = os.environ.get("PAYCRYPT_BIN", "target/debug/paycrypt")
HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "..", "cmd", "pc", "fixtures", "seed.json")
RNG = random.Random(int(os.environ.get("INTEROP_SEED", "0")) or None)

loader = Loader()
DATA = ServiceModel(loader.load_service_model("payment-cryptography-data", "service-2"), "payment-cryptography-data")
CONTROL = ServiceModel(loader.load_service_model("payment-cryptography", "service-2"), "payment-cryptography")
passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAILED", what)


def model_of(op):
    return DATA if op in DATA.operation_names else CONTROL


def validate_output(shape, value, path, problems):
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: not an object")
            return
        for name in shape.required_members:
            if name not in value:
                problems.append(f"{path}.{name}: required member missing")
        for name, v in value.items():
            if name not in shape.members:
                problems.append(f"{path}.{name}: not a member of {shape.name}")
            else:
                validate_output(shape.members[name], v, f"{path}.{name}", problems)
    elif t == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: not a list")
            return
        for i, item in enumerate(value):
            validate_output(shape.member, item, f"{path}[{i}]", problems)
    elif t == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: not a string")
            return
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value} not in enum {shape.name}")
        m = shape.metadata
        if "min" in m and len(value) < m["min"] or "max" in m and len(value) > m["max"]:
            problems.append(f"{path}: length {len(value)} outside {m.get('min')}..{m.get('max')}")
        if "pattern" in m and not re.search(m["pattern"], value):
            problems.append(f"{path}: {value!r} does not match {m['pattern']}")
    elif t == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: not a boolean")
    elif t == "timestamp":
        # The AWS CLI prints timestamps as ISO 8601.
        if not (isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", value)):
            problems.append(f"{path}: {value!r} is not an ISO 8601 timestamp")
    elif t == "integer":
        if not isinstance(value, int):
            problems.append(f"{path}: not an integer")


def run(op, args, params, store, expect_error=None):
    """Runs `paycrypt <op-in-kebab> args`; `params` is the request as the SDK would send it."""
    model = model_of(op)
    operation = model.operation_model(op)
    if op != "ImportKey":  # ImportKey's ClearKey member is paycrypt's own extension
        report = ParamValidator().validate(params, operation.input_shape)
        check(not report.has_errors(), f"{op} request vs botocore input shape: {report.generate_report()}")
    cmd = re.sub(r"(?<!^)([A-Z])", r"-\1", op).lower()
    out = subprocess.run([BIN, cmd, *args], capture_output=True, text=True,
                         env={**os.environ, "PAYCRYPT_DATA_DIR": store,
                              "PAYCRYPT_MASTER_KEY": "11" * 32})
    if expect_error:
        m = re.fullmatch(r"\nAn error occurred \((\w+)\) when calling the (\w+) operation: .+\n", out.stderr)
        errors = [e.name for e in operation.error_shapes]
        check(out.returncode == 254 and m is not None and m.group(2) == op and m.group(1) == expect_error
              and m.group(1) in errors, f"{op} error {expect_error}: rc={out.returncode} {out.stderr!r}")
        return None
    if out.returncode != 0:
        check(False, f"{op} failed: {out.stderr}")
        return None
    if operation.output_shape is None or not out.stdout.strip():
        check(out.stdout == "", f"{op} printed output for an empty response")
        return {}
    doc = json.loads(out.stdout)
    problems = []
    validate_output(operation.output_shape, doc, op, problems)
    check(not problems, f"{op} response vs botocore output shape: {problems}")
    return doc


def cli_args(params):
    args = []
    for k, v in params.items():
        flag = "--" + re.sub(r"(?<!^)([A-Z])", r"-\1", k).lower()
        if isinstance(v, bool):
            args.append(flag if v else "--no-" + flag[2:])
        elif isinstance(v, (dict, list)):
            args += [flag, json.dumps(v)]
        else:
            args += [flag, str(v)]
    return args


def call(op, params, store, expect_error=None):
    return run(op, cli_args(params), params, store, expect_error)


def main():
    store = tempfile.mkdtemp(prefix="paycrypt-interop-")
    out = subprocess.run([BIN, "seed", SEED], capture_output=True, text=True,
                         env={**os.environ, "PAYCRYPT_DATA_DIR": store, "PAYCRYPT_MASTER_KEY": "11" * 32})
    check(out.returncode == 0, f"seed: {out.stderr}")

    # Control plane.
    attrs = {"KeyAlgorithm": "AES_256", "KeyClass": "SYMMETRIC_KEY",
             "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
             "KeyModesOfUse": {"Encrypt": True, "Decrypt": True, "Wrap": True, "Unwrap": True}}
    key = call("CreateKey", {"KeyAttributes": attrs, "Exportable": True}, store)
    arn = key["Key"]["KeyArn"] if key else "x"
    call("GetKey", {"KeyIdentifier": arn}, store)
    call("ListKeys", {}, store)
    call("ListKeys", {"MaxResults": 2}, store)
    call("CreateAlias", {"AliasName": "alias/interop", "KeyArn": arn}, store)
    call("GetAlias", {"AliasName": "alias/interop"}, store)
    call("ListAliases", {}, store)
    call("UpdateAlias", {"AliasName": "alias/interop", "KeyArn": arn}, store)
    call("StopKeyUsage", {"KeyIdentifier": arn}, store)
    call("StartKeyUsage", {"KeyIdentifier": arn}, store)
    call("DeleteKey", {"KeyIdentifier": arn, "DeleteKeyInDays": 3}, store)
    call("RestoreKey", {"KeyIdentifier": arn}, store)
    call("StartKeyUsage", {"KeyIdentifier": arn}, store)
    call("DeleteAlias", {"AliasName": "alias/interop"}, store)
    call("GetAlias", {"AliasName": "alias/interop"}, store, expect_error="ResourceNotFoundException")
    call("CreateAlias", {"AliasName": "alias/zone"}, store, expect_error="ConflictException")
    call("RestoreKey", {"KeyIdentifier": arn}, store, expect_error="ConflictException")
    call("CreateKey", {"KeyAttributes": {**attrs, "KeyModesOfUse": {"DeriveKey": True}}, "Exportable": True}, store,
         expect_error="ValidationException")

    # Data plane, against pycryptodome.
    aes_key = key_bytes = None
    for alg, n, block, ident in [("AES_256", 32, 16, arn), ("TDES_2KEY", 16, 8, None), ("AES_128", 16, 16, None)]:
        material = os.urandom(n)
        imported = call("ImportKey", {"KeyMaterial": {"ClearKey": {
            "KeyAttributes": {**attrs, "KeyAlgorithm": alg, "KeyModesOfUse": {"NoRestrictions": True}},
            "KeyMaterial": material.hex().upper()}}}, store) if ident is None else None
        if ident is None:
            ident = imported["Key"]["KeyArn"]
            key_bytes = material
        else:
            continue  # the created key's material is secret: only shapes are checked for it
        for mode in ["ECB", "CBC", "CFB8", "OFB"]:
            data = os.urandom(block * RNG.randint(1, 6))
            iv = os.urandom(block)
            sym = {"Mode": mode} if mode == "ECB" else {"Mode": mode, "InitializationVector": iv.hex().upper()}
            enc = call("EncryptData", {"KeyIdentifier": ident, "PlainText": data.hex().upper(),
                                        "EncryptionAttributes": {"Symmetric": sym}}, store)
            if alg.startswith("TDES"):
                k = key_bytes + key_bytes[:8]
                mk = lambda: DES3.new(k, DES3.MODE_ECB) if mode == "ECB" else (
                    DES3.new(k, {"CBC": DES3.MODE_CBC, "OFB": DES3.MODE_OFB}[mode], iv=iv) if mode != "CFB8"
                    else DES3.new(k, DES3.MODE_CFB, iv=iv, segment_size=8))
            else:
                mk = lambda: AES.new(key_bytes, AES.MODE_ECB) if mode == "ECB" else (
                    AES.new(key_bytes, {"CBC": AES.MODE_CBC, "OFB": AES.MODE_OFB}[mode], iv=iv) if mode != "CFB8"
                    else AES.new(key_bytes, AES.MODE_CFB, iv=iv, segment_size=8))
            expected = mk().encrypt(data).hex().upper()
            check(enc is not None and enc["CipherText"] == expected, f"EncryptData {alg} {mode} vs pycryptodome")
            dec = call("DecryptData", {"KeyIdentifier": ident, "CipherText": expected,
                                        "DecryptionAttributes": {"Symmetric": sym}}, store)
            check(dec is not None and dec["PlainText"] == data.hex().upper(), f"DecryptData {alg} {mode}")
        aes_key = (ident, key_bytes) if alg == "AES_128" else aes_key
    # ReEncryptData AES-128 CBC -> TDES (the seeded alias/tdes) ECB, checked by decrypting with pycryptodome.
    ident, k = aes_key
    data = os.urandom(32)
    ct = AES.new(k, AES.MODE_CBC, iv=bytes(16)).encrypt(data)
    re_out = call("ReEncryptData", {"IncomingKeyIdentifier": ident, "OutgoingKeyIdentifier": "alias/tdes",
                                    "CipherText": ct.hex().upper(),
                                    "IncomingEncryptionAttributes": {"Symmetric": {"Mode": "CBC"}},
                                    "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}, store)
    tdes = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    check(re_out is not None and DES3.new(tdes + tdes[:8], DES3.MODE_ECB).decrypt(bytes.fromhex(re_out["CipherText"])) == data,
          "ReEncryptData AES CBC -> TDES ECB vs pycryptodome")
    # DUKPT: X9.24-1 Annex A's first data-request encryption, through the seeded TDES BDK.
    dukpt = call("EncryptData", {"KeyIdentifier": "alias/bdk", "PlainText": "343031323334353637383930394439383700000000000000",
                                 "EncryptionAttributes": {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001",
                                                                    "DukptKeyVariant": "REQUEST"}}}, store)
    check(dukpt is not None and dukpt["CipherText"] == "FC0D53B7EA1FDA9EE68AAF2E70D9B9506229BE2AA993F04F",
          "EncryptData Dukpt vs X9.24-1 Annex A")
    # DUKPT variants against independent derivations: pydukpt (X9.24-1) for TDES, the X9.24-3 model of
    # test_dukpt.py for AES; the data then TDES/AES-CBC (zero IV) in pycryptodome.
    sys.path.insert(0, HERE)
    import pydukpt
    import test_dukpt
    bdk_attrs = {"KeyClass": "SYMMETRIC_KEY", "KeyUsage": "TR31_B0_BASE_DERIVATION_KEY",
                 "KeyModesOfUse": {"DeriveKey": True}}
    for _ in range(6):
        bdk = os.urandom(16)
        ksn = test_dukpt.random_tdes_ksn()
        arn = call("ImportKey", {"KeyMaterial": {"ClearKey": {"KeyAttributes": {**bdk_attrs, "KeyAlgorithm": "TDES_2KEY"},
                                                             "KeyMaterial": bdk.hex()}}}, store)["Key"]["KeyArn"]
        txn = pydukpt.derive_key(pydukpt.derive_ipek(bdk, ksn), ksn)
        for variant, key in [("REQUEST", pydukpt.data_request_key(txn)), ("RESPONSE", pydukpt.data_response_key(txn)),
                             ("BIDIRECTIONAL", pydukpt.data_request_key(txn))]:
            data = os.urandom(8 * RNG.randint(1, 4))
            out = call("EncryptData", {"KeyIdentifier": arn, "PlainText": data.hex(),
                                       "EncryptionAttributes": {"Dukpt": {"KeySerialNumber": ksn.hex().upper(),
                                                                          "DukptKeyVariant": variant}}}, store)
            want = DES3.new(key, DES3.MODE_CBC, iv=bytes(8)).encrypt(data).hex().upper()
            check(out is not None and out["CipherText"] == want, f"Dukpt TDES {variant} vs pydukpt {ksn.hex()}")
    for bdk_type, n in [("AES_128", 16), ("AES_256", 32)]:
        bdk = os.urandom(n)
        ksn = os.urandom(8) + test_dukpt.random_counter(32, 16).to_bytes(4, "big")
        arn = call("ImportKey", {"KeyMaterial": {"ClearKey": {"KeyAttributes": {**bdk_attrs, "KeyAlgorithm": bdk_type},
                                                             "KeyMaterial": bdk.hex()}}}, store)["Key"]["KeyArn"]
        for variant, usage in [("REQUEST", "DATA_ENCRYPTION"), ("RESPONSE", "DATA_DECRYPTION"),
                               ("BIDIRECTIONAL", "DATA_BOTH")]:
            _, key = test_dukpt.aes_model(bdk, bdk_type, ksn, usage, "AES_128")
            data = os.urandom(16 * RNG.randint(1, 3))
            out = call("EncryptData", {"KeyIdentifier": arn, "PlainText": data.hex(),
                                       "EncryptionAttributes": {"Dukpt": {"KeySerialNumber": ksn.hex().upper(),
                                                                          "DukptKeyVariant": variant,
                                                                          "DukptKeyDerivationType": "AES_128"}}}, store)
            want = AES.new(key, AES.MODE_CBC, iv=bytes(16)).encrypt(data).hex().upper()
            check(out is not None and out["CipherText"] == want, f"Dukpt {bdk_type} {variant} vs the X9.24-3 model")
    # RSA: paycrypt encrypts with the seeded key pair's public half, pyca decrypts with the private key.
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
    seed = json.load(open(SEED))
    pem = next(k["KeyMaterial"] for k in seed["Keys"] if k["KeyId"] == "rsapair000000001")
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    pads = {"PKCS1": rsa_padding.PKCS1v15(),
            "OAEP_SHA1": rsa_padding.OAEP(rsa_padding.MGF1(hashes.SHA1()), hashes.SHA1(), None),
            "OAEP_SHA256": rsa_padding.OAEP(rsa_padding.MGF1(hashes.SHA256()), hashes.SHA256(), None),
            "OAEP_SHA512": rsa_padding.OAEP(rsa_padding.MGF1(hashes.SHA512()), hashes.SHA512(), None)}
    for name, pad in pads.items():
        data = os.urandom(RNG.randint(1, 60))
        out = call("EncryptData", {"KeyIdentifier": "alias/rsa", "PlainText": data.hex().upper(),
                                   "EncryptionAttributes": {"Asymmetric": {"PaddingType": name}}}, store)
        check(out is not None and private.decrypt(bytes.fromhex(out["CipherText"]), pad) == data,
              f"EncryptData Asymmetric {name} decrypted by pyca")
        ct = private.public_key().encrypt(data, pad)
        back = call("DecryptData", {"KeyIdentifier": "alias/rsa", "CipherText": ct.hex().upper(),
                                    "DecryptionAttributes": {"Asymmetric": {"PaddingType": name}}}, store)
        check(back is not None and back["PlainText"] == data.hex().upper(), f"DecryptData Asymmetric {name} of pyca's")
    # Data-plane errors.
    call("EncryptData", {"KeyIdentifier": "alias/missing", "PlainText": "00" * 16,
                         "EncryptionAttributes": {"Symmetric": {"Mode": "CBC"}}}, store,
         expect_error="ResourceNotFoundException")
    call("EncryptData", {"KeyIdentifier": "alias/disabled", "PlainText": "00" * 16,
                         "EncryptionAttributes": {"Symmetric": {"Mode": "CBC"}}}, store,
         expect_error="AccessDeniedException")
    call("EncryptData", {"KeyIdentifier": "alias/bdk", "PlainText": "00" * 16,
                         "EncryptionAttributes": {"Symmetric": {"Mode": "CBC"}}}, store,
         expect_error="ValidationException")

    print(f"service_shapes: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
