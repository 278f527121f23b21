//! Certificates: read (PEM, DER, AWS's base64 of PEM), issue (CA and leaves), and the checks of a
//! chain: issuer name, CA flag, signature, validity.
#![allow(clippy::unwrap_used)] // helpers of tests, where a panic is the failure report

mod common;

use std::process::Command;
use std::sync::OnceLock;

use base64ct::{Base64, Encoding};
use paycrypt::primitives::pki::{self, Certificate, LeafUsage, PkiError};
use paycrypt::rsa::RsaPrivateKey;
use serde_json::Value;

/// 2026-01-01T00:00:00Z: the test certificates' start.
const START: i64 = 1_767_225_600;
const DAY: i64 = 86_400;

struct Keys {
    file: Value,
    a: RsaPrivateKey,
    b: RsaPrivateKey,
    c: RsaPrivateKey,
}

/// Test keys (from the TR-34 fixture) and its Python-made certificates.
fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let file = common::load_value("tr34/python_peer");
        let key = |name: &str| RsaPrivateKey::from_pem(file[name].as_str().unwrap()).unwrap();
        Keys { a: key("kdh_key"), b: key("krd_key"), c: key("other_kdh_key"), file }
    })
}

fn python_cert(name: &str) -> Certificate {
    Certificate::from_pem(keys().file[name].as_str().unwrap()).unwrap()
}

/// A Rust-issued CA (key `a`) and a leaf (key `b`) it signs.
fn rust_chain() -> (Certificate, Certificate) {
    let k = keys();
    let ca = pki::issue_ca(&k.a, "Rust Test CA", 365, START).unwrap();
    let leaf =
        pki::issue_leaf(k.b.as_public_key(), "Rust KRD", LeafUsage::KeyEncipherment, &ca, &k.a, 30, START)
            .unwrap();
    (ca, leaf)
}

#[test]
fn python_certificates_read_and_chain() {
    let ca = python_cert("ca_cert");
    let kdh = python_cert("kdh_cert");
    assert!(ca.is_ca());
    assert!(!kdh.is_ca());
    assert_eq!(ca.subject(), "CN=TR34 Test CA");
    assert_eq!(kdh.subject(), "CN=TR34 Test KDH");
    assert_eq!(kdh.public_key().unwrap(), keys().a.public_key());
    pki::verify_chain(&kdh, &[], &ca, START + DAY).unwrap();
    assert_eq!(Certificate::from_der(kdh.der()).unwrap(), kdh);
    assert_eq!(Certificate::from_pem(&kdh.to_pem()).unwrap(), kdh);
    assert!(!kdh.serial_hex().is_empty());
}

#[test]
fn aws_base64_of_pem_carries_chains() {
    let (ca, leaf) = rust_chain();
    let wire = Certificate::to_aws_base64(&[leaf.clone(), ca.clone()]);
    let text = String::from_utf8(Base64::decode_vec(&wire).unwrap()).unwrap();
    assert!(text.starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert_eq!(Certificate::from_aws_base64(&wire).unwrap(), vec![leaf.clone(), ca.clone()]);
    // Base64 of DER (back to back), plain PEM with CRLF and text around it, and wrapped base64.
    let der = Base64::encode_string(&[leaf.der(), ca.der()].concat());
    assert_eq!(Certificate::from_aws_base64(&der).unwrap(), vec![leaf.clone(), ca.clone()]);
    let crlf = format!("subject=Rust KRD\r\n{}", leaf.to_pem().replace('\n', "\r\n"));
    assert_eq!(Certificate::from_aws_base64(&crlf).unwrap(), vec![leaf.clone()]);
    let wrapped: String =
        wire.as_bytes().chunks(76).map(|l| format!("{}\n", std::str::from_utf8(l).unwrap())).collect();
    assert_eq!(Certificate::from_aws_base64(&wrapped).unwrap().len(), 2);
}

#[test]
fn unreadable_input_is_refused_with_its_reason() {
    assert!(matches!(
        Certificate::from_aws_base64("not base64!"),
        Err(PkiError::Encoding { format: "base64", .. })
    ));
    assert_eq!(Certificate::from_aws_base64(&Base64::encode_string(b"hello")), Err(PkiError::Empty));
    assert_eq!(Certificate::from_pem("no PEM here"), Err(PkiError::Empty));
    let key_pem = keys().file["kdh_key"].as_str().unwrap();
    assert!(matches!(Certificate::from_pem(key_pem), Err(PkiError::Encoding { format: "PEM", .. })));
    assert!(matches!(Certificate::from_der(&[0x30, 0x00]), Err(PkiError::Malformed { .. })));
    let (ca, leaf) = rust_chain();
    let two = format!("{}{}", leaf.to_pem(), ca.to_pem());
    assert!(matches!(Certificate::from_pem(&two), Err(PkiError::Encoding { .. })));
    assert_eq!(Certificate::from_pem_chain(&two).unwrap().len(), 2);
}

#[test]
fn issued_certificates_chain_and_carry_their_usage() {
    let (ca, leaf) = rust_chain();
    assert!(ca.is_ca());
    assert!(!leaf.is_ca());
    assert_eq!(leaf.subject(), "CN=Rust KRD");
    assert_eq!(leaf.issuer(), "CN=Rust Test CA");
    assert_eq!(leaf.public_key().unwrap(), keys().b.public_key());
    ca.verify_issued_by(&ca).unwrap();
    leaf.verify_issued_by(&ca).unwrap();
    pki::verify_chain(&leaf, &[], &ca, START).unwrap();
    pki::verify_chain(&leaf, &[], &ca, START + 30 * DAY).unwrap();
    assert_eq!(leaf.validity_unix(), (START, START + 30 * DAY));
    let escaped = pki::issue_ca(&keys().a, "Acme, Inc. + Co", 1, START).unwrap();
    assert_eq!(escaped.subject(), r"CN=Acme\, Inc. \+ Co");
}

#[test]
fn expired_and_not_yet_valid_certificates_are_refused() {
    let (ca, leaf) = rust_chain();
    let err = pki::verify_chain(&leaf, &[], &ca, START + 31 * DAY).unwrap_err();
    assert_eq!(
        err,
        PkiError::OutsideValidity {
            subject: "CN=Rust KRD".into(),
            now: START + 31 * DAY,
            not_before: START,
            not_after: START + 30 * DAY
        }
    );
    assert!(matches!(leaf.check_validity(START - 1), Err(PkiError::OutsideValidity { .. })));
    // The root too.
    assert!(matches!(
        pki::verify_chain(&leaf, &[], &ca, START + 400 * DAY),
        Err(PkiError::OutsideValidity { .. })
    ));
}

#[test]
fn another_issuer_is_refused() {
    let k = keys();
    let (_, leaf) = rust_chain();
    let other_ca = pki::issue_ca(&k.c, "Other CA", 365, START).unwrap();
    let err = leaf.verify_issued_by(&other_ca).unwrap_err();
    assert_eq!(
        err,
        PkiError::IssuerMismatch {
            subject: "CN=Rust KRD".into(),
            issuer: "CN=Rust Test CA".into(),
            candidate: "CN=Other CA".into()
        }
    );
    // Same name, another key: the signature does not verify.
    let impostor = pki::issue_ca(&k.c, "Rust Test CA", 365, START).unwrap();
    assert_eq!(
        leaf.verify_issued_by(&impostor).unwrap_err(),
        PkiError::BadSignature { subject: "CN=Rust KRD".into(), issuer: "CN=Rust Test CA".into() }
    );
    assert!(python_cert("kdh_cert").verify_issued_by(&impostor).is_err());
}

#[test]
fn a_tampered_signature_is_refused() {
    let (ca, leaf) = rust_chain();
    let mut der = leaf.der().to_vec();
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let tampered = Certificate::from_der(&der).unwrap();
    assert!(matches!(tampered.verify_issued_by(&ca), Err(PkiError::BadSignature { .. })));
    // A byte of the signed part (inside the subject name).
    let mut der = leaf.der().to_vec();
    let at = der.windows(8).position(|w| w == b"Rust KRD").unwrap();
    der[at] = b'r';
    let renamed = Certificate::from_der(&der).unwrap();
    assert!(matches!(renamed.verify_issued_by(&ca), Err(PkiError::BadSignature { .. })));
}

#[test]
fn a_non_ca_issuer_is_refused() {
    let k = keys();
    let (ca, leaf) = rust_chain();
    let err = pki::issue_leaf(k.c.as_public_key(), "X", LeafUsage::DigitalSignature, &leaf, &k.b, 30, START)
        .unwrap_err();
    assert_eq!(err, PkiError::NotCa { subject: "CN=Rust KRD".into() });
    // A leaf named like a CA cannot stand in for it, in a chain or directly.
    let fake_ca = pki::issue_leaf(
        k.a.as_public_key(),
        "Rust Test CA",
        LeafUsage::DigitalSignature,
        &ca,
        &k.a,
        30,
        START,
    )
    .unwrap();
    assert_eq!(
        leaf.verify_issued_by(&fake_ca).unwrap_err(),
        PkiError::NotCa { subject: "CN=Rust Test CA".into() }
    );
    assert!(matches!(pki::verify_chain(&leaf, &[fake_ca], &ca, START), Err(PkiError::NotCa { .. })));
    // The issuer key must be the issuer certificate's.
    let err = pki::issue_leaf(k.c.as_public_key(), "X", LeafUsage::DigitalSignature, &ca, &k.c, 30, START)
        .unwrap_err();
    assert!(matches!(err, PkiError::Issue { .. }));
}

/// Replaces the first occurrence of `from` in `der` (both hex) by `to`.
fn patched(der: &[u8], from: &str, to: &str) -> Vec<u8> {
    let (from, to) = (hex::decode(from).unwrap(), hex::decode(to).unwrap());
    let at = der.windows(from.len()).position(|w| w == from).unwrap();
    [&der[..at], &to[..], &der[at + from.len()..]].concat()
}

#[test]
fn unsupported_algorithms_are_named() {
    let (ca, leaf) = rust_chain();
    // The SubjectPublicKeyInfo's rsaEncryption made RSASSA-PSS (1.2.840.113549.1.1.10).
    let pss_key = Certificate::from_der(&patched(
        leaf.der(),
        "06092A864886F70D0101010500",
        "06092A864886F70D01010A0500",
    ))
    .unwrap();
    assert_eq!(
        pss_key.public_key().unwrap_err(),
        PkiError::UnsupportedKey { subject: "CN=Rust KRD".into(), oid: "1.2.840.113549.1.1.10".into() }
    );
    // Both signature algorithm fields made sha1WithRSAEncryption (1.2.840.113549.1.1.5).
    let once = patched(leaf.der(), "06092A864886F70D01010B", "06092A864886F70D010105");
    let sha1 =
        Certificate::from_der(&patched(&once, "06092A864886F70D01010B", "06092A864886F70D010105")).unwrap();
    assert_eq!(
        sha1.verify_issued_by(&ca).unwrap_err(),
        PkiError::UnsupportedSignature { subject: "CN=Rust KRD".into(), oid: "1.2.840.113549.1.1.5".into() }
    );
}

#[test]
fn error_messages_name_the_certificate() {
    let err = PkiError::NotCa { subject: "CN=KDH".into() };
    assert_eq!(
        err.to_string(),
        "Certificate 'CN=KDH' is not a certificate authority, so it cannot issue certificates."
    );
}

/// Rust-issued certificates read and verify in pyca/cryptography, with their extensions, when a
/// Python with it is at hand (`PAYCRYPT_PYTHON`, else `python3`).
#[test]
fn issued_certificates_verify_in_pyca() {
    let python = std::env::var("PAYCRYPT_PYTHON").unwrap_or_else(|_| "python3".into());
    let (ca, leaf) = rust_chain();
    let script = r#"
import sys
from cryptography import x509
ca, leaf = (x509.load_pem_x509_certificate(p.encode()) for p in sys.argv[1:3])
leaf.verify_directly_issued_by(ca)
ca.verify_directly_issued_by(ca)
assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
ku = leaf.extensions.get_extension_for_class(x509.KeyUsage)
assert ku.critical and ku.value.key_encipherment and not ku.value.digital_signature
aki = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
assert aki == ski
print("ok")
"#;
    match Command::new(&python).args(["-c", script, &ca.to_pem(), &leaf.to_pem()]).output() {
        Ok(out) if String::from_utf8_lossy(&out.stderr).contains("No module named 'cryptography'") => {
            eprintln!("skipped: {python} has no pyca/cryptography");
        }
        Ok(out) => assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "ok",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => eprintln!("skipped: cannot run {python}: {e}"),
    }
}
