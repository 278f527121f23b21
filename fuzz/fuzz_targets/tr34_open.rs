//! The TR-34 block reader and the certificate readers: never panic, whatever the bytes. Blocks are
//! opened with the test KDH and KRD of vectors/tr34 (test keys only); a block that opens must carry
//! a header and a key.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use paycrypt::primitives::pki::Certificate;
use paycrypt::primitives::tr34;
use paycrypt::rsa::RsaPrivateKey;

struct Parties {
    kdh: Certificate,
    krd: Certificate,
    krd_key: RsaPrivateKey,
}

fn parties() -> &'static Parties {
    static PARTIES: OnceLock<Parties> = OnceLock::new();
    PARTIES.get_or_init(|| {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../../vectors/tr34/python_peer.json")).expect("fixture JSON");
        let text = |name: &str| file[name].as_str().expect("fixture member").to_owned();
        Parties {
            kdh: Certificate::from_pem(&text("kdh_cert")).expect("KDH certificate"),
            krd: Certificate::from_pem(&text("krd_cert")).expect("KRD certificate"),
            krd_key: RsaPrivateKey::from_pem(&text("krd_key")).expect("KRD key"),
        }
    })
}

fuzz_target!(|input: &[u8]| {
    let p = parties();
    if let Ok(opened) = tr34::open(input, &p.kdh, &p.krd_key, &p.krd, None) {
        assert!(opened.header.len() >= 16);
    }
    if let Ok(cert) = Certificate::from_der(input) {
        assert_eq!(Certificate::from_pem(&cert.to_pem()).expect("own PEM"), cert);
        let _ = (cert.public_key(), cert.is_ca(), cert.subject(), cert.verify_issued_by(&cert));
    }
    if let Ok(text) = std::str::from_utf8(input) {
        let _ = Certificate::from_aws_base64(text);
    }
});
