#!/usr/bin/env python3
"""Interop: unmodified boto3 and AWS CLI clients against `paycrypt serve`.

- data plane (restJson1) through boto3's `payment-cryptography-data` client: random AES/TDES ECB/CBC
  cases checked against pycryptodome and against the paycrypt CLI on an identically seeded store; keys
  named by ARN (percent-encoded in the path) and by alias; ReEncryptData;
- control plane (awsJson1_0) through `payment-cryptography`: a key's whole life, aliases, pagination;
- errors arrive as boto3's modeled exceptions with AWS's status (404, 403, 400, 409-as-400, 429, 500);
- protocol errors: unknown operation (501), wrong content type, malformed JSON, oversized body;
- paycrypt's routes: health, import-key with clear material, seed, reset;
- fault rules (every N-th, probability from a seed, latency), as a boto3 caller sees them;
- many clients at once on the same keys and store;
- the AWS CLI (`aws --endpoint-url`); SIGTERM drains a request in flight and exits 0; --data-dir keeps keys.
Prints `server: N passed, M failed`.
"""
import json
import os
import random
import shutil
import subprocess
import tempfile
import threading
import time

from Crypto.Cipher import AES, DES3

from serverlib import ACCOUNT, BIN, REGION, SEED, Server, Tally, control_headers, error_of

T = Tally("server")
RNG = random.Random(int(os.environ.get("INTEROP_SEED", "0")) or None)
SEEDED = json.load(open(SEED))
MATERIAL = {k["KeyId"]: k.get("KeyMaterial") for k in SEEDED["Keys"]}


def arn(key_id):
    return f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/{key_id}"


def ref_cipher(key_id, mode, iv):
    key = bytes.fromhex(MATERIAL[key_id])
    if len(key) in (16, 24) and key_id.startswith("tdes"):
        m = DES3.MODE_ECB if mode == "ECB" else DES3.MODE_CBC
        return DES3.new(key, m) if mode == "ECB" else DES3.new(key, m, iv=iv)
    return AES.new(key, AES.MODE_ECB) if mode == "ECB" else AES.new(key, AES.MODE_CBC, iv=iv)


def data_plane(srv):
    data = srv.client("payment-cryptography-data")
    store = tempfile.mkdtemp(prefix="paycrypt-server-lib-")
    try:
        env = dict(os.environ, PAYCRYPT_DATA_DIR=store)
        out = subprocess.run([BIN, "seed", SEED], capture_output=True, text=True, env=env)
        T.check(out.returncode == 0, f"seed the reference store: {out.stderr}")
        for i in range(40):
            key_id, block = RNG.choice([("aes128dek0000001", 16), ("tdes2dek00000001", 8)])
            name = RNG.choice([arn(key_id), "alias/zone" if block == 16 else "alias/tdes"])
            mode = RNG.choice(["ECB", "CBC"])
            iv = os.urandom(block)
            plain = os.urandom(block * RNG.randint(1, 16))
            sym = {"Mode": mode}
            if mode == "CBC":
                sym["InitializationVector"] = iv.hex().upper()
            resp = data.encrypt_data(KeyIdentifier=name, PlainText=plain.hex().upper(),
                                     EncryptionAttributes={"Symmetric": sym})
            expect = ref_cipher(key_id, mode, iv).encrypt(plain).hex().upper()
            T.check(resp["CipherText"] == expect, f"encrypt {key_id} {mode} #{i}: {resp['CipherText']} != {expect}")
            T.check(resp["KeyArn"] == arn(key_id), f"KeyArn {resp['KeyArn']}")
            T.check(len(resp["ResponseMetadata"]["RequestId"]) == 36, "request id")
            back = data.decrypt_data(KeyIdentifier=name, CipherText=resp["CipherText"],
                                     DecryptionAttributes={"Symmetric": sym})
            T.check(back["PlainText"] == plain.hex().upper(), f"decrypt {key_id} {mode} #{i}")
            if i % 8 == 0:
                # The same request through the library (the CLI on an identically seeded store).
                cli = subprocess.run([BIN, "encrypt-data", "--key-identifier", name, "--plain-text", plain.hex(),
                                      "--encryption-attributes", json.dumps({"Symmetric": sym})],
                                     capture_output=True, text=True, env=env)
                lib = json.loads(cli.stdout) if cli.returncode == 0 else {}
                got = {k: v for k, v in resp.items() if k != "ResponseMetadata"}
                T.check(lib == got, f"server {got} != library {lib} ({cli.stderr})")
    finally:
        shutil.rmtree(store, ignore_errors=True)

    # ReEncryptData: AES CBC under alias/zone -> TDES ECB under alias/tdes.
    plain = os.urandom(32)
    iv = os.urandom(16)
    ct = ref_cipher("aes128dek0000001", "CBC", iv).encrypt(plain).hex()
    resp = data.re_encrypt_data(
        IncomingKeyIdentifier="alias/zone", OutgoingKeyIdentifier=arn("tdes2dek00000001"), CipherText=ct,
        IncomingEncryptionAttributes={"Symmetric": {"Mode": "CBC", "InitializationVector": iv.hex()}},
        OutgoingEncryptionAttributes={"Symmetric": {"Mode": "ECB"}})
    T.check(ref_cipher("tdes2dek00000001", "ECB", None).decrypt(bytes.fromhex(resp["CipherText"])) == plain,
            "re-encrypt AES CBC -> TDES ECB")
    T.check(resp["KeyArn"] == arn("tdes2dek00000001"), f"re-encrypt KeyArn {resp['KeyArn']}")

    # Errors, as boto3's modeled exceptions with AWS's statuses.
    loose = srv.client("payment-cryptography-data", parameter_validation=False)
    sym = {"Symmetric": {"Mode": "ECB"}}
    cases = [
        (lambda: data.encrypt_data(KeyIdentifier="alias/nope", PlainText="00" * 16, EncryptionAttributes=sym),
         "ResourceNotFoundException", 404, data.exceptions.ResourceNotFoundException),
        (lambda: data.encrypt_data(KeyIdentifier="alias/disabled", PlainText="00" * 16, EncryptionAttributes=sym),
         "AccessDeniedException", 403, data.exceptions.AccessDeniedException),
        (lambda: loose.encrypt_data(KeyIdentifier="alias/zone", PlainText="00" * 15, EncryptionAttributes=sym),
         "ValidationException", 400, data.exceptions.ValidationException),
        (lambda: loose.encrypt_data(KeyIdentifier="alias/zone", PlainText="zz" * 16, EncryptionAttributes=sym),
         "ValidationException", 400, data.exceptions.ValidationException),
        (lambda: data.decrypt_data(KeyIdentifier="alias/encrypt-only", CipherText="00" * 16,
                                   DecryptionAttributes=sym),
         None, None, None),
    ]
    for call, code, status, exc in cases:
        err = error_of(call)
        if code is None:
            T.check(err is not None and err[0] in ("ValidationException", "AccessDeniedException"),
                    f"decrypt with an encrypt-only key: {err}")
            continue
        T.check(err is not None and err[0] == code and err[1] == status, f"expected {code}/{status}, got {err}")
        try:
            call()
        except exc:
            T.check(True, "")
        except Exception as e:  # noqa: BLE001
            T.check(False, f"not the modeled {exc}: {type(e)}")


def control_plane(srv):
    cp = srv.client("payment-cryptography")
    data = srv.client("payment-cryptography-data")
    attrs = {"KeyAlgorithm": "AES_256", "KeyClass": "SYMMETRIC_KEY",
             "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
             "KeyModesOfUse": {"Encrypt": True, "Decrypt": True, "Wrap": True, "Unwrap": True}}
    key = cp.create_key(KeyAttributes=attrs, Exportable=True)["Key"]
    T.check(key["KeyArn"].startswith(f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/"), f"arn {key['KeyArn']}")
    T.check(key["KeyState"] == "CREATE_COMPLETE" and key["Enabled"], f"new key {key}")
    got = cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]
    T.check(got["KeyCheckValue"] == key["KeyCheckValue"], "get-key")
    arns = [k["KeyArn"] for page in cp.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 2})
            for k in page["Keys"]]
    T.check(key["KeyArn"] in arns and arn("aes128dek0000001") in arns and len(arns) == len(set(arns)),
            f"paginated list-keys {len(arns)}")
    alias = cp.create_alias(AliasName="alias/life", KeyArn=key["KeyArn"])["Alias"]
    T.check(alias == {"AliasName": "alias/life", "KeyArn": key["KeyArn"]}, f"create-alias {alias}")
    err = error_of(lambda: cp.create_alias(AliasName="alias/life", KeyArn=key["KeyArn"]))
    T.check(err and err[0] == "ConflictException" and err[1] == 400, f"alias exists: {err}")
    ct = data.encrypt_data(KeyIdentifier="alias/life", PlainText="00" * 16,
                           EncryptionAttributes={"Symmetric": {"Mode": "ECB"}})["CipherText"]
    T.check(len(ct) == 32, "encrypt under a created key")
    cp.stop_key_usage(KeyIdentifier="alias/life")
    err = error_of(lambda: data.encrypt_data(KeyIdentifier="alias/life", PlainText="00" * 16,
                                             EncryptionAttributes={"Symmetric": {"Mode": "ECB"}}))
    T.check(err and err[:2] == ("AccessDeniedException", 403), f"stopped key: {err}")
    cp.start_key_usage(KeyIdentifier="alias/life")
    deleted = cp.delete_key(KeyIdentifier=key["KeyArn"], DeleteKeyInDays=3)["Key"]
    T.check(deleted["KeyState"] == "DELETE_PENDING", f"delete-key {deleted['KeyState']}")
    restored = cp.restore_key(KeyIdentifier=key["KeyArn"])["Key"]
    T.check(restored["KeyState"] == "CREATE_COMPLETE", f"restore-key {restored['KeyState']}")
    cp.update_alias(AliasName="alias/life", KeyArn=arn("aes128dek0000001"))
    T.check(cp.get_alias(AliasName="alias/life")["Alias"]["KeyArn"] == arn("aes128dek0000001"), "update-alias")
    names = [a["AliasName"] for a in cp.list_aliases()["Aliases"]]
    T.check("alias/life" in names and "alias/zone" in names, f"list-aliases {names}")
    cp.delete_alias(AliasName="alias/life")
    err = error_of(lambda: cp.get_alias(AliasName="alias/life"))
    T.check(err and err[0] == "ResourceNotFoundException" and err[1] == 400, f"deleted alias: {err}")
    try:
        cp.get_key(KeyIdentifier=arn("nosuchkey0000000"))
        T.check(False, "get-key of a missing key")
    except cp.exceptions.ResourceNotFoundException as e:
        T.check(e.response["Error"].get("ResourceId") or True, "")
    return key["KeyArn"]


def protocol_errors(srv):
    status, headers, body = srv.raw("POST", "/", b"{}", {**control_headers("Frobnicate")})
    T.check(status == 501 and body["__type"] == "UnknownOperationException" and "Frobnicate" in body["Message"],
            f"unknown operation: {status} {body}")
    status, headers, body = srv.raw("POST", "/", {"KeyIdentifier": "alias/zone", "PlainText": "00" * 16,
                                                  "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}},
                                    control_headers("EncryptData"))
    T.check(status == 501 and body["__type"] == "UnknownOperationException",
            f"a data-plane operation on the control-plane target: {status} {body}")
    status, headers, body = srv.raw("POST", "/", b"{}", {"X-Amz-Target": "NoSuchService.Op",
                                                         "Content-Type": "application/x-amz-json-1.0"})
    T.check(status == 501 and "NoSuchService.Op" in json.dumps(body), f"unknown target: {status} {body}")
    status, headers, body = srv.raw("POST", "/", b"{}", {"X-Amz-Target": "PaymentCryptographyControlPlane.ListKeys",
                                                         "Content-Type": "text/plain"})
    T.check(status == 400 and headers.get("x-amzn-errortype") == "SerializationException", f"content type: {status} {body}")
    status, headers, body = srv.raw("POST", "/", b"{not json", control_headers("ListKeys"))
    T.check(status == 400 and body["__type"] == "SerializationException", f"malformed JSON: {status} {body}")
    status, headers, body = srv.raw("POST", "/keys/alias%2Fzone/encrypt", b"[1,2]", {"Content-Type": "application/json"})
    T.check(status == 400 and headers.get("x-amzn-errortype") == "ValidationException", f"array body: {status} {body}")
    status, headers, body = srv.raw("GET", "/keys/alias%2Fzone/encrypt")
    T.check(status == 501, f"GET on the data plane: {status}")
    status, headers, body = srv.raw("POST", "/", b"{}", control_headers("ListAliases"))
    T.check(status == 200 and headers.get("content-type") == "application/x-amz-json-1.0"
            and len(headers.get("x-amzn-requestid", "")) == 36, f"list-aliases raw: {status} {headers}")


def extensions(srv, created_arn):
    status, _, body = srv.raw("GET", "/_paycrypt/health", sign=False)
    T.check(status == 200 and body == {"Status": "ok"}, f"health {status} {body}")
    material = os.urandom(16)
    req = {"KeyMaterial": {"ClearKey": {
        "KeyAttributes": {"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
                          "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
                          "KeyModesOfUse": {"Encrypt": True, "Decrypt": True, "Wrap": True, "Unwrap": True}},
        "KeyMaterial": material.hex().upper()}}}
    status, _, body = srv.raw("POST", "/", req, control_headers("ImportKey"))
    T.check(status == 400 and body.get("__type") == "ValidationException" and "_paycrypt" in body.get("Message", ""),
            f"ClearKey through AWS ImportKey: {status} {body}")
    status, _, body = srv.raw("POST", "/_paycrypt/import-key", req, {"Content-Type": "application/json"})
    T.check(status == 200 and body["Key"]["KeyOrigin"] == "EXTERNAL", f"import-key {status} {body}")
    imported = body["Key"]["KeyArn"]
    data = srv.client("payment-cryptography-data")
    plain = os.urandom(16)
    ct = data.encrypt_data(KeyIdentifier=imported, PlainText=plain.hex(),
                           EncryptionAttributes={"Symmetric": {"Mode": "ECB"}})["CipherText"]
    T.check(bytes.fromhex(ct) == AES.new(material, AES.MODE_ECB).encrypt(plain), "encrypt under the imported key")
    seed = {"Keys": [{"KeyId": "seededbyroute001", "KeyAttributes": req["KeyMaterial"]["ClearKey"]["KeyAttributes"],
                      "KeyMaterial": material.hex()}], "Aliases": [{"AliasName": "alias/routed", "KeyId": "seededbyroute001"}]}
    status, _, body = srv.raw("POST", "/_paycrypt/seed", seed, {"Content-Type": "application/json"})
    T.check(status == 200 and body["KeysAdded"] == 1 and body["AliasesAdded"] == 1, f"seed route {status} {body}")
    status, _, body = srv.raw("POST", "/_paycrypt/reset", b"", {"Content-Type": "application/json"})
    T.check(status == 200 and body["KeysAdded"] == len(SEEDED["Keys"]), f"reset {status} {body}")
    cp = srv.client("payment-cryptography")
    for gone in (imported, created_arn, arn("seededbyroute001")):
        err = error_of(lambda: cp.get_key(KeyIdentifier=gone))
        T.check(err and err[0] == "ResourceNotFoundException", f"{gone} after reset: {err}")
    T.check(cp.get_key(KeyIdentifier="alias/zone")["Key"]["KeyArn"] == arn("aes128dek0000001"), "seed after reset")
    status, _, body = srv.raw("POST", "/_paycrypt/nothing", b"")
    T.check(status == 501, f"unknown extension {status}")


def concurrency(srv):
    errors = []
    created = []
    lock = threading.Lock()

    def worker(n):
        try:
            data = srv.client("payment-cryptography-data")
            cp = srv.client("payment-cryptography")
            for i in range(25):
                plain = os.urandom(16 * RNG.randint(1, 4))
                iv = os.urandom(16)
                ct = data.encrypt_data(KeyIdentifier="alias/zone", PlainText=plain.hex(),
                                       EncryptionAttributes={"Symmetric": {"Mode": "CBC",
                                                                           "InitializationVector": iv.hex()}})
                if bytes.fromhex(ct["CipherText"]) != ref_cipher("aes128dek0000001", "CBC", iv).encrypt(plain):
                    errors.append(f"worker {n} case {i}: wrong ciphertext")
                if i % 5 == 0:
                    key = cp.create_key(KeyAttributes={"KeyAlgorithm": "TDES_3KEY", "KeyClass": "SYMMETRIC_KEY",
                                                       "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
                                                       "KeyModesOfUse": {"NoRestrictions": True}},
                                        Exportable=False)["Key"]
                    with lock:
                        created.append(key["KeyArn"])
        except Exception as e:  # noqa: BLE001
            errors.append(f"worker {n}: {e!r}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    T.check(not errors, f"concurrent clients: {errors[:3]}")
    cp = srv.client("payment-cryptography")
    listed = {k["KeyArn"] for page in cp.get_paginator("list_keys").paginate() for k in page["Keys"]}
    T.check(len(created) == 60 and set(created) <= listed, f"created {len(created)}, all listed: {set(created) <= listed}")


def faults():
    rules = {"Seed": 3, "Rules": [
        {"Operation": "EncryptData", "KeyId": "alias/tdes", "Error": "ThrottlingException", "Every": 2},
        {"Operation": "DecryptData", "KeyId": arn("tdes2dek00000001"), "Error": "InternalServerException"},
        {"Operation": "GetKey", "LatencyMs": 300},
        {"Operation": "ListAliases", "Error": "ServiceUnavailableException", "Probability": 0.5},
    ]}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(rules, f)
    srv = Server("--seed", SEED, "--faults", f.name)
    try:
        data = srv.client("payment-cryptography-data")
        sym = {"Symmetric": {"Mode": "ECB"}}
        outcomes = [error_of(lambda: data.encrypt_data(KeyIdentifier="alias/tdes", PlainText="00" * 8,
                                                       EncryptionAttributes=sym)) for _ in range(4)]
        T.check(outcomes[0] is None and outcomes[2] is None and outcomes[1] and outcomes[1][:2] == ("ThrottlingException", 429)
                and outcomes[3] == outcomes[1], f"every 2nd throttled: {outcomes}")
        try:
            data.encrypt_data(KeyIdentifier="alias/tdes", PlainText="00" * 8, EncryptionAttributes=sym)
            data.encrypt_data(KeyIdentifier="alias/tdes", PlainText="00" * 8, EncryptionAttributes=sym)
            T.check(False, "throttling did not raise")
        except data.exceptions.ThrottlingException:
            T.check(True, "")
        T.check(error_of(lambda: data.encrypt_data(KeyIdentifier="alias/zone", PlainText="00" * 16,
                                                   EncryptionAttributes=sym)) is None, "other keys unaffected")
        # A rule written with the ARN matches a request that names the alias.
        err = error_of(lambda: data.decrypt_data(KeyIdentifier="alias/tdes", CipherText="00" * 8,
                                                 DecryptionAttributes=sym))
        T.check(err and err[:2] == ("InternalServerException", 500), f"injected 500: {err}")
        cp = srv.client("payment-cryptography")
        t0 = time.time()
        cp.get_key(KeyIdentifier="alias/zone")
        T.check(time.time() - t0 >= 0.3, f"latency rule: {time.time() - t0:.3f}s")
        first = [error_of(lambda: cp.list_aliases()) is None for _ in range(40)]
        srv.raw("POST", "/_paycrypt/reset", b"")
        second = [error_of(lambda: cp.list_aliases()) is None for _ in range(40)]
        T.check(first == second and 8 < first.count(False) < 32, f"seeded probability: {first.count(False)} of 40")
        err = error_of(lambda: cp.list_aliases()) or error_of(lambda: cp.list_aliases()) or error_of(lambda: cp.list_aliases())
        T.check(err and err[0] == "ServiceUnavailableException", f"injected ServiceUnavailable: {err}")
    finally:
        srv.stop()
        os.unlink(f.name)


def shutdown_drains():
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"Rules": [{"Operation": "GetKey", "LatencyMs": 1500}]}, f)
    srv = Server("--seed", SEED, "--faults", f.name)
    result = {}

    def slow():
        result["err"] = error_of(lambda: srv.client("payment-cryptography").get_key(KeyIdentifier="alias/zone"))

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.5)
    code, rest = srv.stop()
    t.join()
    T.check(code == 0 and "stopped" in rest, f"SIGTERM exit {code} {rest!r}")
    T.check(result.get("err") is None, f"in-flight request drained: {result}")
    os.unlink(f.name)


def persistence():
    store = tempfile.mkdtemp(prefix="paycrypt-server-dir-")
    try:
        srv = Server("--data-dir", store, "--seed", SEED, ephemeral=False)
        # Many clients at once on the persistent store too.
        concurrency(srv)
        cp = srv.client("payment-cryptography")
        key = cp.create_key(KeyAttributes={"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
                                           "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
                                           "KeyModesOfUse": {"Encrypt": True, "Decrypt": True, "Wrap": True, "Unwrap": True}},
                            Exportable=True)["Key"]
        code, _ = srv.stop(signal_int())
        T.check(code == 0, f"SIGINT exit {code}")
        srv = Server("--data-dir", store, ephemeral=False)
        again = srv.client("payment-cryptography").get_key(KeyIdentifier=key["KeyArn"])["Key"]
        T.check(again["KeyCheckValue"] == key["KeyCheckValue"], "key kept across restarts")
        srv.stop()
    finally:
        shutil.rmtree(store, ignore_errors=True)


def signal_int():
    import signal
    return signal.SIGINT


def aws_cli(srv):
    aws = os.path.join(os.path.dirname(os.path.realpath(os.sys.executable)), "aws")
    if not os.path.exists(aws):
        aws = shutil.which("aws") or aws
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION=REGION,
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    plain = os.urandom(32)
    iv = os.urandom(16)
    out = subprocess.run([aws, "payment-cryptography-data", "encrypt-data", "--endpoint-url", srv.url,
                          "--key-identifier", "alias/zone", "--plain-text", plain.hex(),
                          "--encryption-attributes", json.dumps({"Symmetric": {"Mode": "CBC", "InitializationVector": iv.hex()}})],
                         capture_output=True, text=True, env=env)
    ok = out.returncode == 0
    T.check(ok, f"aws encrypt-data: {out.stderr}")
    if ok:
        got = json.loads(out.stdout)
        T.check(bytes.fromhex(got["CipherText"]) == ref_cipher("aes128dek0000001", "CBC", iv).encrypt(plain),
                "aws encrypt-data ciphertext")
    out = subprocess.run([aws, "payment-cryptography", "get-alias", "--endpoint-url", srv.url, "--alias-name", "alias/zone"],
                         capture_output=True, text=True, env=env)
    T.check(out.returncode == 0 and json.loads(out.stdout)["Alias"]["KeyArn"] == arn("aes128dek0000001"),
            f"aws get-alias: {out.stderr}")
    out = subprocess.run([aws, "payment-cryptography", "get-alias", "--endpoint-url", srv.url, "--alias-name", "alias/none"],
                         capture_output=True, text=True, env=env)
    # awscli v1 (PyPI) exits 255 on a service error, v2 254.
    T.check(out.returncode in (254, 255) and "ResourceNotFoundException" in out.stderr, f"aws error: {out.returncode} {out.stderr}")


def oversized():
    srv = Server("--seed", SEED, "--max-body-bytes", "4096")
    try:
        status, headers, body = srv.raw("POST", "/keys/alias%2Fzone/encrypt", b'{"PlainText":"' + b"00" * 4096 + b'"}',
                                        {"Content-Type": "application/json"})
        T.check(status == 413 and headers.get("x-amzn-errortype") == "RequestEntityTooLargeException",
                f"oversized body: {status} {body}")
    finally:
        srv.stop()


def main():
    srv = Server("--seed", SEED)
    try:
        data_plane(srv)
        created = control_plane(srv)
        protocol_errors(srv)
        aws_cli(srv)
        extensions(srv, created)
        concurrency(srv)
    finally:
        code, _ = srv.stop()
        T.check(code == 0, f"exit code {code}")
    faults()
    shutdown_drains()
    persistence()
    oversized()
    T.finish()


if __name__ == "__main__":
    main()
