"""An independent TR-34 (ANSI X9 TR-34-2012) peer for paycrypt's interop tests.

Builds and opens two-pass TR-34 key blocks in the layout AWS Payment Cryptography uses for
ImportKey/ExportKey (KeyBlockFormat X9_TR34_2012), with pyca/cryptography for the cryptography and
asn1crypto for the ASN.1. It is written from the layout described in docs/tr34.md, not from
paycrypt's Rust code.

    ca_key, ca_cert = make_ca("TR34 Test CA")
    kdh_key, kdh_cert = make_leaf("KDH", ca_key, ca_cert, usage="sign")
    krd_key, krd_cert = make_leaf("KRD", ca_key, ca_cert, usage="encrypt")
    block = build_block(kdh_key, kdh_cert, krd_cert, key, "D9999K0TB00E0000", nonce)
    header, key = open_block(block, kdh_cert, krd_key, nonce)

Layout (AWS): ContentInfo(signedData) > SignedData v1, digest SHA-256, no certificates, eContent =
the EnvelopedData's fields without their SEQUENCE header; KeyTransRecipientInfo v0 to the KRD's
issuer+serial, RSAES-OAEP SHA-256/MGF1-SHA-256 with untagged parameters; the encrypted content
(TDES-CBC or AES-CBC, PKCS#7 padding) sits inside the content-encryption AlgorithmIdentifier.
Signed attributes: contentType, randomNonce, the header (typed id-data), messageDigest.
With layout="rfc" the same block follows RFC 5652/4055 to the letter instead.
"""

import datetime
import hashlib
import os

from asn1crypto import cms, core, parser
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.x509.oid import NameOID

OID_DATA = "1.2.840.113549.1.7.1"
OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_ENVELOPED_DATA = "1.2.840.113549.1.7.3"
OID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
OID_RANDOM_NONCE = "1.2.840.113549.1.9.25.3"
OID_SHA256 = "2.16.840.1.101.3.4.2.1"
OID_RSA = "1.2.840.113549.1.1.1"
OID_OAEP = "1.2.840.113549.1.1.7"
OID_MGF1 = "1.2.840.113549.1.1.8"
OID_P_SPECIFIED = "1.2.840.113549.1.1.9"
CONTENT_CIPHERS = {
    # name: (OID, key bytes, block bytes)
    "tdes": ("1.2.840.113549.3.7", 24, 8),
    "aes128": ("2.16.840.1.101.3.4.1.2", 16, 16),
    "aes256": ("2.16.840.1.101.3.4.1.42", 32, 16),
}


# ---------------------------------------------------------------- ASN.1 shapes (asn1crypto)
class OctetStringSet(core.SetOf):
    _child_spec = core.OctetString


class OidSet(core.SetOf):
    _child_spec = core.ObjectIdentifier


class OctetStringAttribute(core.Sequence):
    _fields = [("type", core.ObjectIdentifier), ("values", OctetStringSet)]


class OidAttribute(core.Sequence):
    _fields = [("type", core.ObjectIdentifier), ("values", OidSet)]


class Tr34KeyBlock(core.Sequence):
    """The plaintext: version 1, the KDH's issuer and serial, the key, the header attribute."""

    _fields = [
        ("version", core.Integer),
        ("kdh_id", cms.IssuerAndSerialNumber),
        ("key", core.OctetString),
        ("header", OctetStringAttribute),
    ]


class HashAlgorithm(core.Sequence):
    _fields = [("algorithm", core.ObjectIdentifier), ("parameters", core.Null, {"optional": True})]


class MaskGen(core.Sequence):
    _fields = [("algorithm", core.ObjectIdentifier), ("hash", HashAlgorithm)]


class LabelSource(core.Sequence):
    _fields = [("algorithm", core.ObjectIdentifier), ("label", core.OctetString)]


class OaepParamsUntagged(core.Sequence):
    _fields = [("hash", HashAlgorithm), ("mgf", MaskGen), ("label", LabelSource)]


class OaepParamsTagged(core.Sequence):
    _fields = [
        ("hash", HashAlgorithm, {"explicit": 0}),
        ("mgf", MaskGen, {"explicit": 1}),
        ("label", LabelSource, {"explicit": 2}),
    ]


class KeyTransRecipient(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("rid", cms.IssuerAndSerialNumber),
        ("algorithm", core.Sequence),
        ("encrypted_key", core.OctetString),
    ]


class Recipients(core.SetOf):
    _child_spec = KeyTransRecipient


class CipherWithContent(core.Sequence):
    """AWS: the IV and then the ciphertext ([0] IMPLICIT) inside the AlgorithmIdentifier."""

    _fields = [
        ("algorithm", core.ObjectIdentifier),
        ("iv", core.OctetString),
        ("encrypted", core.OctetString, {"implicit": 0}),
    ]


class CipherAlgorithm(core.Sequence):
    _fields = [("algorithm", core.ObjectIdentifier), ("iv", core.OctetString)]


class AwsEncryptedContentInfo(core.Sequence):
    _fields = [("content_type", core.ObjectIdentifier), ("cipher", CipherWithContent)]


class RfcEncryptedContentInfo(core.Sequence):
    _fields = [
        ("content_type", core.ObjectIdentifier),
        ("cipher", CipherAlgorithm),
        ("encrypted", core.OctetString, {"implicit": 0}),
    ]


class DigestAlgorithm(core.Sequence):
    _fields = [("algorithm", core.ObjectIdentifier), ("parameters", core.Null, {"optional": True})]


class DigestAlgorithms(core.SetOf):
    _child_spec = DigestAlgorithm


# ---------------------------------------------------------------- DER helpers
def der_wrap(tag: int, body: bytes) -> bytes:
    """One DER item from its tag byte and contents."""
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + body


def der_items(contents: bytes) -> list:
    """The encoded items that follow one another in `contents`."""
    out, i = [], 0
    while i < len(contents):
        n = parser.peek(contents[i:])
        out.append(contents[i : i + n])
        i += n
    return out


def der_open(item: bytes, tag_byte: int) -> bytes:
    """The contents of one encoded item, checking its identifier octet."""
    if not item or item[0] != tag_byte:
        raise ValueError("expected tag %02X, found %s" % (tag_byte, item[:1].hex()))
    return parser.parse(item, strict=True)[4]


def oid_of(item: bytes) -> str:
    return core.ObjectIdentifier.load(item).dotted


def cert_id(cert: x509.Certificate) -> cms.IssuerAndSerialNumber:
    tbs = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))["tbs_certificate"]
    return cms.IssuerAndSerialNumber({"issuer": tbs["issuer"], "serial_number": tbs["serial_number"]})


# ---------------------------------------------------------------- certificates
def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_ca(cn="TR34 Test CA", key=None, days=3650, not_before=None):
    """A self-signed RSA CA: (private key, certificate)."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = not_before or datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_leaf(cn, ca_key, ca_cert, usage="sign", key=None, days=365, not_before=None):
    """An RSA leaf issued by the CA: usage "sign" (a KDH) or "encrypt" (a KRD)."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = not_before or datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    sign, encrypt = usage == "sign", usage == "encrypt"
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(sign, False, encrypt, False, False, False, False, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


# ---------------------------------------------------------------- building
def _cbc(name: str, key: bytes, iv: bytes):
    algorithm = TripleDES(key) if name == "tdes" else algorithms.AES(key)
    return Cipher(algorithm, modes.CBC(iv))


def build_block(kdh_key, kdh_cert, krd_cert, key: bytes, header: str, nonce, content_cipher=None, layout="aws"):
    """A TR-34 block (DER) carrying `key`, signed by the KDH and encrypted to the KRD.

    content_cipher: "tdes", "aes128" or "aes256"; by default AES-128 when the header's algorithm
    (character 8) is "A", TDES otherwise. nonce: the KRD's random nonce, or None for no nonce
    attribute. layout: "aws" (AWS's) or "rfc" (RFC 5652/4055 as written).
    """
    header_bytes = header.encode("ascii")
    content_cipher = content_cipher or ("aes128" if header_bytes[7:8] == b"A" else "tdes")
    cipher_oid, cek_len, block = CONTENT_CIPHERS[content_cipher]
    header_attr = OctetStringAttribute({"type": OID_DATA, "values": [header_bytes]})

    plain = Tr34KeyBlock(
        {"version": 1, "kdh_id": cert_id(kdh_cert), "key": key, "header": header_attr}
    ).dump()
    pad = block - len(plain) % block
    plain += bytes([pad]) * pad
    cek, iv = os.urandom(cek_len), os.urandom(block)
    encryptor = _cbc(content_cipher, cek, iv).encryptor()
    ciphertext = encryptor.update(plain) + encryptor.finalize()
    wrapped = krd_cert.public_key().encrypt(
        cek, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    )

    params_fields = {
        "hash": {"algorithm": OID_SHA256, "parameters": core.Null()},
        "mgf": {"algorithm": OID_MGF1, "hash": {"algorithm": OID_SHA256}},
        "label": {"algorithm": OID_P_SPECIFIED, "label": b""},
    }
    params = OaepParamsUntagged(params_fields) if layout == "aws" else OaepParamsTagged(params_fields)
    key_alg = der_wrap(0x30, core.ObjectIdentifier(OID_OAEP).dump() + params.dump())
    recipient = KeyTransRecipient(
        {
            "version": 0,
            "rid": cert_id(krd_cert),
            "algorithm": core.Sequence.load(key_alg),
            "encrypted_key": wrapped,
        }
    )
    if layout == "aws":
        content_info = AwsEncryptedContentInfo(
            {
                "content_type": OID_DATA,
                "cipher": {"algorithm": cipher_oid, "iv": iv, "encrypted": ciphertext},
            }
        )
    else:
        content_info = RfcEncryptedContentInfo(
            {"content_type": OID_DATA, "cipher": {"algorithm": cipher_oid, "iv": iv}, "encrypted": ciphertext}
        )
    fields = core.Integer(0).dump() + Recipients([recipient]).dump() + content_info.dump()
    enveloped = fields if layout == "aws" else der_wrap(0x30, fields)

    attributes = [
        OidAttribute({"type": OID_CONTENT_TYPE, "values": [OID_ENVELOPED_DATA]}).dump(),
        header_attr.dump(),
        OctetStringAttribute(
            {"type": OID_MESSAGE_DIGEST, "values": [hashlib.sha256(enveloped).digest()]}
        ).dump(),
    ]
    if nonce is not None:
        attributes.insert(1, OctetStringAttribute({"type": OID_RANDOM_NONCE, "values": [nonce]}).dump())
    attributes.sort()  # DER orders a SET OF by encoding
    signed_attrs = b"".join(attributes)
    signature = kdh_key.sign(der_wrap(0x31, signed_attrs), padding.PKCS1v15(), hashes.SHA256())

    sha256 = DigestAlgorithm({"algorithm": OID_SHA256})
    signer_info = der_wrap(
        0x30,
        core.Integer(1).dump()
        + cert_id(kdh_cert).dump()
        + sha256.dump()
        + der_wrap(0xA0, signed_attrs)
        + DigestAlgorithm({"algorithm": OID_RSA, "parameters": core.Null()}).dump()
        + core.OctetString(signature).dump(),
    )
    encap = der_wrap(
        0x30,
        core.ObjectIdentifier(OID_ENVELOPED_DATA).dump() + der_wrap(0xA0, core.OctetString(enveloped).dump()),
    )
    signed_data = der_wrap(
        0x30,
        core.Integer(1).dump() + DigestAlgorithms([sha256]).dump() + encap + der_wrap(0x31, signer_info),
    )
    return der_wrap(0x30, core.ObjectIdentifier(OID_SIGNED_DATA).dump() + der_wrap(0xA0, signed_data))


# ---------------------------------------------------------------- opening
def open_block(der: bytes, kdh_cert, krd_key, nonce):
    """Checks and decrypts a TR-34 block (AWS's layout): returns (header str, key bytes).

    Raises ValueError naming the check that failed. nonce=None skips the nonce check.
    """
    outer = der_items(der_open(der, 0x30))
    if oid_of(outer[0]) != OID_SIGNED_DATA:
        raise ValueError("not signedData")
    signed = der_items(der_open(der_open(outer[1], 0xA0), 0x30))
    encap = der_items(der_open(signed[2], 0x30))
    if oid_of(encap[0]) != OID_ENVELOPED_DATA:
        raise ValueError("content is not envelopedData")
    enveloped = der_open(der_open(encap[1], 0xA0), 0x04)
    signer_infos = der_items(der_open(signed[-1], 0x31))
    if len(signer_infos) != 1:
        raise ValueError("expected one SignerInfo")
    signer = der_items(der_open(signer_infos[0], 0x30))
    if signer[1] != cert_id(kdh_cert).dump():
        raise ValueError("signed by another KDH")
    signed_attrs = der_open(signer[3], 0xA0)
    kdh_cert.public_key().verify(
        der_open(signer[5], 0x04), der_wrap(0x31, signed_attrs), padding.PKCS1v15(), hashes.SHA256()
    )
    attrs = {}
    for attr in der_items(signed_attrs):
        kind, values = der_items(der_open(attr, 0x30))
        attrs[oid_of(kind)] = der_items(der_open(values, 0x31))[0]
    if hashlib.sha256(enveloped).digest() != der_open(attrs[OID_MESSAGE_DIGEST], 0x04):
        raise ValueError("message digest mismatch")
    if nonce is not None and der_open(attrs.get(OID_RANDOM_NONCE, b"\x04\x00"), 0x04) != nonce:
        raise ValueError("nonce mismatch")
    header = der_open(attrs[OID_DATA], 0x04)

    version, recipients, content_info = der_items(enveloped)
    recipient = der_items(der_open(der_items(der_open(recipients, 0x31))[0], 0x30))
    if der_open(version, 0x02) != b"\x00":
        raise ValueError("EnvelopedData version is not 0")
    key_alg = der_items(der_open(recipient[2], 0x30))
    if oid_of(key_alg[0]) != OID_OAEP:
        raise ValueError("key transport is not RSAES-OAEP")
    cek = krd_key.decrypt(
        der_open(recipient[3], 0x04),
        padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None),
    )
    cipher_alg = der_items(der_open(content_info, 0x30))[1]
    cipher_fields = der_items(der_open(cipher_alg, 0x30))
    name = {v[0]: k for k, v in CONTENT_CIPHERS.items()}[oid_of(cipher_fields[0])]
    iv = der_open(cipher_fields[1], 0x04)
    ciphertext = der_open(cipher_fields[2], 0x80)
    decryptor = _cbc(name, cek, iv).decryptor()
    plain = decryptor.update(ciphertext) + decryptor.finalize()
    key_block = der_items(der_open(plain[: parser.peek(plain)], 0x30))
    if key_block[1] != cert_id(kdh_cert).dump():
        raise ValueError("key block names another KDH")
    key = der_open(key_block[2], 0x04)
    inner_header = der_open(der_items(der_open(der_items(der_open(key_block[3], 0x30))[1], 0x31))[0], 0x04)
    if inner_header != header:
        raise ValueError("header mismatch")
    return header.decode("ascii"), key


def pem(cert) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def key_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
