//! RSA: Wycheproof OAEP and PKCS#1 v1.5, published OAEP known answers, keys in every format, the
//! checks on JWK members, and round-trip properties.
#![allow(clippy::unwrap_used)] // helpers of tests, where a panic is the failure report

mod common;

use std::sync::OnceLock;

use base64ct::{Base64UrlUnpadded, Encoding};
use common::{Tally, hex, ours, text, wycheproof};
use paycrypt::rsa::{Jwk, Jwks, KeyError, KeyOp, RsaPadding, RsaPrivateKey, RsaPublicKey};
use proptest::prelude::*;
use serde_json::{Value, json};

const OAEP_FILES: [&str; 6] = [
    "rsa_oaep_2048_sha1_mgf1sha1_test.json",
    "rsa_oaep_2048_sha256_mgf1sha256_test.json",
    "rsa_oaep_2048_sha512_mgf1sha512_test.json",
    "rsa_oaep_3072_sha256_mgf1sha256_test.json",
    "rsa_oaep_4096_sha256_mgf1sha256_test.json",
    "rsa_oaep_misc_test.json",
];

const PKCS1_FILES: [&str; 3] =
    ["rsa_pkcs1_2048_test.json", "rsa_pkcs1_3072_test.json", "rsa_pkcs1_4096_test.json"];

/// Our padding for a Wycheproof (sha, mgfSha) pair: only the same hash for both, SHA-1/256/512.
fn padding_for(sha: &str, mgf_sha: &str) -> Option<RsaPadding> {
    if sha != mgf_sha {
        return None;
    }
    match sha {
        "SHA-1" => Some(RsaPadding::OaepSha1),
        "SHA-256" => Some(RsaPadding::OaepSha256),
        "SHA-512" => Some(RsaPadding::OaepSha512),
        _ => None,
    }
}

/// The group's key, read from its PKCS#8 DER, checked against its JWK.
fn wycheproof_key(group: &Value) -> RsaPrivateKey {
    let key = RsaPrivateKey::from_der(&hex(&group["privateKeyPkcs8"])).expect("PKCS#8 key");
    if let Some(jwk) = group.get("privateKeyJwk") {
        let from_jwk = Jwk::from_value(jwk).expect("JWK key");
        assert_eq!(from_jwk.public_key(), key.as_public_key());
    }
    key
}

#[test]
fn wycheproof_rsa_oaep() {
    let mut tally = Tally::new("wycheproof rsa-oaep");
    for file in OAEP_FILES {
        let doc = wycheproof(file);
        for group in doc["testGroups"].as_array().unwrap() {
            let padding = padding_for(text(group, "sha"), text(group, "mgfSha"));
            let key = padding.map(|_| wycheproof_key(group));
            for t in group["tests"].as_array().unwrap() {
                let id = format!("{file} #{}", t["tcId"]);
                let (Some(padding), Some(key)) = (padding, &key) else {
                    tally.case(id, Ok(false)); // mixed hashes or SHA-224/384: not an AWS or JOSE padding
                    continue;
                };
                let label = hex(&t["label"]);
                let label = (!label.is_empty()).then_some(label.as_slice());
                let got = key.decrypt(padding, label, &hex(&t["ct"]));
                let outcome = match (text(t, "result"), got) {
                    ("valid", Ok(pt)) if *pt == hex(&t["msg"]) => Ok(true),
                    ("valid", other) => Err(format!("valid case gave {other:?}")),
                    ("invalid", Err(_)) => Ok(true),
                    ("invalid", Ok(_)) => Err("invalid case decrypted".to_owned()),
                    // `acceptable`: either answer is right, but a plaintext must be the message.
                    (_, Ok(pt)) if *pt != hex(&t["msg"]) => {
                        Err("acceptable case gave a wrong message".to_owned())
                    }
                    _ => Ok(true),
                };
                tally.case(id, outcome);
            }
        }
    }
    tally.finish();
}

/// PKCS#1 v1.5 decryption does implicit rejection: a ciphertext with bad padding yields a
/// deterministic pseudorandom message, not an error. An invalid case passes when it fails outright
/// (bad length or representative) or yields, twice, the same message that is not the one encrypted.
#[test]
fn wycheproof_rsa_pkcs1() {
    let mut tally = Tally::new("wycheproof rsa-pkcs1");
    for file in PKCS1_FILES {
        let doc = wycheproof(file);
        for group in doc["testGroups"].as_array().unwrap() {
            let key = wycheproof_key(group);
            for t in group["tests"].as_array().unwrap() {
                let ct = hex(&t["ct"]);
                let msg = hex(&t["msg"]);
                let got = key.decrypt(RsaPadding::Pkcs1, None, &ct);
                let outcome = match (text(t, "result"), got) {
                    ("valid", Ok(pt)) if *pt == msg => Ok(true),
                    ("valid", other) => Err(format!("valid case gave {other:?}")),
                    (_, Err(_)) => Ok(true),
                    (_, Ok(pt)) => {
                        let again = key.decrypt(RsaPadding::Pkcs1, None, &ct).map(|p| p.to_vec());
                        if *pt == msg {
                            Err("invalid padding decrypted to the message".to_owned())
                        } else if again.as_deref() != Ok(pt.as_slice()) {
                            Err("implicit rejection is not deterministic".to_owned())
                        } else {
                            Ok(true)
                        }
                    }
                };
                tally.case(format!("{file} #{}", t["tcId"]), outcome);
            }
        }
    }
    tally.finish();
}

/// A private key from hex components, through the JWK reader.
fn key_from_components(key: &Value) -> RsaPrivateKey {
    if let Some(der) = key.get("pkcs8") {
        return RsaPrivateKey::from_der(&hex(der)).expect("PKCS#8");
    }
    let b64u = |name: &str| {
        let mut h = text(key, name).to_owned();
        if h.len() % 2 == 1 {
            h.insert(0, '0');
        }
        Base64UrlUnpadded::encode_string(&hex::decode(h).unwrap())
    };
    let jwk =
        json!({"kty": "RSA", "n": b64u("n"), "e": b64u("e"), "d": b64u("d"), "p": b64u("p"), "q": b64u("q")});
    Jwk::from_value(&jwk).expect("JWK from components").private_key().unwrap().clone()
}

#[test]
fn published_oaep_known_answers() {
    let doc = ours("rsa_oaep_known_answers.json");
    let keys: Vec<(String, RsaPrivateKey)> = doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (text(k, "id").to_owned(), key_from_components(k)))
        .collect();
    let mut tally = Tally::new("oaep known answers");
    for (i, case) in doc["cases"].as_array().unwrap().iter().enumerate() {
        let key = &keys.iter().find(|(id, _)| id == text(case, "key")).unwrap().1;
        let padding: RsaPadding = text(case, "padding").parse().unwrap();
        let label = hex(&case["label"]);
        let label = (!label.is_empty()).then_some(label.as_slice());
        let outcome = match key.decrypt(padding, label, &hex(&case["ct"])) {
            Ok(pt) if *pt == hex(&case["msg"]) => Ok(true),
            other => Err(format!("{} gave {other:?}", text(case, "file"))),
        };
        tally.case(i, outcome);
    }
    tally.finish();
}

/// Keys generated once per test binary: generation is the slow part.
fn key(i: usize) -> &'static RsaPrivateKey {
    static KEYS: OnceLock<Vec<RsaPrivateKey>> = OnceLock::new();
    &KEYS.get_or_init(|| {
        vec![
            RsaPrivateKey::generate(2048).unwrap(),
            RsaPrivateKey::generate(2048).unwrap(),
            RsaPrivateKey::generate(3072).unwrap(),
        ]
    })[i]
}

#[test]
fn message_length_limits() {
    let public = key(0).public_key();
    for padding in RsaPadding::ALL {
        let max = padding.max_message_len(256).unwrap();
        let ct = public.encrypt(padding, None, &vec![7u8; max]).unwrap();
        assert_eq!(&*key(0).decrypt(padding, None, &ct).unwrap(), vec![7u8; max].as_slice());
        let err = public.encrypt(padding, None, &vec![7u8; max + 1]).unwrap_err();
        assert_eq!(err, KeyError::MessageTooLong { len: max + 1, max, padding, bits: 2048 });
    }
    assert_eq!(
        KeyError::MessageTooLong { len: 191, max: 190, padding: RsaPadding::OaepSha256, bits: 2048 }
            .to_string(),
        "PlainText (191 bytes) must be at most 190 bytes for OAEP_SHA256 with a 2048-bit key."
    );
}

#[test]
fn labels_and_wrong_parameters_fail_opaquely() {
    let public = key(0).public_key();
    let ct = public.encrypt(RsaPadding::OaepSha256, Some(b"L"), b"data").unwrap();
    assert_eq!(&*key(0).decrypt(RsaPadding::OaepSha256, Some(b"L"), &ct).unwrap(), b"data");
    assert!(key(0).decrypt(RsaPadding::OaepSha256, Some(b"M"), &ct).is_err());
    assert!(key(0).decrypt(RsaPadding::OaepSha1, Some(b"L"), &ct).is_err());
    assert!(key(1).decrypt(RsaPadding::OaepSha256, Some(b"L"), &ct).is_err());
    assert!(key(0).decrypt(RsaPadding::OaepSha256, Some(b"L"), &ct[1..]).is_err());
    // An empty label is no label.
    let ct = public.encrypt(RsaPadding::OaepSha1, Some(b""), b"data").unwrap();
    assert_eq!(&*key(0).decrypt(RsaPadding::OaepSha1, None, &ct).unwrap(), b"data");
    assert_eq!(
        public.encrypt(RsaPadding::Pkcs1, Some(b"L"), b"data").unwrap_err(),
        KeyError::LabelNotAllowed { padding: RsaPadding::Pkcs1 }
    );
}

#[test]
fn small_keys_decrypt_but_never_encrypt() {
    let doc = ours("rsa_oaep_known_answers.json");
    let small = key_from_components(&doc["keys"][0]);
    assert_eq!(small.bits(), 1024);
    assert_eq!(
        small.public_key().encrypt(RsaPadding::OaepSha1, None, b"x").unwrap_err(),
        KeyError::KeyTooSmall { bits: 1024, min: 2048 }
    );
}

#[test]
fn keys_in_every_format() {
    let private = key(2);
    let public = private.public_key();
    for pem in [private.to_pem().unwrap(), private.to_pkcs1_pem().unwrap()] {
        assert_eq!(RsaPrivateKey::from_pem(&pem).unwrap().public_key(), public);
        assert_eq!(Jwks::parse(pem.as_bytes()).unwrap().keys()[0].public_key(), &public);
    }
    for der in [private.to_der().unwrap(), private.to_pkcs1_der().unwrap()] {
        assert_eq!(Jwks::parse(&der).unwrap().keys()[0].public_key(), &public);
    }
    for pem in [public.to_pem().unwrap(), public.to_pkcs1_pem().unwrap()] {
        assert_eq!(RsaPublicKey::from_pem(&pem).unwrap(), public);
    }
    assert_eq!(Jwks::parse(&public.to_der().unwrap()).unwrap().keys()[0].public_key(), &public);
    let jwk = Jwk::from_private(private.clone()).with_kid("k");
    let text = jwk.to_private_json().unwrap().unwrap();
    let again = Jwk::from_json(&text).unwrap();
    assert_eq!(again.public_key(), &public);
    assert!(again.private_key().is_some());
    assert!(!format!("{again:?}").contains(&text[text.find("\"d\"").unwrap() + 5..][..20]));
    assert_eq!(public.bits(), 3072);
}

#[test]
fn malformed_keys_are_refused_with_reasons() {
    let cases: [(&str, &str); 6] = [
        ("not a key", "key is not a valid DER"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "PEM label 'CERTIFICATE'"),
        (r#"{"kty":"EC","crv":"P-256"}"#, "JWK member 'kty' is 'EC'"),
        (r#"{"kty":"RSA","e":"AQAB"}"#, "JWK member 'n' is missing"),
        (r#"{"kty":"RSA","n":"a+b","e":"AQAB"}"#, "JWK member 'n' is not unpadded base64url"),
        (r#"{"keys":[{"kty":"oct","k":"AAAA"}]}"#, "The key set has no keys"),
    ];
    for (input, expected) in cases {
        let err = Jwks::parse(input.as_bytes()).unwrap_err().to_string();
        assert!(err.starts_with(expected), "{input}: {err}");
    }
    // CRT values must agree with the primes.
    let text = Jwk::from_private(key(0).clone()).to_private_json().unwrap().unwrap();
    let mut value: Value = serde_json::from_str(&text).unwrap();
    value["dp"] = value["dq"].clone();
    assert_eq!(
        Jwk::from_value(&value).unwrap_err().to_string(),
        "JWK member 'dp' does not match p, q and d."
    );
    value["oth"] = json!([]);
    assert!(Jwk::from_value(&value).unwrap_err().to_string().contains("multi-prime"));
}

#[test]
fn jwk_members_limit_operations() {
    let base = Jwk::from_private(key(0).clone()).to_private_json().unwrap().unwrap();
    let with = |extra: Value| {
        let mut v: Value = serde_json::from_str(&base).unwrap();
        v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        Jwk::from_value(&v).unwrap()
    };
    let sig = with(json!({"use": "sig", "kid": "s"}));
    assert_eq!(
        sig.check(KeyOp::Encrypt, "RSA-OAEP-256").unwrap_err().to_string(),
        "JWK 's' does not allow encryption with RSA-OAEP-256: its use is 'sig', not 'enc'."
    );
    let wrap_only = with(json!({"key_ops": ["wrapKey"]}));
    assert!(wrap_only.check(KeyOp::Encrypt, "RSA-OAEP-256").is_ok());
    assert!(wrap_only.check(KeyOp::Decrypt, "RSA-OAEP-256").is_err());
    let alg = with(json!({"alg": "RSA-OAEP-256"}));
    assert!(alg.check(KeyOp::Decrypt, "RSA-OAEP-256").is_ok());
    assert!(alg.check(KeyOp::Decrypt, RsaPadding::OaepSha1.jose_alg()).is_err());
    let public = Jwk::from_public(key(0).public_key());
    assert_eq!(
        public.check(KeyOp::Decrypt, "RSA-OAEP").unwrap_err().to_string(),
        "The key is a public key; decryption needs the private key."
    );
}

#[test]
fn jwks_selects_by_kid() {
    let set = Jwks::new(vec![
        Jwk::from_public(key(0).public_key()).with_kid("a"),
        Jwk::from_public(key(1).public_key()).with_kid("b"),
    ]);
    assert_eq!(
        set.select(Some("a"), KeyOp::Encrypt, "RSA-OAEP-256").unwrap().public_key(),
        key(0).as_public_key()
    );
    assert_eq!(
        set.select(Some("c"), KeyOp::Encrypt, "RSA-OAEP-256").unwrap_err().to_string(),
        "No key has kid 'c' (the key set has kid a, b)."
    );
    assert_eq!(
        set.select(None, KeyOp::Encrypt, "RSA-OAEP-256").unwrap_err(),
        KeyError::KidRequired { count: 2 }
    );
    let text = json!({"keys": [
        serde_json::from_str::<Value>(&Jwk::from_private(key(0).clone()).with_kid("a").to_private_json().unwrap().unwrap()).unwrap(),
        {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "kid": "ec"}
    ]})
    .to_string();
    let parsed = Jwks::parse(text.as_bytes()).unwrap();
    assert_eq!(parsed.keys().len(), 1);
    assert!(parsed.select(Some("a"), KeyOp::Decrypt, "RSA-OAEP").is_ok());
}

/// Many decryptions under one key and its clones, from two threads at once: the private
/// operation's cached blinding pair is squared after each use and replaced every 32 uses, and
/// threads that find it taken make their own. Every result must equal the `rsa` crate's own OAEP
/// decryption of the same ciphertext.
#[test]
fn many_decryptions_across_blinding_refreshes_and_threads() {
    use rsa::pkcs8::DecodePrivateKey;

    let key = key(1);
    let reference = rsa::PrivateKey::from_pkcs8_der(&key.to_der().unwrap()).unwrap();
    let public = key.public_key();
    let cts: Vec<(Vec<u8>, Vec<u8>)> = (0..48u8)
        .map(|i| {
            let msg = vec![i; usize::from(i)];
            (public.encrypt(RsaPadding::OaepSha256, None, &msg).unwrap(), msg)
        })
        .collect();
    let clone = key.clone();
    std::thread::scope(|scope| {
        for k in [key, &clone] {
            let (cts, reference) = (&cts, &reference);
            scope.spawn(move || {
                for (ct, msg) in cts {
                    let ours = k.decrypt(RsaPadding::OaepSha256, None, ct).unwrap();
                    assert_eq!(&*ours, msg.as_slice());
                    let theirs = reference.decrypt(rsa::Oaep::<sha2::Sha256>::new(), ct).unwrap();
                    assert_eq!(&*ours, theirs.as_slice());
                }
            });
        }
    });
}

fn padding() -> impl Strategy<Value = RsaPadding> {
    prop::sample::select(RsaPadding::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn round_trip(which in 0usize..3, padding in padding(), msg in prop::collection::vec(any::<u8>(), 0..126),
                  label in prop::option::of(prop::collection::vec(any::<u8>(), 1..40))) {
        let key = key(which);
        let label = label.filter(|_| padding.is_oaep());
        let ct = key.public_key().encrypt(padding, label.as_deref(), &msg).unwrap();
        prop_assert_eq!(ct.len(), key.public_key().size());
        prop_assert_eq!(&*key.decrypt(padding, label.as_deref(), &ct).unwrap(), msg.as_slice());
    }

    #[test]
    fn jwk_round_trip(which in 0usize..3, kid in "[a-z0-9-]{1,12}") {
        let jwk = Jwk::from_private(key(which).clone()).with_kid(kid.clone()).with_alg("RSA-OAEP-256");
        let public = Jwk::from_json(&jwk.to_public_json().to_string()).unwrap();
        prop_assert_eq!(public.public_key(), key(which).as_public_key());
        prop_assert_eq!(public.kid(), Some(kid.as_str()));
        let private = Jwk::from_json(&jwk.to_private_json().unwrap().unwrap()).unwrap();
        prop_assert!(private.private_key().is_some());
    }

    #[test]
    fn key_parsers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = Jwks::parse(&bytes);
        let _ = RsaPrivateKey::from_der(&bytes);
        let _ = RsaPublicKey::from_der(&bytes);
    }
}
