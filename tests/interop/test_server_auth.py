#!/usr/bin/env python3
"""Interop: SigV4 at `paycrypt serve`, with requests signed by botocore, and the paycrypt CLI driving a
running server with --endpoint-url.

- a correct request passes; wrong secret, unknown access key, altered body, altered path, altered
  X-Amz-Target, a signed header dropped, a header left out of SignedHeaders, an expired date, a
  future date, another region, another service, no Authorization: each refused with AWS's 403 error;
- --credentials FILE with several profiles: each profile's key works, `test` no longer does;
- a non-loopback listen address without credentials refuses to start, and with credentials but no TLS
  warns; the well-known test credentials serve loopback Host names only; UNSIGNED-PAYLOAD is refused
  over plain HTTP; POST /_paycrypt/reset empties a store on disk only with --allow-reset;
- `paycrypt <command> --endpoint-url`: import-key (clear key, via /_paycrypt/import-key) with an alias,
  create-key, encrypt-data/decrypt-data, list-aliases, seed, errors as the AWS CLI prints them, a
  profile from AWS_SHARED_CREDENTIALS_FILE; a local command on the store the server holds says to use
  --endpoint-url.
Prints `server_auth: N passed, M failed`.
"""
import datetime
import json
import os
import shutil
import subprocess
import tempfile
from unittest import mock

from Crypto.Cipher import AES

from serverlib import BIN, SEED, Server, Tally, control_headers, error_of, kms_headers

T = Tally("server_auth")
ENCRYPT = "/keys/alias%2Fzone/encrypt"
BODY = {"PlainText": "6BC1BEE22E409F96E93D7E117393172A", "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}
JSON = {"Content-Type": "application/json"}


def expect(result, status, exception, what):
    got_status, headers, body = result
    got = (headers.get("x-amzn-errortype") or (body or {}).get("__type") if isinstance(body, dict) else None)
    T.check(got_status == status and got == exception, f"{what}: {got_status} {got} {body}")


def replace_header(name, value):
    def tamper(headers, body, path):
        headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
        if value is not None:
            headers[name] = value
        return headers, body, path
    return tamper


def signed_at(srv, when, **kw):
    with mock.patch("botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)):
        return srv.raw("POST", ENCRYPT, BODY, JSON, **kw)


def sigv4(srv):
    status, _, body = srv.raw("POST", ENCRYPT, BODY, JSON)
    T.check(status == 200 and body["CipherText"] == "3AD77BB40D7A3660A89ECAF32466EF97", f"signed request: {status} {body}")
    expect(srv.raw("POST", ENCRYPT, BODY, JSON, secret="wrong"), 403, "InvalidSignatureException", "wrong secret")
    expect(srv.raw("POST", ENCRYPT, BODY, JSON, key="AKIDUNKNOWN"), 403, "UnrecognizedClientException", "unknown access key")
    expect(srv.raw("POST", ENCRYPT, BODY, JSON, sign=False), 403, "UnrecognizedClientException", "no Authorization")
    expect(srv.raw("POST", ENCRYPT, BODY, JSON,
                   tamper=lambda h, b, p: (h, b.replace(b"6BC1", b"6BC2"), p)), 403, "InvalidSignatureException", "altered body")
    expect(srv.raw("POST", ENCRYPT, BODY, JSON,
                   tamper=lambda h, b, p: (h, b, "/keys/alias%2Ftdes/encrypt")), 403, "InvalidSignatureException", "altered path")
    expect(srv.raw("POST", "/", {}, control_headers("ListKeys"),
                   tamper=replace_header("X-Amz-Target", "PaymentCryptographyControlPlane.ListAliases")),
           403, "InvalidSignatureException", "altered X-Amz-Target")
    expect(srv.raw("POST", "/", {}, control_headers("ListKeys"), tamper=replace_header("X-Amz-Date", None)),
           403, "IncompleteSignatureException", "signed X-Amz-Date dropped")

    def unsign_target(headers, body, path):
        auth = headers["Authorization"].replace("content-type;host;x-amz-date;x-amz-target", "content-type;host;x-amz-date")
        return {**headers, "Authorization": auth}, body, path
    expect(srv.raw("POST", "/", {}, control_headers("ListKeys"), tamper=unsign_target),
           403, "IncompleteSignatureException", "X-Amz-Target not signed")
    now = datetime.datetime.now(datetime.timezone.utc)
    expect(signed_at(srv, now - datetime.timedelta(minutes=6)), 403, "InvalidSignatureException", "expired date")
    expect(signed_at(srv, now + datetime.timedelta(minutes=6)), 403, "InvalidSignatureException", "future date")
    status, _, _ = signed_at(srv, now - datetime.timedelta(minutes=4))
    T.check(status == 200, f"4 minutes old is within the window: {status}")
    expect(srv.raw("POST", ENCRYPT, BODY, JSON, region="eu-west-1"), 403, "InvalidSignatureException", "other region")
    expect(srv.raw("POST", ENCRYPT, BODY, JSON, service="kms"), 403, "InvalidSignatureException", "signed for kms")
    expect(srv.raw("POST", "/", {}, kms_headers("ListKeys"), service="payment-cryptography"),
           403, "InvalidSignatureException", "kms request signed for payment-cryptography")
    status, _, body = srv.raw("GET", "/_paycrypt/health", sign=False)
    T.check(status == 200, "health needs no signature")
    expect(srv.raw("POST", "/_paycrypt/reset", b"", sign=False), 403, "UnrecognizedClientException",
           "reset needs a signature")
    # boto3 with wrong credentials raises the typed error.
    bad = srv.client("payment-cryptography", secret="nope")
    err = error_of(lambda: bad.list_keys())
    T.check(err and err[:2] == ("InvalidSignatureException", 403), f"boto3 wrong secret: {err}")


def credentials_file():
    with tempfile.NamedTemporaryFile("w", suffix=".ini", delete=False) as f:
        f.write("[default]\naws_access_key_id = AKIDPAYCRYPT1\naws_secret_access_key = s3cr3t/one\n\n"
                "# a second team\n[ci]\naws_access_key_id=AKIDPAYCRYPT2\naws_secret_access_key=s3cr3t+two\n")
    srv = Server("--seed", SEED, "--credentials", f.name)
    try:
        T.check(any("AKID" not in line and "default, ci" in line or "ci" in line for line in srv.banner if "auth" in line),
                f"banner names the profiles: {srv.banner}")
        T.check(all("s3cr3t" not in line for line in srv.banner), "banner shows no secret")
        for key, secret in (("AKIDPAYCRYPT1", "s3cr3t/one"), ("AKIDPAYCRYPT2", "s3cr3t+two")):
            ok = srv.client("payment-cryptography", key=key, secret=secret)
            T.check("Keys" in ok.list_keys(), f"profile key {key}")
        err = error_of(lambda: srv.client("payment-cryptography").list_keys())
        T.check(err and err[:2] == ("UnrecognizedClientException", 403), f"test/test with a credentials file: {err}")
        # The CLI signs with a profile of AWS_SHARED_CREDENTIALS_FILE.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["AWS_SHARED_CREDENTIALS_FILE"] = f.name
        out = subprocess.run([BIN, "list-aliases", "--endpoint-url", srv.url, "--profile", "ci"],
                             capture_output=True, text=True, env=env)
        T.check(out.returncode == 0 and "alias/zone" in out.stdout, f"CLI --profile ci: {out.stderr}")
        out = subprocess.run([BIN, "list-aliases", "--endpoint-url", srv.url, "--profile", "nope"],
                             capture_output=True, text=True, env=env)
        T.check(out.returncode != 0 and "nope" in out.stderr, f"CLI unknown profile: {out.stderr}")
    finally:
        srv.stop()
        os.unlink(f.name)
    out = subprocess.run([BIN, "serve", "--ephemeral", "--listen", "0.0.0.0:0"], capture_output=True, text=True,
                         timeout=20, env={k: v for k, v in os.environ.items() if not k.startswith("PAYCRYPT_")})
    T.check(out.returncode != 0 and "credentials" in out.stderr, f"non-loopback without credentials: {out.stderr!r}")


def cli_remote():
    store = tempfile.mkdtemp(prefix="paycrypt-remote-")
    srv = Server("--data-dir", store, ephemeral=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PAYCRYPT_"))}
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")

    def cli(*args):
        return subprocess.run([BIN, *args, "--endpoint-url", srv.url], capture_output=True, text=True, env=env)

    try:
        out = cli("seed", SEED)
        T.check(out.returncode == 0 and json.loads(out.stdout)["KeysAdded"] > 0, f"seed remote: {out.stderr}")
        material = os.urandom(16)
        key_material = {"ClearKey": {"KeyAttributes": {"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
                                                       "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
                                                       "KeyModesOfUse": {"NoRestrictions": True}},
                                     "KeyMaterial": material.hex()}}
        out = cli("import-key", "--key-material", json.dumps(key_material), "--alias", "alias/remote")
        T.check(out.returncode == 0, f"import-key remote: {out.stderr}")
        plain = os.urandom(32)
        out = cli("encrypt-data", "--key-identifier", "alias/remote", "--plain-text", plain.hex(),
                  "--encryption-attributes", '{"Symmetric":{"Mode":"ECB"}}')
        T.check(out.returncode == 0 and bytes.fromhex(json.loads(out.stdout)["CipherText"])
                == AES.new(material, AES.MODE_ECB).encrypt(plain), f"encrypt-data remote: {out.stderr}")
        ct = json.loads(out.stdout)["CipherText"] if out.returncode == 0 else "00"
        out = cli("decrypt-data", "--key-identifier", "alias/remote", "--cipher-text", ct,
                  "--decryption-attributes", '{"Symmetric":{"Mode":"ECB"}}')
        T.check(out.returncode == 0 and json.loads(out.stdout)["PlainText"] == plain.hex().upper(), "decrypt-data remote")
        out = cli("import-key", "--key-material", json.dumps(key_material), "--alias", "alias/remote")
        T.check(out.returncode == 254 and "(ConflictException) when calling the CreateAlias operation" in out.stderr,
                f"alias taken: {out.returncode} {out.stderr}")
        out = cli("create-key", "--key-attributes", json.dumps(key_material["ClearKey"]["KeyAttributes"]), "--exportable")
        T.check(out.returncode == 0 and json.loads(out.stdout)["Key"]["KeyOrigin"] == "AWS_PAYMENT_CRYPTOGRAPHY",
                f"create-key remote: {out.stderr}")
        out = cli("list-aliases")
        names = [a["AliasName"] for a in json.loads(out.stdout)["Aliases"]] if out.returncode == 0 else []
        T.check("alias/remote" in names and "alias/zone" in names, f"list-aliases remote: {names}")
        out = cli("get-key", "--key-identifier", "alias/none")
        T.check(out.returncode == 254 and "An error occurred (ResourceNotFoundException) when calling the GetKey operation: alias/none"
                in out.stderr, f"remote error: {out.stderr!r}")
        out = cli("encrypt-data", "--key-identifier", "alias/disabled", "--plain-text", "00" * 16,
                  "--encryption-attributes", '{"Symmetric":{"Mode":"ECB"}}')
        T.check(out.returncode == 254 and "(AccessDeniedException) when calling the EncryptData operation" in out.stderr,
                f"remote data-plane error: {out.stderr!r}")
        bad = dict(env, AWS_SECRET_ACCESS_KEY="wrong")
        out = subprocess.run([BIN, "list-keys", "--endpoint-url", srv.url], capture_output=True, text=True, env=bad)
        T.check(out.returncode == 254 and "InvalidSignatureException" in out.stderr, f"remote wrong secret: {out.stderr!r}")
        # The store is held by the server: a local command says to use --endpoint-url.
        out = subprocess.run([BIN, "list-keys", "--data-dir", store], capture_output=True, text=True,
                             env=dict(env, PAYCRYPT_LOCK_TIMEOUT="0.2"))
        T.check(out.returncode != 0 and "--endpoint-url" in out.stderr, f"locked store hint: {out.stderr!r}")
        out = subprocess.run([BIN, "list-keys", "--endpoint-url", "http://127.0.0.1:1"], capture_output=True,
                             text=True, env=env)
        T.check(out.returncode == 1 and "cannot reach" in out.stderr, f"no server: {out.stderr!r}")
    finally:
        srv.stop()
        shutil.rmtree(store, ignore_errors=True)


def hardening(srv):
    """The well-known credentials serve loopback host names only; UNSIGNED-PAYLOAD needs TLS."""
    for host in ("evil.example", "evil.example:%d" % srv.port, "127.0.0.1.nip.io"):
        expect(srv.raw("POST", ENCRYPT, BODY, {**JSON, "Host": host}), 403, "UnrecognizedClientException",
               f"test credentials, Host {host}")
    for host in ("localhost:%d" % srv.port, "127.0.0.1:%d" % srv.port, "localhost"):
        status, _, body = srv.raw("POST", ENCRYPT, BODY, {**JSON, "Host": host})
        T.check(status == 200, f"test credentials, Host {host}: {status} {body}")
    unsigned = srv.raw("POST", ENCRYPT, BODY, {**JSON, "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    expect(unsigned, 400, "InvalidSignatureException", "UNSIGNED-PAYLOAD over plain HTTP")
    T.check("only over TLS" in str(unsigned[2]), f"UNSIGNED-PAYLOAD message: {unsigned[2]}")


def reset_and_warnings():
    """reset empties a store on disk only with --allow-reset; a non-loopback listener without TLS warns."""
    store = tempfile.mkdtemp(prefix="paycrypt-reset-")
    try:
        srv = Server("--data-dir", store, "--seed", SEED, ephemeral=False)
        try:
            T.check(any("reset" in line and "--allow-reset" in line for line in srv.banner), f"banner: {srv.banner}")
            expect(srv.raw("POST", "/_paycrypt/reset", b"", JSON), 403, "AccessDeniedException", "reset on a disk store")
            status, _, body = srv.raw("POST", "/", {}, control_headers("ListAliases"))
            T.check(status == 200 and len(body["Aliases"]) > 0, "store untouched after a refused reset")
        finally:
            srv.stop()
        srv = Server("--data-dir", store, "--seed", SEED, "--allow-reset", ephemeral=False)
        try:
            status, _, body = srv.raw("POST", "/_paycrypt/reset", b"", JSON)
            T.check(status == 200 and body.get("KeysAdded", 0) > 0, f"reset with --allow-reset: {status} {body}")
        finally:
            srv.stop()
    finally:
        shutil.rmtree(store, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYCRYPT_")}
    env.update(PAYCRYPT_ACCESS_KEY_ID="AKIDWARN", PAYCRYPT_SECRET_ACCESS_KEY="secret")
    proc = subprocess.Popen([BIN, "serve", "--ephemeral", "--listen", "0.0.0.0:0", "--quiet"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = ""
        for _ in range(20):
            ready = proc.stdout.readline()
            if "ready on" in ready or not ready:
                break
        T.check("ready on" in ready, f"0.0.0.0 with credentials starts: {ready!r}")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    T.check("without TLS" in err, f"non-loopback without TLS warns: {err!r}")


def main():
    srv = Server("--seed", SEED)
    try:
        T.check(any('"test"' in line and "loopback" in line for line in srv.banner), f"banner says test credentials: {srv.banner}")
        sigv4(srv)
        hardening(srv)
    finally:
        srv.stop()
    reset_and_warnings()
    credentials_file()
    cli_remote()
    T.finish()


if __name__ == "__main__":
    main()
