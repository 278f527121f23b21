//! JWE: RFC 7516 A.1 and RFC 7520 §5.2/§6, Wycheproof's JWE and AES-GCM files, every rejection of
//! the decryption path, JSON field encryption, and round-trip properties.
#![allow(clippy::unwrap_used)] // helpers of tests, where a panic is the failure report

mod common;

use std::sync::OnceLock;

use base64ct::{Base64UrlUnpadded, Encoding};
use common::{Tally, hex, ours, text, wycheproof};
use paycrypt::jwe::{self, AllowList, EncryptOptions, Field, JweAlg, JweEnc, JweError, gcm};
use paycrypt::rsa::{Jwk, Jwks, KeyError, RsaPrivateKey};
use proptest::prelude::*;
use serde_json::{Value, json};

fn all() -> AllowList {
    AllowList::new(&JweAlg::ALL, &JweEnc::ALL)
}

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn unb64(s: &str) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(s).unwrap()
}

#[test]
fn rfc_known_answers() {
    let mut tally = Tally::new("jwe rfc 7516/7520");
    for case in ours("jwe_known_answers.json")["cases"].as_array().unwrap() {
        let keys = Jwks::new(vec![Jwk::from_value(&case["jwk"]).unwrap()]);
        let compact = text(case, "compact");
        let outcome = (|| {
            let out = jwe::decrypt(compact, &keys, &all()).map_err(|e| e.to_string())?;
            if *out.payload != hex(&case["plaintext"]) {
                return Err("wrong plaintext".to_owned());
            }
            // The content layer alone: the example's CEK and IV give its ciphertext and tag.
            let parts: Vec<&str> = compact.split('.').collect();
            let iv: [u8; 12] = unb64(parts[2]).try_into().unwrap();
            let (ct, tag) = gcm::encrypt(&hex(&case["cek"]), &iv, parts[0].as_bytes(), &out.payload).unwrap();
            if b64(&ct) != parts[3] || b64(&tag) != parts[4] {
                return Err("content encryption differs".to_owned());
            }
            Ok(true)
        })();
        tally.case(text(case, "name"), outcome);
    }
    tally.finish();
}

#[test]
fn wycheproof_jwe() {
    let doc = ours("jwe_wycheproof_rsa.json");
    let keys: Vec<(&str, &Value)> =
        doc["keys"].as_array().unwrap().iter().map(|k| (text(k, "id"), &k["jwk"])).collect();
    let mut tally = Tally::new("wycheproof jwe (RSA keys)");
    for case in doc["cases"].as_array().unwrap() {
        let jwk = keys.iter().find(|(id, _)| *id == text(case, "key")).unwrap().1;
        let set = Jwks::new(vec![Jwk::from_value(jwk).unwrap()]);
        let supported =
            text(case, "alg").parse::<JweAlg>().is_ok() && text(case, "enc").parse::<JweEnc>().is_ok();
        let got = jwe::decrypt(text(case, "jwe"), &set, &all());
        let outcome = match (text(case, "result"), supported, got) {
            ("valid", true, Ok(out)) if *out.payload == hex(&case["pt"]) => Ok(true),
            ("valid", true, other) => Err(format!("valid case gave {other:?}")),
            // Another alg or enc (RSA1_5, A*CBC-HS*): not implemented, so it must be refused.
            ("valid", false, Err(JweError::UnsupportedAlg { .. } | JweError::UnsupportedEnc { .. })) => {
                Ok(false)
            }
            ("valid", false, other) => Err(format!("unsupported case gave {other:?}")),
            (_, _, Err(_)) => Ok(true),
            (_, _, Ok(_)) => Err("invalid case decrypted".to_owned()),
        };
        tally.case(format!("tc {} {}", case["tcId"], text(case, "comment")), outcome);
    }
    tally.finish();
}

#[test]
fn wycheproof_aes_gcm() {
    let doc = wycheproof("aes_gcm_test.json");
    let mut tally = Tally::new("wycheproof aes-gcm (96-bit IV)");
    for group in doc["testGroups"].as_array().unwrap() {
        let jwe_shaped = group["ivSize"] == 96 && group["tagSize"] == 128;
        for t in group["tests"].as_array().unwrap() {
            let id = format!("tc {}", t["tcId"]);
            if !jwe_shaped {
                tally.case(id, Ok(false)); // JWE uses 96-bit IVs only
                continue;
            }
            let (key, aad, msg, ct) = (hex(&t["key"]), hex(&t["aad"]), hex(&t["msg"]), hex(&t["ct"]));
            let iv: [u8; 12] = hex(&t["iv"]).try_into().unwrap();
            let tag: [u8; 16] = hex(&t["tag"]).try_into().unwrap();
            let opened = gcm::decrypt(&key, &iv, &aad, &ct, &tag);
            let outcome = match text(t, "result") {
                "valid" => {
                    let sealed = gcm::encrypt(&key, &iv, &aad, &msg).unwrap();
                    if sealed != (ct.clone(), tag) {
                        Err("encryption differs".to_owned())
                    } else if opened.as_deref().map(|p| p.as_slice()) != Ok(msg.as_slice()) {
                        Err("decryption differs".to_owned())
                    } else {
                        Ok(true)
                    }
                }
                _ if opened.is_err() => Ok(true),
                _ => Err("invalid case decrypted".to_owned()),
            };
            tally.case(id, outcome);
        }
    }
    tally.finish();
}

fn key(i: usize) -> &'static Jwk {
    static KEYS: OnceLock<Vec<Jwk>> = OnceLock::new();
    &KEYS.get_or_init(|| {
        vec![
            Jwk::from_private(RsaPrivateKey::generate(2048).unwrap()).with_kid("k0"),
            Jwk::from_private(RsaPrivateKey::generate(2048).unwrap()).with_kid("k1"),
            Jwk::from_private(RsaPrivateKey::generate(3072).unwrap()),
        ]
    })[i]
}

fn set() -> Jwks {
    Jwks::new(vec![key(0).clone(), key(1).clone()])
}

/// A token from header JSON and raw parts, for the rejection tests.
fn token(header: &Value, parts: [&[u8]; 4]) -> String {
    let mut out = vec![b64(header.to_string().as_bytes())];
    out.extend(parts.iter().map(|p| b64(p)));
    out.join(".")
}

#[test]
fn header_and_defaults() {
    let t = jwe::encrypt(b"{}", key(0), &EncryptOptions::default()).unwrap();
    let header: Value = serde_json::from_slice(&unb64(t.split('.').next().unwrap())).unwrap();
    assert_eq!(header.to_string(), r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"k0"}"#);
    let options = EncryptOptions {
        alg: JweAlg::RsaOaep,
        enc: JweEnc::A128Gcm,
        kid: Some("other".into()),
        typ: Some("JWE".into()),
        cty: Some("json".into()),
    };
    let t = jwe::encrypt(b"{}", key(2), &options).unwrap();
    let header: Value = serde_json::from_slice(&unb64(t.split('.').next().unwrap())).unwrap();
    assert_eq!(
        header.to_string(),
        r#"{"alg":"RSA-OAEP","enc":"A128GCM","kid":"other","typ":"JWE","cty":"json"}"#
    );
    // key(2) has no kid: it answers to any kid.
    let out = jwe::decrypt(&t, &Jwks::new(vec![key(2).clone()]), &all()).unwrap();
    assert_eq!(out.header.typ.as_deref(), Some("JWE"));
    assert_eq!(out.header.cty.as_deref(), Some("json"));
    // The default allow-list is RSA-OAEP-256 only.
    assert_eq!(
        jwe::decrypt(&t, &Jwks::new(vec![key(2).clone()]), &AllowList::default()).unwrap_err().to_string(),
        "JWE alg 'RSA-OAEP' is not allowed here: allowed are RSA-OAEP-256."
    );
}

#[test]
fn every_rejection() {
    let good = jwe::encrypt(b"secret", key(0), &EncryptOptions::default()).unwrap();
    let p: Vec<&str> = good.split('.').collect();
    let ek = unb64(p[1]);
    let hdr = |h: Value| token(&h, [&ek, &[0u8; 12], b"x", &[0u8; 16]]);
    let cases: Vec<(String, JweError)> = vec![
        (p[..4].join("."), JweError::Parts { got: 4 }),
        (format!("{good}.x"), JweError::Parts { got: 6 }),
        (format!("{}=.{}", p[0], p[1..].join(".")), JweError::Base64 { part: "protected header" }),
        (format!("{}.{}.{}*.{}.{}", p[0], p[1], p[2], p[3], p[4]), JweError::Base64 { part: "IV" }),
        (
            format!("{}.{}", b64(b"[1]"), p[1..].join(".")),
            JweError::Header { detail: "it is not an object".into() },
        ),
        (hdr(json!({"enc": "A256GCM"})), JweError::HeaderMember { member: "alg", problem: "is missing" }),
        (hdr(json!({"alg": "none", "enc": "A256GCM"})), JweError::AlgNone),
        (hdr(json!({"alg": "RSA1_5", "enc": "A256GCM"})), JweError::UnsupportedAlg { alg: "RSA1_5".into() }),
        (
            hdr(json!({"alg": "RSA-OAEP-256", "enc": "A128CBC-HS256"})),
            JweError::UnsupportedEnc { enc: "A128CBC-HS256".into() },
        ),
        (
            hdr(json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "zip": "DEF"})),
            JweError::Zip { zip: "DEF".into() },
        ),
        (
            hdr(json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "crit": ["exp"], "exp": 1})),
            JweError::Crit { name: "'exp'".into() },
        ),
        (
            hdr(json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": 5})),
            JweError::HeaderMember { member: "kid", problem: "must be a string" },
        ),
        (
            hdr(json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "nope"})),
            JweError::Key(KeyError::KidNotFound { kid: "nope".into(), available: "kid k0, k1".into() }),
        ),
        (
            token(
                &json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "k0"}),
                [&ek, &[0u8; 16], b"x", &[0u8; 16]],
            ),
            JweError::IvLength { got: 16 },
        ),
        (
            token(
                &json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "k0"}),
                [&ek, &[0u8; 12], b"x", &[0u8; 12]],
            ),
            JweError::TagLength { got: 12 },
        ),
    ];
    for (t, expected) in cases {
        assert_eq!(jwe::decrypt(&t, &set(), &all()).unwrap_err(), expected, "{t}");
    }
    let only_a128 = AllowList::new(&[JweAlg::RsaOaep256], &[JweEnc::A128Gcm]);
    assert_eq!(
        jwe::decrypt(&good, &set(), &only_a128).unwrap_err(),
        JweError::EncNotAllowed { enc: "A256GCM".into(), allowed: "A128GCM".into() }
    );
}

/// RFC 7516 §11.5: a bad encrypted key and a bad tag fail the same way.
#[test]
fn key_unwrap_and_tag_failures_are_one_error() {
    let good = jwe::encrypt(b"secret", key(0), &EncryptOptions::default()).unwrap();
    let p: Vec<&str> = good.split('.').collect();
    let flip = |part: &str| {
        let mut bytes = unb64(part);
        bytes[0] ^= 1;
        b64(&bytes)
    };
    let bad_key = [p[0], &flip(p[1]), p[2], p[3], p[4]].join(".");
    let bad_tag = [p[0], p[1], p[2], p[3], &flip(p[4])].join(".");
    let bad_ct = [p[0], p[1], p[2], &flip(p[3]), p[4]].join(".");
    let short_key = [p[0], &b64(&unb64(p[1])[1..]), p[2], p[3], p[4]].join(".");
    // The header is authenticated: another kid fails too (k1 answers, and cannot unwrap).
    let header = json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "k1"}).to_string();
    let other_kid = [&b64(header.as_bytes()), p[1], p[2], p[3], p[4]].join(".");
    for t in [bad_key, bad_tag, bad_ct, short_key, other_kid] {
        let err = jwe::decrypt(&t, &set(), &all()).unwrap_err();
        assert_eq!(err, JweError::Decryption);
        assert_eq!(err.to_string(), "JWE decryption failed.");
    }
    assert!(jwe::decrypt(&good, &set(), &all()).is_ok());
}

#[test]
fn keys_that_forbid_are_refused() {
    let public_only = Jwks::new(vec![Jwk::from_public(key(0).public_key().clone()).with_kid("k0")]);
    let good = jwe::encrypt(b"x", key(0), &EncryptOptions::default()).unwrap();
    assert!(matches!(
        jwe::decrypt(&good, &public_only, &all()),
        Err(JweError::Key(KeyError::NotPrivate { .. }))
    ));
    let sig = key(0).clone().with_use("sig");
    assert!(matches!(
        jwe::encrypt(b"x", &sig, &EncryptOptions::default()),
        Err(JweError::Key(KeyError::NotAllowed { .. }))
    ));
    let pinned = key(0).clone().with_alg("RSA-OAEP");
    assert!(jwe::encrypt(b"x", &pinned, &EncryptOptions::default()).is_err());
    let small = Jwk::from_value(&ours("jwe_wycheproof_rsa.json")["keys"][0]["jwk"]).unwrap();
    let small_options = EncryptOptions { alg: JweAlg::RsaOaep, ..EncryptOptions::default() };
    if small.public_key().bits() < 2048 {
        assert!(jwe::encrypt(b"x", &small, &small_options).is_err());
    }
}

#[test]
fn fields_keep_everything_else() {
    let doc = "{\n  \"login\": \"jdoe\",\n  \"password\": \"p\\u00e4ss\\\"w\",\n  \"amount\": 12345678901234567890.10,\n  \
               \"nested\": {\"otp\": \"123456\", \"list\": [{\"otp\": \"9\"}]},\n  \"z\": null\n}\n";
    let fields = [Field::parse("password"), Field::parse("otp")];
    let sealed = jwe::encrypt_fields(doc, &fields, key(0), &EncryptOptions::default()).unwrap();
    assert!(sealed.starts_with("{\n  \"login\": \"jdoe\",\n  \"password\": \"eyJ"));
    assert!(sealed.contains("\"amount\": 12345678901234567890.10,"));
    assert!(!sealed.contains("123456\""));
    assert_eq!(sealed.matches("eyJ").count(), 3);
    let value: Value = serde_json::from_str(&sealed).unwrap();
    let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["login", "password", "amount", "nested", "z"]);
    // Every JWE is found and opened again, byte for byte.
    let opened = jwe::decrypt_fields(&sealed, &[], &set(), &all()).unwrap();
    assert_eq!(opened.as_str(), doc.replace("p\\u00e4ss\\\"w", "päss\\\"w"));
    // One pointer only.
    let one =
        jwe::encrypt_fields(doc, &[Field::parse("/nested/list/0/otp")], key(0), &EncryptOptions::default())
            .unwrap();
    assert_eq!(one.matches("eyJ").count(), 1);
    assert!(one.contains("\"otp\": \"123456\""));
    let back = jwe::decrypt_fields(&one, &[Field::parse("/nested/list/0/otp")], &set(), &all()).unwrap();
    assert_eq!(back.as_str(), doc);
}

#[test]
fn field_errors() {
    let opts = EncryptOptions::default();
    let doc = r#"{"a": 1, "b": {"c": "x"}}"#;
    assert_eq!(
        jwe::encrypt_fields(doc, &[Field::parse("a")], key(0), &opts).unwrap_err().to_string(),
        "Field at /a must be a string to be encrypted or decrypted, not a number."
    );
    assert_eq!(
        jwe::encrypt_fields(doc, &[Field::parse("password")], key(0), &opts).unwrap_err(),
        JweError::FieldNotFound { field: "'password'".into() }
    );
    assert_eq!(
        jwe::encrypt_fields(doc, &[Field::parse("/b/d")], key(0), &opts).unwrap_err(),
        JweError::FieldNotFound { field: "at pointer '/b/d'".into() }
    );
    assert!(matches!(jwe::encrypt_fields("{\"a\":", &[], key(0), &opts), Err(JweError::Json { .. })));
    let binary = jwe::encrypt(&[0xff, 0xfe], key(0), &opts).unwrap();
    let doc = format!("{{\"p\": \"{binary}\"}}");
    assert_eq!(
        jwe::decrypt_fields(&doc, &[], &set(), &all()).unwrap_err(),
        JweError::FieldNotText { pointer: "/p".into() }
    );
}

fn alg() -> impl Strategy<Value = JweAlg> {
    prop::sample::select(JweAlg::ALL.to_vec())
}

fn enc() -> impl Strategy<Value = JweEnc> {
    prop::sample::select(JweEnc::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn round_trip(which in 0usize..3, alg in alg(), enc in enc(), payload in prop::collection::vec(any::<u8>(), 0..600)) {
        let options = EncryptOptions { alg, enc, ..EncryptOptions::default() };
        let t = jwe::encrypt(&payload, key(which), &options).unwrap();
        let keys = Jwks::new(vec![key(0).clone(), key(1).clone(), key(2).clone()]);
        let out = jwe::decrypt(&t, &keys, &all()).unwrap();
        prop_assert_eq!(&*out.payload, payload.as_slice());
        prop_assert_eq!(out.header.alg, alg);
        prop_assert_eq!(out.header.enc, enc);
    }

    #[test]
    fn fields_round_trip(values in prop::collection::btree_map("[a-z]{1,8}", "\\PC{0,20}", 1..6)) {
        let doc = serde_json::to_string_pretty(&values).unwrap();
        let fields: Vec<Field> = values.keys().map(|k| Field::parse(k)).collect();
        let sealed = jwe::encrypt_fields(&doc, &fields, key(0), &EncryptOptions::default()).unwrap();
        let opened = jwe::decrypt_fields(&sealed, &[], &set(), &all()).unwrap();
        let back: std::collections::BTreeMap<String, String> = serde_json::from_str(&opened).unwrap();
        prop_assert_eq!(back, values);
    }

    #[test]
    fn decrypt_never_panics(input in "\\PC{0,300}") {
        let _ = jwe::decrypt(&input, &set(), &all());
        let _ = jwe::decrypt_fields(&input, &[], &set(), &all());
    }

    #[test]
    fn mutated_tokens_are_refused(position in 0usize..2000, byte in any::<u8>()) {
        static GOOD: OnceLock<String> = OnceLock::new();
        let good = GOOD.get_or_init(|| jwe::encrypt(b"payload", key(0), &EncryptOptions::default()).unwrap());
        let mut bytes = good.clone().into_bytes();
        let i = position % bytes.len();
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        let mutated = String::from_utf8_lossy(&bytes);
        // Flipping a character can leave the same bytes (base64url's last character has spare bits).
        if let Ok(out) = jwe::decrypt(&mutated, &set(), &all()) {
            prop_assert_eq!(&*out.payload, b"payload");
        }
    }
}
