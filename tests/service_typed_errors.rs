//! Typed validation errors: a library user matches on the rule broken or the source error
//! ([`ServiceError::validation_error`], `std::error::Error::source`), while the AWS message (the
//! service error's `Display`) stays the pinned sentence.

mod common;

use std::error::Error as _;

use serde_json::{Value, json};

use common::service::{Svc, encrypt, import, svc};
use paycrypt::keys::{
    AttributesError, IdError, KeyAlgorithm, KeyAttributes, KeyClass, KeyModesOfUse, KeyUsage,
};
use paycrypt::rsa::{KeyError, RsaPrivateKey};
use paycrypt::service::{CreateAliasInput, CreateKeyInput, ServiceError, ValidationError};

fn create_key(s: &Svc, attrs: Value) -> ServiceError {
    let input: CreateKeyInput =
        serde_json::from_value(json!({"KeyAttributes": attrs, "Exportable": true})).expect("json");
    s.create_key(input).expect_err("refused")
}

fn reason(e: &ServiceError) -> &ValidationError {
    e.validation_error().unwrap_or_else(|| panic!("no typed reason: {e:?}"))
}

#[test]
fn attribute_rules_are_typed() {
    let s = svc();
    let e = create_key(
        &s,
        json!({"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
            "KeyUsage": "TR31_B0_BASE_DERIVATION_KEY", "KeyModesOfUse": {"Encrypt": true}}),
    );
    let ValidationError::Attributes(AttributesError::ModesNotAllowed { modes, usage, class, allowed }) =
        reason(&e)
    else {
        panic!("{e:?}")
    };
    assert_eq!(*modes, KeyModesOfUse { encrypt: true, ..KeyModesOfUse::default() });
    assert_eq!((*usage, *class), (KeyUsage::B0BaseDerivationKey, KeyClass::SymmetricKey));
    assert_eq!(*allowed, &[KeyModesOfUse::DERIVE_KEY, KeyModesOfUse::NO_RESTRICTIONS][..]);
    // The message AWS callers see is unchanged, and the chain reaches the attribute rule.
    assert_eq!(
        e.to_string(),
        "KeyModesOfUse {Encrypt} is not allowed for KeyUsage TR31_B0_BASE_DERIVATION_KEY (SYMMETRIC_KEY); \
         allowed: {DeriveKey}, {NoRestrictions}."
    );
    let source = e.source().expect("a source");
    assert!(source.downcast_ref::<ValidationError>().is_some());
    let rule = source.source().and_then(|s| s.downcast_ref::<AttributesError>());
    assert!(matches!(rule, Some(AttributesError::ModesNotAllowed { .. })));

    let e = create_key(
        &s,
        json!({"KeyAlgorithm": "AES_128", "KeyClass": "PUBLIC_KEY",
            "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": true}}),
    );
    assert_eq!(
        reason(&e),
        &ValidationError::Attributes(AttributesError::ClassAlgorithm {
            class: KeyClass::PublicKey,
            algorithm: KeyAlgorithm::Aes128
        })
    );
    assert_eq!(e.to_string(), "KeyClass PUBLIC_KEY does not fit KeyAlgorithm AES_128.");
}

#[test]
fn attributes_error_display_is_the_aws_sentence() {
    let mac = KeyAttributes {
        key_algorithm: KeyAlgorithm::Aes128,
        key_class: KeyClass::SymmetricKey,
        key_modes_of_use: KeyModesOfUse::GENERATE,
        key_usage: KeyUsage::M1Iso9797_1MacKey,
    };
    let e = mac.check().expect_err("AES for an ISO 9797-1 MAC key");
    assert!(matches!(e, AttributesError::AlgorithmNotAllowed { algorithm: KeyAlgorithm::Aes128, .. }));
    assert_eq!(
        e.to_string(),
        "KeyAlgorithm AES_128 is not allowed for KeyUsage TR31_M1_ISO_9797_1_MAC_KEY; allowed: TDES_2KEY, TDES_3KEY."
    );
}

#[test]
fn identifier_errors_are_typed() {
    let s = svc();
    let e = encrypt(&s, "zone", &"00".repeat(16), json!({"Symmetric": {"Mode": "CBC"}})).expect_err("bad id");
    let ValidationError::Identifier(IdError { what, .. }) = reason(&e) else { panic!("{e:?}") };
    assert_eq!(*what, "KeyIdentifier");
    assert_eq!(e.to_string(), "KeyIdentifier: KeyIdentifier must be a key ARN or an alias (alias/<name>).");
    let alias = s
        .create_alias(CreateAliasInput { alias_name: "zone".into(), key_arn: None })
        .expect_err("bad alias name");
    assert!(matches!(reason(&alias), ValidationError::Identifier(IdError { what: "AliasName", .. })));
}

#[test]
fn cipher_errors_are_typed() {
    let s = svc();
    let attrs = json!({"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
        "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": true}});
    let e = import(&s, attrs, "0011").expect_err("short key");
    assert_eq!(
        reason(&e),
        &ValidationError::Cipher(paycrypt::CipherError::KeyLength {
            algorithm: paycrypt::Algorithm::Aes128,
            got: 2
        })
    );
    assert_eq!(
        e.to_string(),
        "KeyMaterial.ClearKey.KeyMaterial: Key (2 bytes) must be 16 bytes for AES_128."
    );
    assert!(
        e.source().and_then(|s| s.source()).and_then(|s| s.downcast_ref::<paycrypt::CipherError>()).is_some()
    );
}

#[test]
fn dukpt_errors_are_typed() {
    let s = svc();
    let attrs = json!({"KeyAlgorithm": "TDES_2KEY", "KeyClass": "SYMMETRIC_KEY",
        "KeyUsage": "TR31_B0_BASE_DERIVATION_KEY", "KeyModesOfUse": {"DeriveKey": true}});
    let bdk = import(&s, attrs, "0123456789ABCDEFFEDCBA9876543210").expect("bdk");
    let plain = "00".repeat(8);
    let counter_zero = json!({"Dukpt": {"KeySerialNumber": "FFFF9876543210E00000"}});
    let e = encrypt(&s, &bdk, &plain, counter_zero).expect_err("counter 0");
    assert!(matches!(reason(&e), ValidationError::Dukpt(paycrypt::dukpt::Error::CounterZero { .. })));
    let too_strong =
        json!({"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "DukptKeyDerivationType": "TDES_3KEY"}});
    let e = encrypt(&s, &bdk, &plain, too_strong).expect_err("too strong");
    assert!(matches!(reason(&e), ValidationError::Dukpt(paycrypt::dukpt::Error::DerivedKeyTooStrong { .. })));
    let aes_ksn = json!({"Dukpt": {"KeySerialNumber": "123456789012345600000001"}});
    let e = encrypt(&s, &bdk, &plain, aes_ksn).expect_err("AES KSN for a TDES BDK");
    assert!(matches!(reason(&e), ValidationError::Dukpt(paycrypt::dukpt::Error::KeyAlgorithm { .. })));
    // The service adds its hint to the primitive's sentence; the typed reason is the bare error.
    assert!(e.to_string().starts_with(&reason(&e).to_string()));
    assert!(
        e.to_string()
            .ends_with("The KeySerialNumber's length chooses the scheme: 20 hex digits TDES, 24 AES.")
    );
}

#[test]
fn rsa_errors_are_typed() {
    let s = svc();
    let public = json!({"KeyAlgorithm": "RSA_2048", "KeyClass": "PUBLIC_KEY",
        "KeyUsage": "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "KeyModesOfUse": {"Encrypt": true, "Wrap": true}});
    let e = import(&s, public.clone(), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
        .expect_err("bad PEM");
    assert!(matches!(reason(&e), ValidationError::Rsa(KeyError::Malformed { .. })), "{e:?}");

    let private = RsaPrivateKey::generate(2048).expect("generate");
    let pem = private.public_key().to_pem().expect("pem");
    let arn = import(&s, public, &pem).expect("import");
    let long = "00".repeat(300);
    let e =
        encrypt(&s, &arn, &long, json!({"Asymmetric": {"PaddingType": "OAEP_SHA256"}})).expect_err("long");
    let ValidationError::Rsa(KeyError::MessageTooLong { len, max, .. }) = reason(&e) else { panic!("{e:?}") };
    assert_eq!((*len, *max), (300, 190));
}

#[test]
fn rules_of_the_service_itself_carry_no_typed_reason() {
    let s = svc();
    let attrs = json!({"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
        "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": true}});
    let key = import(&s, attrs, "2B7E151628AED2A6ABF7158809CF4F3C").expect("key");
    let e = encrypt(&s, &key, "zz", json!({"Symmetric": {"Mode": "CBC"}})).expect_err("not hex");
    assert_eq!(e.validation_error(), None);
    assert!(e.source().is_none());
    assert_eq!(ServiceError::not_found("alias/x").validation_error(), None);
}
