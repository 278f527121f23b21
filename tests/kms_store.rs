//! KMS keys, aliases and grants in the persistent store: sealed material survives a reopen, seed
//! entries are idempotent, and `clear` empties everything at once.

use std::sync::Arc;

use serde_json::{Value, json};

use paycrypt::keys::{FileStore, KeyStore, MasterKey, MemoryStore, OpenOptions};
use paycrypt::service::kms::Kms;
use paycrypt::service::{PaymentCryptography, SeedFile, Settings};

const SYM_ID: &str = "0b5e5f5a-1111-4222-8333-444455556666";
const KEY_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn seed() -> SeedFile {
    serde_json::from_value(json!({
        "Keys": [{"KeyId": "aes128dek0000001", "KeyAttributes": {"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
            "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": true}},
            "KeyMaterial": "2B7E151628AED2A6ABF7158809CF4F3C"}],
        "KmsKeys": [{"KeyId": SYM_ID, "KeySpec": "SYMMETRIC_DEFAULT", "KeyMaterial": KEY_HEX, "Description": "seeded"}],
        "KmsAliases": [{"AliasName": "alias/seeded", "TargetKeyId": SYM_ID}]
    }))
    .expect("seed json")
}

fn dir(name: &str) -> std::path::PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn open(d: &std::path::Path) -> Arc<FileStore> {
    Arc::new(
        FileStore::open_with_master(
            d,
            MasterKey::from_bytes(&[9; 32]).expect("master"),
            &OpenOptions::default(),
        )
        .expect("open"),
    )
}

fn call<S: KeyStore>(k: &Kms<S>, op: &str, body: Value) -> Value {
    k.call(op, body).expect("known").unwrap_or_else(|e| panic!("{op}: {e}"))
}

#[test]
fn file_store_keeps_kms_state_and_clears_it() {
    let d = dir("kms-file-store");
    let ct;
    let token;
    {
        let store = open(&d);
        let pc = PaymentCryptography::new(Arc::clone(&store), Settings::default());
        let report = pc.seed(&seed()).expect("seed");
        assert_eq!((report.kms_keys_added, report.kms_aliases_added), (1, 1));
        let again = pc.seed(&seed()).expect("seed again");
        assert_eq!((again.kms_keys_unchanged, again.kms_aliases_unchanged, again.kms_keys_added), (1, 1, 0));
        let kms = Kms::new(Arc::clone(&store), Settings::default());
        ct = call(
            &kms,
            "Encrypt",
            json!({"KeyId": "alias/seeded", "Plaintext": "aGVsbG8=", "EncryptionContext": {"a": "b"}}),
        );
        token = call(
            &kms,
            "CreateGrant",
            json!({"KeyId": SYM_ID, "GranteePrincipal": "bob", "Operations": ["Decrypt"]}),
        )["GrantToken"]
            .clone();
        call(&kms, "DisableKey", json!({"KeyId": SYM_ID}));
        let err = kms
            .call("Encrypt", json!({"KeyId": SYM_ID, "Plaintext": "eA=="}))
            .expect("known")
            .expect_err("disabled");
        assert_eq!(err.exception(), "DisabledException");
        call(&kms, "EnableKey", json!({"KeyId": SYM_ID}));
    }
    let store = open(&d);
    let kms = Kms::new(Arc::clone(&store), Settings::default());
    let pt = call(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"], "EncryptionContext": {"a": "b"}, "GrantTokens": [token]}),
    );
    assert_eq!(pt["Plaintext"], "aGVsbG8=");
    // A different seed for the same id conflicts.
    let mut other = seed();
    other.kms_keys[0].key_material = paycrypt::keys::SecretText::new("ff".repeat(32));
    let pc = PaymentCryptography::new(Arc::clone(&store), Settings::default());
    assert_eq!(
        pc.seed(&other).expect_err("conflict").exception(paycrypt::service::Plane::Control),
        "ConflictException"
    );

    store.clear().expect("clear");
    assert!(store.list_keys(None, 10).expect("list").is_empty());
    assert!(store.list_aliases(None, 10).expect("list").is_empty());
    assert!(store.list_kms_keys(None, 10).expect("list").is_empty());
    assert!(store.list_kms_aliases(None, 10).expect("list").is_empty());
    let err = kms
        .call("Decrypt", json!({"CiphertextBlob": ct["CiphertextBlob"], "EncryptionContext": {"a": "b"}}))
        .expect("known");
    assert_eq!(err.expect_err("cleared").exception(), "InvalidCiphertextException");
    // Re-seeding after a clear brings the same key back: old ciphertexts decrypt again.
    pc.seed(&seed()).expect("re-seed");
    let pt = call(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"], "EncryptionContext": {"a": "b"}}),
    );
    assert_eq!(pt["Plaintext"], "aGVsbG8=");
}

#[test]
fn memory_store_clear() {
    let store = Arc::new(MemoryStore::new());
    let kms = Kms::new(Arc::clone(&store), Settings::default());
    call(&kms, "CreateKey", json!({}));
    assert_eq!(store.list_kms_keys(None, 10).expect("list").len(), 1);
    store.clear().expect("clear");
    assert!(store.list_kms_keys(None, 10).expect("list").is_empty());
}

#[test]
fn seeded_material_is_used_as_given() {
    // Known answer: decrypting our own blob format with the raw key in an independent AES-GCM.
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let store = Arc::new(MemoryStore::new());
    let pc = PaymentCryptography::new(Arc::clone(&store), Settings::default());
    pc.seed(&seed()).expect("seed");
    let kms = Kms::new(store, Settings::default());
    let ct = call(&kms, "Encrypt", json!({"KeyId": SYM_ID, "Plaintext": "aGVsbG8="}));
    use base64ct::Encoding;
    let blob = base64ct::Base64::decode_vec(ct["CiphertextBlob"].as_str().expect("b64")).expect("b64");
    let arn_len = usize::from(blob[1]);
    let head = &blob[..2 + arn_len];
    let nonce = &blob[2 + arn_len..14 + arn_len];
    let body = &blob[14 + arn_len..];
    let mut aad = head.to_vec();
    aad.extend_from_slice(&[0, 0, 0, 0]);
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(&hex::decode(KEY_HEX).expect("hex")).expect("key");
    let nonce: [u8; 12] = nonce.try_into().expect("nonce");
    let plain = cipher.decrypt(&nonce.into(), Payload { msg: body, aad: &aad }).expect("independent decrypt");
    assert_eq!(plain, b"hello");
}
