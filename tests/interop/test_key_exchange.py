"""Key exchange against `paycrypt serve` with boto3, every key checked by independent code:

- TR-34: a KEK built into a TR-34 block by `tr34_peer.py` (pyca/cryptography + asn1crypto, written
  from the layout, not from paycrypt) for the certificate GetParametersForImport hands out, imported
  with the root certificate of the signer's CA; a working key exported as TR-34 opens in the peer.
- TR-31: a BDK and a data key wrapped by psec under that KEK import with the right KCV; the data key
  exported as TR-31 unwraps in psec; the BDK serves ReEncryptData with DUKPT (the incoming ciphertext
  made with pydukpt and pycryptodome, the outgoing one decrypted by pycryptodome); a key as a
  WrappedKey in EncryptData.
- RSA key cryptograms: pyca wraps a key with OAEP SHA-256 and SHA-512 to the import token's
  certificate; an exported cryptogram decrypts in pyca.
- Refusals, as the AWS exception boto3 raises: a signer from another CA, a tampered signature, a
  wrong nonce, an unknown token, a tampered TR-31 block, a KEK of the wrong usage, a key that is not
  exportable, a certificate from an untrusted root.
"""
import base64
import os
import random
import sys
import warnings

import psec.tr31
import pydukpt
from Crypto.Cipher import AES, DES3
from Crypto.Hash import CMAC
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

# psec calls pyca TDES by its old path; the warning says nothing about this test.
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", message=".*TripleDES.*")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tr34_peer  # noqa: E402
from serverlib import Server, Tally, error_of  # noqa: E402

t = Tally("test_key_exchange")
rng = random.Random(int(os.environ.get("KEY_EXCHANGE_SEED", "0")) or None)


def rand(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def aws_cert(*certs):
    return base64.b64encode("".join(tr34_peer.pem(c) for c in certs).encode()).decode()


def load_aws_certs(text):
    pem = base64.b64decode(text)
    from cryptography import x509

    return x509.load_pem_x509_certificates(pem)


def tdes_kcv(key):
    k = key if len(key) != 16 else key + key[:8]
    return DES3.new(k, DES3.MODE_ECB).encrypt(bytes(8))[:3].hex().upper()


def aes_kcv(key):
    return CMAC.new(key, ciphermod=AES).update(bytes(16)).digest()[:3].hex().upper()


def odd_parity(key):
    return bytes(b & 0xFE | (bin(b & 0xFE).count("1") + 1) % 2 for b in key)


def tdes3(key):
    return key if len(key) == 24 else key + key[:8]


ROOT_ATTRS = {"KeyAlgorithm": "RSA_2048", "KeyClass": "PUBLIC_KEY",
              "KeyUsage": "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "KeyModesOfUse": {"Verify": True}}


def main():
    srv = Server()
    try:
        cp = srv.client("payment-cryptography")
        dp = srv.client("payment-cryptography-data")
        run(cp, dp, srv)
    finally:
        srv.stop()
    t.finish()


def code(call):
    e = error_of(call)
    return e[0] if e else None


def commands(srv, kek, kek_arn, zone, zone_arn):
    """The same exchange from the command line: the AWS CLI and `paycrypt --endpoint-url` against the
    server; the exported block unwraps in psec, the imported one gives psec's key's KCV."""
    import json
    import shutil
    import subprocess

    aws = os.path.join(os.path.dirname(os.path.realpath(sys.executable)), "aws")
    if not os.path.exists(aws):
        aws = shutil.which("aws") or aws
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    env.pop("PAYCRYPT_DATA_DIR", None)
    bin_ = os.environ.get("PAYCRYPT_BIN", "target/debug/paycrypt")
    material = json.dumps({"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn}})
    for name, cmd in (("aws", [aws, "payment-cryptography", "export-key", "--endpoint-url", srv.url]),
                      ("paycrypt", [bin_, "export-key", "--endpoint-url", srv.url])):
        out = subprocess.run(cmd + ["--export-key-identifier", zone_arn, "--key-material", material],
                             capture_output=True, text=True, env=env)
        if not t.check(out.returncode == 0, f"{name} export-key: {out.stderr}"):
            continue
        block = json.loads(out.stdout)["WrappedKey"]["KeyMaterial"]
        t.check(psec.tr31.unwrap(kek, block)[1] == zone, f"{name} export-key: psec unwraps the block")
    block = psec.tr31.wrap(kek, "B0000D0TB00E0000", zone)
    for name, cmd in (("aws", [aws, "payment-cryptography", "import-key", "--endpoint-url", srv.url]),
                      ("paycrypt", [bin_, "import-key", "--endpoint-url", srv.url])):
        out = subprocess.run(cmd + ["--key-material", json.dumps({"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn, "WrappedKeyBlock": block}})],
                             capture_output=True, text=True, env=env)
        ok = out.returncode == 0 and json.loads(out.stdout)["Key"]["KeyCheckValue"] == tdes_kcv(zone)
        t.check(ok, f"{name} import-key Tr31KeyBlock: {out.stderr}")
    out = subprocess.run([bin_, "get-parameters-for-import", "--endpoint-url", srv.url, "--key-material-type", "KEY_CRYPTOGRAM",
                          "--wrapping-key-algorithm", "RSA_2048", "--query", "ImportToken", "--output", "text"],
                         capture_output=True, text=True, env=env)
    t.check(out.returncode == 0 and out.stdout.startswith("import-token-"), f"paycrypt get-parameters-for-import: {out.stderr}")
    out = subprocess.run([bin_, "import-key", "--endpoint-url", srv.url, "--key-material",
                          json.dumps({"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn, "WrappedKeyBlock": block[:-1] + ("0" if block[-1] != "0" else "1")}})],
                         capture_output=True, text=True, env=env)
    t.check(out.returncode == 254 and "(ValidationException)" in out.stderr, f"a tampered block from the CLI: {out.returncode} {out.stderr}")


def run(cp, dp, srv):
    # The key distribution host's CA, imported as a root; the KDH's signing certificate.
    ca_key, ca_cert = tr34_peer.make_ca("KDH CA")
    kdh_key, kdh_cert = tr34_peer.make_leaf("KDH", ca_key, ca_cert, usage="sign")
    root = cp.import_key(KeyMaterial={"RootCertificatePublicKey": {
        "KeyAttributes": ROOT_ATTRS, "PublicKeyCertificate": aws_cert(ca_cert)}})["Key"]["KeyArn"]

    # --- TR-34 import of a TDES 3-key KEK, with a random nonce (two-pass).
    params = cp.get_parameters_for_import(KeyMaterialType="TR34_KEY_BLOCK", WrappingKeyAlgorithm="RSA_2048")
    krd_cert = load_aws_certs(params["WrappingKeyCertificate"])[0]
    chain = load_aws_certs(params["WrappingKeyCertificateChain"])
    t.check(krd_cert.issuer == chain[0].subject, "the wrapping certificate is issued by the chain's CA")
    token = params["ImportToken"]
    kek = odd_parity(rand(24))
    nonce = rand(8)
    block = tr34_peer.build_block(kdh_key, kdh_cert, krd_cert, kek, "D0000K0TB00E0000", nonce)
    tr34 = {"CertificateAuthorityPublicKeyIdentifier": root, "SigningKeyCertificate": aws_cert(kdh_cert),
            "ImportToken": token, "WrappedKeyBlock": block.hex().upper(), "KeyBlockFormat": "X9_TR34_2012",
            "RandomNonce": nonce.hex().upper()}
    # Refusals first (nothing is stored by them).
    other_ca_key, other_ca = tr34_peer.make_ca("Stranger CA")
    stranger_key, stranger = tr34_peer.make_leaf("Stranger KDH", other_ca_key, other_ca, usage="sign")
    bad = tr34_peer.build_block(stranger_key, stranger, krd_cert, kek, "D0000K0TB00E0000", nonce)
    t.check(code(lambda: cp.import_key(KeyMaterial={"Tr34KeyBlock": dict(
        tr34, SigningKeyCertificate=aws_cert(stranger), WrappedKeyBlock=bad.hex().upper())})) == "ValidationException",
        "TR-34 from a signer outside the root's CA is refused")
    tampered = bytearray(block)
    tampered[-5] ^= 0x01  # inside the signature, the last field of the SignedData
    t.check(code(lambda: cp.import_key(KeyMaterial={"Tr34KeyBlock": dict(
        tr34, WrappedKeyBlock=bytes(tampered).hex().upper())})) == "ValidationException", "a tampered TR-34 signature is refused")
    t.check(code(lambda: cp.import_key(KeyMaterial={"Tr34KeyBlock": dict(
        tr34, RandomNonce=rand(8).hex().upper())})) == "ValidationException", "a wrong nonce is refused")
    t.check(code(lambda: cp.import_key(KeyMaterial={"Tr34KeyBlock": dict(
        tr34, ImportToken="import-token-0000000000000000")})) == "ValidationException", "an unknown import token is refused")
    out = cp.import_key(KeyMaterial={"Tr34KeyBlock": tr34})["Key"]
    t.check(out["KeyCheckValue"] == tdes_kcv(kek), f"TR-34 KEK KCV {out['KeyCheckValue']} == {tdes_kcv(kek)}")
    t.check(out["KeyAttributes"]["KeyUsage"] == "TR31_K0_KEY_ENCRYPTION_KEY" and out["KeyAttributes"]["KeyAlgorithm"] == "TDES_3KEY",
            "TR-34 KEK attributes from its header")
    kek_arn = out["KeyArn"]

    # --- TR-31 imports under that KEK, wrapped by psec.
    bdk = odd_parity(rand(16))
    bdk_block = psec.tr31.wrap(kek, "B0000B0TX00E0000", bdk)
    bdk_key = cp.import_key(KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn, "WrappedKeyBlock": bdk_block}})["Key"]
    t.check(bdk_key["KeyCheckValue"] == tdes_kcv(bdk), "TR-31 BDK KCV")
    t.check(bdk_key["KeyAttributes"]["KeyModesOfUse"]["DeriveKey"], "TR-31 BDK derives")
    zone = odd_parity(rand(16))
    zone_block = psec.tr31.wrap(kek, "B0000D0TB00E0000", zone)
    zone_key = cp.import_key(KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn, "WrappedKeyBlock": zone_block}})["Key"]
    t.check(zone_key["KeyCheckValue"] == tdes_kcv(zone), "TR-31 data key KCV")
    # Every single-character change of a block is refused.
    refused = 0
    positions = rng.sample(range(len(zone_block)), 40)
    for i in positions:
        c = zone_block[i]
        alt = "0" if c != "0" else "1"
        changed = zone_block[:i] + alt + zone_block[i + 1:]
        if code(lambda: cp.import_key(KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn, "WrappedKeyBlock": changed}})) == "ValidationException":
            refused += 1
    t.check(refused == len(positions), f"{refused}/{len(positions)} one-character changes refused")
    # A KEK of the wrong usage cannot unwrap.
    t.check(code(lambda: cp.import_key(KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": zone_key["KeyArn"], "WrappedKeyBlock": bdk_block}})) == "ValidationException",
            "a D0 key is not a KEK")

    # --- ReEncryptData: DUKPT (pydukpt data-request key, TDES CBC) -> the zone key.
    for _ in range(5):
        # A counter with at most 10 one-bits, as X9.24-1 allows.
        counter = sum(1 << b for b in rng.sample(range(21), rng.randrange(1, 11)))
        ksn = pydukpt.ksn_with_counter(bytes.fromhex("FFFF9876543210E00000"), counter)
        ipek = pydukpt.derive_ipek(bdk, ksn)
        data_key = pydukpt.data_request_key(pydukpt.derive_key(ipek, ksn))
        plain = rand(16)
        incoming = DES3.new(tdes3(data_key), DES3.MODE_CBC, iv=bytes(8)).encrypt(plain)
        try:
            out = dp.re_encrypt_data(
                IncomingKeyIdentifier=bdk_key["KeyArn"], OutgoingKeyIdentifier=zone_key["KeyArn"], CipherText=incoming.hex().upper(),
                IncomingEncryptionAttributes={"Dukpt": {"KeySerialNumber": ksn.hex().upper(), "Mode": "CBC", "DukptKeyVariant": "REQUEST",
                                                        "DukptKeyDerivationType": "TDES_2KEY", "InitializationVector": "0000000000000000"}},
                OutgoingEncryptionAttributes={"Symmetric": {"Mode": "CBC", "InitializationVector": "0000000000000000"}})
            got = DES3.new(tdes3(zone), DES3.MODE_CBC, iv=bytes(8)).decrypt(bytes.fromhex(out["CipherText"]))
            t.check(got == plain, "ReEncryptData DUKPT -> TR-31-imported zone key decrypts in pycryptodome")
        except Exception as e:  # noqa: BLE001
            t.check(False, f"ReEncryptData: {e}")

    # --- The zone key as a WrappedKey in EncryptData (not stored).
    plain = rand(16)
    out = dp.encrypt_data(KeyIdentifier=kek_arn, PlainText=plain.hex().upper(),
                          EncryptionAttributes={"Symmetric": {"Mode": "ECB"}},
                          WrappedKey={"WrappedKeyMaterial": {"Tr31KeyBlock": zone_block}})
    t.check(bytes.fromhex(out["CipherText"]) == DES3.new(tdes3(zone), DES3.MODE_ECB).encrypt(plain), "EncryptData with a WrappedKey")
    t.check(out["KeyCheckValue"] == tdes_kcv(zone), "WrappedKey KCV is the working key's")

    # --- Export the zone key as TR-31: psec unwraps it.
    out = cp.export_key(ExportKeyIdentifier=zone_key["KeyArn"], KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn,
                        "KeyBlockHeaders": {"KeyExportability": "NON_EXPORTABLE", "KeyVersion": "07"}}})["WrappedKey"]
    header, key = psec.tr31.unwrap(kek, out["KeyMaterial"])
    t.check(key == zone, "exported TR-31 block unwraps in psec to the key")
    t.check((header.key_usage, header.algorithm, header.mode_of_use, header.version_num, header.exportability) == ("D0", "T", "B", "07", "N"),
            f"exported header {header}")
    t.check(out["KeyCheckValue"] == tdes_kcv(zone), "export KCV")
    # A non-exportable key does not leave.
    fixed = cp.import_key(KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn, "WrappedKeyBlock": psec.tr31.wrap(kek, "B0000D0TB00N0000", zone)}})["Key"]
    t.check(code(lambda: cp.export_key(ExportKeyIdentifier=fixed["KeyArn"], KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn}})) == "ValidationException",
            "a non-exportable key is refused")

    # --- Key cryptograms: import with OAEP SHA-256 and SHA-512.
    for spec, h in (("RSA_OAEP_SHA_256", hashes.SHA256()), ("RSA_OAEP_SHA_512", hashes.SHA512())):
        p = cp.get_parameters_for_import(KeyMaterialType="KEY_CRYPTOGRAM", WrappingKeyAlgorithm="RSA_2048")
        cert = load_aws_certs(p["WrappingKeyCertificate"])[0]
        aes_key = rand(16)
        wrapped = cert.public_key().encrypt(aes_key, padding.OAEP(mgf=padding.MGF1(h), algorithm=h, label=None))
        out = cp.import_key(KeyMaterial={"KeyCryptogram": {
            "KeyAttributes": {"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY", "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
                              "KeyModesOfUse": {"Encrypt": True, "Decrypt": True, "Wrap": True, "Unwrap": True}},
            "Exportable": True, "WrappedKeyCryptogram": wrapped.hex().upper(), "ImportToken": p["ImportToken"], "WrappingSpec": spec}})["Key"]
        t.check(out["KeyCheckValue"] == aes_kcv(aes_key), f"key cryptogram {spec} KCV")

    # --- Export as a cryptogram to a receiver certified by the imported root; and as TR-34.
    recv_key, recv_cert = tr34_peer.make_leaf("KRD", ca_key, ca_cert, usage="encrypt")
    out = cp.export_key(ExportKeyIdentifier=zone_key["KeyArn"], KeyMaterial={"KeyCryptogram": {
        "CertificateAuthorityPublicKeyIdentifier": root, "WrappingKeyCertificate": aws_cert(recv_cert), "WrappingSpec": "RSA_OAEP_SHA_256"}})["WrappedKey"]
    got = recv_key.decrypt(bytes.fromhex(out["KeyMaterial"]), padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
    t.check(got == zone and out["WrappedKeyMaterialFormat"] == "KEY_CRYPTOGRAM", "exported key cryptogram decrypts in pyca")
    stranger_recv_key, stranger_recv = tr34_peer.make_leaf("Stranger KRD", other_ca_key, other_ca, usage="encrypt")
    t.check(code(lambda: cp.export_key(ExportKeyIdentifier=zone_key["KeyArn"], KeyMaterial={"KeyCryptogram": {
        "CertificateAuthorityPublicKeyIdentifier": root, "WrappingKeyCertificate": aws_cert(stranger_recv)}})) == "ValidationException",
        "a certificate not from the trusted root is refused")
    ep = cp.get_parameters_for_export(KeyMaterialType="TR34_KEY_BLOCK", SigningKeyAlgorithm="RSA_2048")
    signer = load_aws_certs(ep["SigningKeyCertificate"])[0]
    export_nonce = rand(8)
    out = cp.export_key(ExportKeyIdentifier=zone_key["KeyArn"], KeyMaterial={"Tr34KeyBlock": {
        "CertificateAuthorityPublicKeyIdentifier": root, "WrappingKeyCertificate": aws_cert(recv_cert), "ExportToken": ep["ExportToken"],
        "KeyBlockFormat": "X9_TR34_2012", "RandomNonce": export_nonce.hex().upper()}})["WrappedKey"]
    header, key = tr34_peer.open_block(bytes.fromhex(out["KeyMaterial"]), signer, recv_key, export_nonce)
    t.check(key == zone and header[5:8] == "D0T", f"exported TR-34 block opens in the peer ({header})")
    t.check(out["WrappedKeyMaterialFormat"] == "TR34_KEY_BLOCK", "TR-34 format")

    commands(srv, kek, kek_arn, zone, zone_key["KeyArn"])


if __name__ == "__main__":
    main()
