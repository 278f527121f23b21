//! The Encrypt Data / Decrypt Data action (`paycrypt::action`) on the local KMS: round trips of every
//! kind of JSON value, each of the five failure types from its cause, the 32,000-character limit at
//! its boundary, and messages that the ESDK itself opens and makes.

use base64ct::{Base64, Encoding};
use serde_json::{Value, json};

use paycrypt::action::{
    ActionError, ActionErrorType, MAX_ENCRYPTED_CHARS, ORGANIZATION_CONTEXT_KEY, decrypt_data, encrypt_data,
};
use paycrypt::esdk::{self, DecryptOptions, EncryptOptions, EncryptionContext, KmsKeyring};
use paycrypt::keys::MemoryStore;
use paycrypt::service::Settings;
use paycrypt::service::kms::{
    CreateAliasRequest, CreateKeyRequest, KeyIdRequest, Kms, ScheduleKeyDeletionRequest,
};

const ORG: &str = "6c2c4a5f-0b3e-4a43-9a6e-organization";
const ALIAS_ARN: &str = "arn:aws:kms:us-east-1:111122223333:alias/flows";

/// A KMS with the flows' key behind `alias/flows`, a disabled key and a key pending deletion.
struct Fixture {
    kms: Kms<MemoryStore>,
    key_arn: String,
    disabled_arn: String,
    pending_arn: String,
}

fn fixture() -> Fixture {
    let kms = Kms::new(MemoryStore::new(), Settings::default());
    let key = kms.create_key(CreateKeyRequest::default()).expect("create a key").key_metadata;
    kms.create_alias(CreateAliasRequest {
        alias_name: "alias/flows".into(),
        target_key_id: key.key_id.clone(),
    })
    .expect("create the alias");
    let disabled = kms.create_key(CreateKeyRequest::default()).expect("create a key").key_metadata;
    kms.disable_key(KeyIdRequest { key_id: disabled.arn.clone() }).expect("disable");
    let pending = kms.create_key(CreateKeyRequest::default()).expect("create a key").key_metadata;
    kms.schedule_key_deletion(ScheduleKeyDeletionRequest {
        key_id: pending.arn.clone(),
        pending_window_in_days: Some(7),
    })
    .expect("schedule the deletion");
    Fixture { kms, key_arn: key.arn, disabled_arn: disabled.arn, pending_arn: pending.arn }
}

fn error_type<T: std::fmt::Debug>(result: Result<T, ActionError>) -> ActionErrorType {
    result.expect_err("the action must fail").error_type
}

fn org_context(org: &str) -> EncryptionContext {
    [(ORGANIZATION_CONTEXT_KEY.to_owned(), org.to_owned())].into_iter().collect()
}

#[test]
fn every_kind_of_json_value_round_trips() {
    let f = fixture();
    let values = [
        json!({"pan": "4111111111111111", "expiry": "12/29", "nested": {"a": [1, 2.5, null, true]}}),
        json!([1, "two", {"three": 3}]),
        json!("a string with unicode: Zoë ✓"),
        json!(""),
        json!({}),
        json!(0),
        json!(-12.75),
        json!(false),
    ];
    for key in [ALIAS_ARN, "alias/flows", f.key_arn.as_str()] {
        for value in &values {
            let encrypted = encrypt_data(&f.kms, Some(key), ORG, Some(value)).unwrap();
            assert!(encrypted.len() <= MAX_ENCRYPTED_CHARS);
            assert_eq!(
                &decrypt_data(&f.kms, Some(key), ORG, Some(&encrypted)).unwrap(),
                value,
                "{key} {value}"
            );
        }
    }
}

#[test]
fn the_message_is_an_esdk_message_bound_to_the_organization() {
    let f = fixture();
    let data = json!({"pan": "4111111111111111"});
    let encrypted = encrypt_data(&f.kms, Some(ALIAS_ARN), ORG, Some(&data)).unwrap();
    let message = Base64::decode_vec(&encrypted).unwrap();
    let keyring = KmsKeyring::new(&f.kms, vec![f.key_arn.clone()]).unwrap();
    let out = esdk::decrypt(&message, &keyring, &DecryptOptions::default()).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&out.plaintext).unwrap(), data);
    assert_eq!(out.info.context.get(ORGANIZATION_CONTEXT_KEY).map(String::as_str), Some(ORG));
    assert_eq!(out.info.suite.id(), 0x0578);
    assert_eq!(out.info.frame_length, 4096);
    // Compact serialization: no spaces were added.
    assert_eq!(&out.plaintext[..], br#"{"pan":"4111111111111111"}"#);
}

#[test]
fn a_message_the_esdk_makes_with_the_context_decrypts() {
    let f = fixture();
    let keyring = KmsKeyring::new(&f.kms, vec![f.key_arn.clone()]).unwrap();
    let options = EncryptOptions { context: org_context(ORG), ..EncryptOptions::default() };
    let message = esdk::encrypt(br#"{"from":"esdk"}"#, &keyring, &options).unwrap();
    let encrypted = Base64::encode_string(&message);
    assert_eq!(
        decrypt_data(&f.kms, Some(ALIAS_ARN), ORG, Some(&encrypted)).unwrap(),
        json!({"from": "esdk"})
    );

    // The same bytes that are not JSON: GeneralError.
    let message = esdk::encrypt(b"not json {", &keyring, &options).unwrap();
    let err = decrypt_data(&f.kms, Some(ALIAS_ARN), ORG, Some(&Base64::encode_string(&message))).unwrap_err();
    assert_eq!(err.error_type, ActionErrorType::GeneralError);
    assert!(!err.message.contains("not json"), "{err}");

    // Without the organization pair: GeneralError.
    let options = EncryptOptions { context: EncryptionContext::new(), ..EncryptOptions::default() };
    let message = esdk::encrypt(b"{}", &keyring, &options).unwrap();
    let r = decrypt_data(&f.kms, Some(ALIAS_ARN), ORG, Some(&Base64::encode_string(&message)));
    assert_eq!(error_type(r), ActionErrorType::GeneralError);
}

#[test]
fn no_data_supplied() {
    let f = fixture();
    assert_eq!(error_type(encrypt_data(&f.kms, Some(ALIAS_ARN), ORG, None)), ActionErrorType::NoDataSupplied);
    let r = encrypt_data(&f.kms, Some(ALIAS_ARN), ORG, Some(&Value::Null));
    assert_eq!(error_type(r), ActionErrorType::NoDataSupplied);
    for blank in [None, Some(""), Some("  \n\t")] {
        let r = decrypt_data(&f.kms, Some(ALIAS_ARN), ORG, blank);
        assert_eq!(error_type(r), ActionErrorType::NoDataSupplied, "{blank:?}");
    }
}

#[test]
fn customer_key_not_configured() {
    let f = fixture();
    for key in [None, Some(""), Some("   ")] {
        let r = encrypt_data(&f.kms, key, ORG, Some(&json!(1)));
        assert_eq!(error_type(r), ActionErrorType::CustomerKeyNotConfigured);
        let r = decrypt_data(&f.kms, key, ORG, Some("AAAA"));
        assert_eq!(error_type(r), ActionErrorType::CustomerKeyNotConfigured);
    }
}

#[test]
fn customer_key_not_found() {
    let f = fixture();
    let encrypted = encrypt_data(&f.kms, Some(ALIAS_ARN), ORG, Some(&json!(1))).unwrap();
    let unknown = [
        "arn:aws:kms:us-east-1:111122223333:alias/nope",
        "alias/nope",
        "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-4333-8444-555555555555",
        f.disabled_arn.as_str(),
        f.pending_arn.as_str(),
    ];
    for key in unknown {
        let r = encrypt_data(&f.kms, Some(key), ORG, Some(&json!(1)));
        assert_eq!(error_type(r), ActionErrorType::CustomerKeyNotFound, "encrypt {key}");
        let r = decrypt_data(&f.kms, Some(key), ORG, Some(&encrypted));
        assert_eq!(error_type(r), ActionErrorType::CustomerKeyNotFound, "decrypt {key}");
    }
}

#[test]
fn general_errors() {
    let f = fixture();
    let data = json!({"pan": "4111111111111111"});
    let encrypted = encrypt_data(&f.kms, Some(ALIAS_ARN), ORG, Some(&data)).unwrap();
    let general = |r: Result<Value, ActionError>| {
        let e = r.unwrap_err();
        assert_eq!(e.error_type, ActionErrorType::GeneralError, "{e}");
        assert!(!e.message.contains("4111111111111111"), "{e}");
    };
    general(decrypt_data(&f.kms, Some(ALIAS_ARN), ORG, Some("not base64!")));
    general(decrypt_data(&f.kms, Some(ALIAS_ARN), "another-org", Some(&encrypted)));
    let other = f.kms.create_key(CreateKeyRequest::default()).unwrap().key_metadata.arn;
    general(decrypt_data(&f.kms, Some(&other), ORG, Some(&encrypted)));
    let mut message = Base64::decode_vec(&encrypted).unwrap();
    for at in [10, message.len() / 2, message.len() - 1] {
        message[at] ^= 0x01;
        general(decrypt_data(&f.kms, Some(ALIAS_ARN), ORG, Some(&Base64::encode_string(&message))));
        message[at] ^= 0x01;
    }
    general(decrypt_data(
        &f.kms,
        Some(ALIAS_ARN),
        ORG,
        Some(&Base64::encode_string(&message[..message.len() - 5])),
    ));
    let r = encrypt_data(&f.kms, Some(ALIAS_ARN), " ", Some(&data));
    assert_eq!(error_type(r), ActionErrorType::GeneralError);
}

/// The length of the base64 message for a JSON string of `n` characters, and its signature's length.
fn encrypted_layout(encrypted: &str) -> (usize, usize) {
    let message = Base64::decode_vec(encrypted).expect("base64");
    for sig in 60..120 {
        let at = message.len() - sig;
        if usize::from(u16::from_be_bytes([message[at - 2], message[at - 1]])) == sig && message[at] == 0x30 {
            return (message.len(), sig);
        }
    }
    panic!("no signature at the end of the message");
}

#[test]
fn maximum_data_size_at_its_boundary() {
    let f = fixture();
    let encrypt = |n: usize| encrypt_data(&f.kms, Some(ALIAS_ARN), ORG, Some(&json!("a".repeat(n))));
    // Everything but the JSON text and the signature, measured where the boundary lies (the frame
    // count matters), then the JSON length that fills 24,000 bytes (32,000 base64 characters) with the
    // longest P-384 signature (104 bytes DER).
    let mut n = 23_000;
    for _ in 0..3 {
        let (length, sig) = encrypted_layout(&encrypt(n).unwrap());
        let fixed = length - (n + 2) - sig;
        n = 24_000 - fixed - 2 - 104;
    }
    let mut exact = false;
    for _ in 0..200 {
        let encrypted = encrypt(n).unwrap();
        assert!(encrypted.len() <= MAX_ENCRYPTED_CHARS);
        if encrypted.len() == MAX_ENCRYPTED_CHARS {
            exact = true;
            break;
        }
    }
    assert!(exact, "{n} characters never made exactly 32,000");
    let mut over = false;
    for _ in 0..200 {
        match encrypt(n + 1) {
            Ok(encrypted) => assert!(encrypted.len() <= MAX_ENCRYPTED_CHARS),
            Err(e) => {
                assert_eq!(e.error_type, ActionErrorType::MaximumDataSizeExceeded, "{e}");
                over = true;
                break;
            }
        }
    }
    assert!(over, "{} characters never exceeded the limit", n + 1);
    assert_eq!(error_type(encrypt(n + 6)), ActionErrorType::MaximumDataSizeExceeded);
    assert_eq!(error_type(encrypt(40_000)), ActionErrorType::MaximumDataSizeExceeded);

    // To decrypt, a string over the limit is refused before anything else; at the limit it is read.
    let r = decrypt_data(&f.kms, Some(ALIAS_ARN), ORG, Some(&"A".repeat(MAX_ENCRYPTED_CHARS + 1)));
    assert_eq!(error_type(r), ActionErrorType::MaximumDataSizeExceeded);
    let r = decrypt_data(&f.kms, Some(ALIAS_ARN), ORG, Some(&"A".repeat(MAX_ENCRYPTED_CHARS)));
    assert_eq!(error_type(r), ActionErrorType::GeneralError);
}

#[test]
fn errors_serialize_as_the_failure_output() {
    let f = fixture();
    let e = encrypt_data(&f.kms, None, ORG, Some(&json!(1))).unwrap_err();
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({"errorType": "CustomerKeyNotConfigured", "errorMessage": "No customer KMS key is configured."})
    );
    let back: ActionError = serde_json::from_value(serde_json::to_value(&e).unwrap()).unwrap();
    assert_eq!(back, e);
}
