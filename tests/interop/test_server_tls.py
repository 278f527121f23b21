#!/usr/bin/env python3
"""Interop: `paycrypt serve` over TLS and mutual TLS, with certificates made by pyca/cryptography.

- TLS only: boto3 (verifying the server against our CA) encrypts; a client that does not trust the CA
  is refused by its own verification;
- mutual TLS (`--client-ca`): a valid client certificate is served (boto3 `client_cert`, and Python's ssl);
  no certificate, a certificate from another CA, and an expired one are refused in the handshake;
- bad TLS files make `serve` exit non-zero with a message naming the flag.
Prints `server_tls: N passed, M failed`.
"""
import datetime
import http.client
import os
import ssl
import subprocess
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from serverlib import BIN, SEED, Server, Tally, error_of

T = Tally("server_tls")
NOW = datetime.datetime.now(datetime.timezone.utc)
DIR = tempfile.mkdtemp(prefix="paycrypt-tls-")


def write(name, data):
    path = os.path.join(DIR, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def pem_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def make_ca(name):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - datetime.timedelta(days=1)).not_valid_after(NOW + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def make_leaf(ca_key, ca_cert, name, server, not_after=None):
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
               .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(NOW - datetime.timedelta(days=10))
               .not_valid_after(not_after or NOW + datetime.timedelta(days=10))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH if server
                                                     else ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False))
    if server:
        import ipaddress
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    return (write(f"{name}.crt", cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM)),
            write(f"{name}.key", pem_key(key)))


ca_key, ca = make_ca("paycrypt test CA")
other_key, other_ca = make_ca("some other CA")
CA = write("ca.pem", ca.public_bytes(serialization.Encoding.PEM))
SERVER_CERT, SERVER_KEY = make_leaf(ca_key, ca, "server", True)
GOOD = make_leaf(ca_key, ca, "client-good", False)
FOREIGN = make_leaf(other_key, other_ca, "client-foreign", False)
EXPIRED = make_leaf(ca_key, ca, "client-expired", False, not_after=NOW - datetime.timedelta(days=1))


def https_get(srv, client=None, cafile=CA):
    """GET /_paycrypt/health over TLS; returns the status or the exception's class name."""
    ctx = ssl.create_default_context(cafile=cafile)
    if client:
        ctx.load_cert_chain(*client)
    try:
        conn = http.client.HTTPSConnection("127.0.0.1", srv.port, context=ctx, timeout=10)
        conn.request("GET", "/_paycrypt/health")
        status = conn.getresponse().status
        conn.close()
        return status
    except (ssl.SSLError, ConnectionError, OSError) as e:
        return type(e).__name__


def main():
    # TLS only.
    srv = Server("--seed", SEED, "--tls-cert", SERVER_CERT, "--tls-key", SERVER_KEY)
    try:
        T.check(srv.url.startswith("https://"), f"ready line {srv.url}")
        T.check(https_get(srv) == 200, "TLS health")
        import boto3
        client = boto3.client("payment-cryptography-data", endpoint_url=srv.url, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test", verify=CA)
        out = client.encrypt_data(KeyIdentifier="alias/zone", PlainText="6BC1BEE22E409F96E93D7E117393172A",
                                  EncryptionAttributes={"Symmetric": {"Mode": "ECB"}})
        T.check(out["CipherText"] == "3AD77BB40D7A3660A89ECAF32466EF97", f"boto3 over TLS: {out['CipherText']}")
        T.check(isinstance(https_get(srv, cafile=os.path.join(DIR, "client-foreign.crt")), str),
                "a client that does not trust our CA refuses the server")
    finally:
        code, _ = srv.stop()
        T.check(code == 0, f"TLS server exit {code}")

    # Mutual TLS.
    srv = Server("--seed", SEED, "--tls-cert", SERVER_CERT, "--tls-key", SERVER_KEY, "--client-ca", CA)
    try:
        T.check(https_get(srv, client=GOOD) == 200, "mTLS with a valid client certificate")
        for name, client in (("no certificate", None), ("another CA", FOREIGN), ("expired", EXPIRED)):
            got = https_get(srv, client=client)
            T.check(isinstance(got, str), f"mTLS {name}: refused ({got})")
        import boto3
        from botocore.config import Config
        good = boto3.client("payment-cryptography-data", endpoint_url=srv.url, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test", verify=CA,
                            config=Config(client_cert=GOOD, retries={"total_max_attempts": 1}))
        out = good.encrypt_data(KeyIdentifier="alias/zone", PlainText="6BC1BEE22E409F96E93D7E117393172A",
                                EncryptionAttributes={"Symmetric": {"Mode": "ECB"}})
        T.check(out["CipherText"] == "3AD77BB40D7A3660A89ECAF32466EF97", "boto3 with a client certificate")
        bare = boto3.client("payment-cryptography-data", endpoint_url=srv.url, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test", verify=CA,
                            config=Config(retries={"total_max_attempts": 1}))
        err = error_of(lambda: bare.encrypt_data(KeyIdentifier="alias/zone", PlainText="00" * 16,
                                                 EncryptionAttributes={"Symmetric": {"Mode": "ECB"}}))
        T.check(err is not None and err[1] is None, f"boto3 without a client certificate fails to connect: {err}")
    finally:
        code, _ = srv.stop()
        T.check(code == 0, f"mTLS server exit {code}")

    # Unusable TLS files.
    junk = write("junk.pem", b"not a certificate\n")
    for args, flag in (([SERVER_CERT, junk], "--tls-key"), ([junk, SERVER_KEY], "--tls-cert")):
        out = subprocess.run([BIN, "serve", "--ephemeral", "--listen", "127.0.0.1:0", "--tls-cert", args[0],
                              "--tls-key", args[1]], capture_output=True, text=True, timeout=20)
        T.check(out.returncode != 0 and flag in out.stderr, f"bad {flag}: {out.returncode} {out.stderr!r}")
    out = subprocess.run([BIN, "serve", "--ephemeral", "--listen", "127.0.0.1:0", "--tls-cert", SERVER_CERT,
                          "--tls-key", SERVER_KEY, "--client-ca", junk], capture_output=True, text=True, timeout=20)
    T.check(out.returncode != 0 and "--client-ca" in out.stderr, f"bad --client-ca: {out.stderr!r}")
    T.finish()


if __name__ == "__main__":
    main()
