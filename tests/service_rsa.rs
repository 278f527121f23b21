//! RSA through the service: Asymmetric encryption with imported RSA keys (the public half encrypts, the
//! private half decrypts, checked against the RSA primitive), RSA import rules and check values, and the
//! Symmetric -> Asymmetric path (DecryptData then EncryptData: ReEncryptData has no Asymmetric member).

mod common;

use serde_json::{Value, json};

use common::service::{decrypt, encrypt, import, svc};
use common::unhex;
use paycrypt::rsa::{RsaPadding, RsaPrivateKey};
use paycrypt::service::{Plane, ReEncryptDataInput};

fn rsa_attrs(class: &str, modes: Value) -> Value {
    json!({"KeyAlgorithm": "RSA_2048", "KeyClass": class, "KeyUsage": "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION",
        "KeyModesOfUse": modes})
}

#[test]
fn asymmetric_public_encrypts_private_decrypts() {
    let s = svc();
    let private = RsaPrivateKey::generate(2048).expect("generate");
    let private_pem = private.to_pem().expect("pem");
    let public_pem = private.public_key().to_pem().expect("pem");
    let public_arn = import(&s, rsa_attrs("PUBLIC_KEY", json!({"Encrypt": true, "Wrap": true})), &public_pem)
        .expect("public");
    let pair_arn =
        import(&s, rsa_attrs("ASYMMETRIC_KEY_PAIR", json!({"Decrypt": true, "Unwrap": true})), &private_pem)
            .expect("pair");
    let plain = "31323334353637383132333435363738";
    for padding in RsaPadding::ALL {
        let attrs = json!({"Asymmetric": {"PaddingType": padding.name()}});
        let ct = encrypt(&s, &public_arn, plain, attrs.clone()).expect("encrypt");
        assert_eq!(ct.len(), 512);
        assert_eq!(decrypt(&s, &pair_arn, &ct, attrs.clone()).expect("decrypt"), plain);
        // Against the primitive directly.
        let direct = private.decrypt(padding, None, &unhex("ct", &ct)).expect("direct");
        assert_eq!(hex::encode_upper(&*direct), plain);
        // The public key cannot decrypt; the decrypt-only pair cannot encrypt.
        let err = decrypt(&s, &public_arn, &ct, attrs.clone()).expect_err("public decrypts");
        assert_eq!(err.exception(Plane::Data), "ValidationException");
        assert!(encrypt(&s, &pair_arn, plain, attrs).is_err());
    }
    let missing = encrypt(&s, &public_arn, plain, json!({"Asymmetric": {}})).expect_err("padding");
    assert_eq!(
        missing.body(Plane::Data)["fieldList"][0]["path"],
        json!("EncryptionAttributes.Asymmetric.PaddingType")
    );
    let long =
        encrypt(&s, &public_arn, &"00".repeat(300), json!({"Asymmetric": {"PaddingType": "OAEP_SHA256"}}));
    assert_eq!(long.expect_err("long").body(Plane::Data)["fieldList"][0]["path"], json!("PlainText"));
}

#[test]
fn re_encrypt_symmetric_then_asymmetric_round_trip() {
    // ReEncryptionAttributes has no Asymmetric member (botocore's model): the Symmetric -> Asymmetric
    // path is DecryptData under the zone key, then EncryptData under the RSA public key.
    let s = svc();
    let zone_attrs = json!({"KeyAlgorithm": "AES_256", "KeyClass": "SYMMETRIC_KEY",
        "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": true}});
    let zone = import(&s, zone_attrs, &"11".repeat(32)).expect("zone");
    let private = RsaPrivateKey::generate(2048).expect("generate");
    let pair = import(
        &s,
        rsa_attrs(
            "ASYMMETRIC_KEY_PAIR",
            json!({"Encrypt": true, "Decrypt": true, "Wrap": true, "Unwrap": true}),
        ),
        &private.to_pem().expect("pem"),
    )
    .expect("pair");
    let plain = "00112233445566778899AABBCCDDEEFF";
    let sym = json!({"Symmetric": {"Mode": "CBC"}});
    let zone_ct = encrypt(&s, &zone, plain, sym.clone()).expect("zone");
    let clear = decrypt(&s, &zone, &zone_ct, sym).expect("zone decrypt");
    let rsa = json!({"Asymmetric": {"PaddingType": "OAEP_SHA256"}});
    let rsa_ct = encrypt(&s, &pair, &clear, rsa.clone()).expect("rsa");
    assert_eq!(decrypt(&s, &pair, &rsa_ct, rsa).expect("rsa decrypt"), plain);
    // An RSA key in ReEncryptData is refused by key separation.
    let refused = s.re_encrypt_data(ReEncryptDataInput {
        incoming_key_identifier: zone.clone(),
        outgoing_key_identifier: pair,
        cipher_text: zone_ct,
        incoming_encryption_attributes: serde_json::from_value(json!({"Symmetric": {"Mode": "CBC"}}))
            .expect("ia"),
        outgoing_encryption_attributes: serde_json::from_value(json!({"Symmetric": {"Mode": "CBC"}}))
            .expect("oa"),
        incoming_wrapped_key: None,
        outgoing_wrapped_key: None,
    });
    assert_eq!(
        refused.expect_err("rsa outgoing").body(Plane::Data)["fieldList"][0]["path"],
        json!("OutgoingKeyIdentifier")
    );
}

#[test]
fn rsa_import_checks_class_and_size() {
    let s = svc();
    let private = RsaPrivateKey::generate(2048).expect("generate");
    let public_pem = private.public_key().to_pem().expect("pem");
    let as_pair =
        import(&s, rsa_attrs("ASYMMETRIC_KEY_PAIR", json!({"Decrypt": true, "Unwrap": true})), &public_pem);
    assert_eq!(as_pair.expect_err("public as pair").exception(Plane::Control), "ValidationException");
    let wrong_size = json!({"KeyAlgorithm": "RSA_3072", "KeyClass": "PUBLIC_KEY",
        "KeyUsage": "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "KeyModesOfUse": {"Encrypt": true, "Wrap": true}});
    let err = import(&s, wrong_size, &public_pem).expect_err("size");
    assert_eq!(
        err.to_string(),
        "KeyMaterial.ClearKey.KeyMaterial is a 2048-bit RSA key; KeyAlgorithm RSA_3072 needs 3072 bits."
    );
    let public =
        import(&s, rsa_attrs("PUBLIC_KEY", json!({"Encrypt": true, "Wrap": true})), &public_pem).expect("ok");
    let key = s.get_key(paycrypt::service::KeyIdentifierInput { key_identifier: public }).expect("get").key;
    assert_eq!(key.key_check_value.len(), 8);
    assert_eq!(key.key_check_value_algorithm.name(), "SHA_1");
}
