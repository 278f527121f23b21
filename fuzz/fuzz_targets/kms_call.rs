//! `Kms::call` for every KMS operation over any JSON body, and `Decrypt` over any ciphertext blob and
//! grant tokens, on a store with a symmetric key and an alias, and under an RSA key: never a panic, every error
//! one of KMS's exceptions with its status.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use paycrypt::keys::MemoryStore;
use paycrypt::service::Settings;
use paycrypt::service::kms::{Kms, KmsOperation};
use serde_json::{Value, json};

/// A store with a symmetric key and an alias: made afresh for every input (cheap), so inputs that
/// create keys or aliases do not pile up state.
fn kms() -> Kms<MemoryStore> {
    let kms = Kms::new(MemoryStore::new(), Settings::default());
    if let Some(Ok(key)) = kms.call("CreateKey", json!({})) {
        let id = key["KeyMetadata"]["KeyId"].clone();
        let _ = kms.call("CreateAlias", json!({"AliasName": "alias/fuzz", "TargetKeyId": id}));
    }
    kms
}

/// A store with an RSA key, made once (key generation is slow) and only read from.
fn rsa_kms() -> &'static (Kms<MemoryStore>, String) {
    static RSA: OnceLock<(Kms<MemoryStore>, String)> = OnceLock::new();
    RSA.get_or_init(|| {
        let kms = Kms::new(MemoryStore::new(), Settings::default());
        let id = match kms.call("CreateKey", json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"})) {
            Some(Ok(key)) => key["KeyMetadata"]["KeyId"].as_str().unwrap_or_default().to_owned(),
            _ => String::new(),
        };
        (kms, id)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let kms = kms();
    let operation = KmsOperation::ALL[usize::from(selector) % KmsOperation::ALL.len()].as_str();
    if let Ok(body) = serde_json::from_slice::<Value>(rest) {
        // RSA key generation takes seconds and is not what is fuzzed here: inputs asking for it would
        // crowd out everything else.
        if operation == "CreateKey" && body.to_string().contains("RSA") {
            return;
        }
        if let Some(Err(e)) = kms.call(operation, body) {
            assert!((400..600).contains(&e.http_status()));
            assert!(!e.exception().is_empty());
        }
    }
    // Any bytes as a ciphertext blob, any text as grant tokens.
    let blob = base64_standard(rest);
    let token = String::from_utf8_lossy(rest).into_owned();
    let _ = kms.call("Decrypt", json!({"CiphertextBlob": blob, "GrantTokens": [token]}));
    let _ = kms.call("Decrypt", json!({"CiphertextBlob": blob, "KeyId": "alias/fuzz", "EncryptionContext": {"a": "b"}}));
    let (rsa, id) = rsa_kms();
    for algorithm in ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] {
        let _ = rsa.call("Decrypt", json!({"CiphertextBlob": blob, "KeyId": id, "EncryptionAlgorithm": algorithm}));
    }
});

fn base64_standard(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
