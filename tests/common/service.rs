//! What the service tests share: a service over a memory store, clear-key import, and EncryptData /
//! DecryptData calls that take the encryption attributes as JSON and return the hex result.

use serde_json::{Value, json};

use paycrypt::keys::MemoryStore;
use paycrypt::service::{
    DecryptDataInput, EncryptDataInput, ImportKeyInput, PaymentCryptography, ServiceError, Settings,
};

/// The service under test.
pub type Svc = PaymentCryptography<MemoryStore>;

/// A fresh service with an empty memory store and default settings.
pub fn svc() -> Svc {
    PaymentCryptography::new(MemoryStore::new(), Settings::default())
}

/// Imports clear key `material` with key attributes `attrs` (JSON); returns the key ARN.
pub fn import(svc: &Svc, attrs: Value, material: &str) -> Result<String, ServiceError> {
    let input: ImportKeyInput = serde_json::from_value(json!({"KeyMaterial": {"ClearKey": {
        "KeyAttributes": attrs, "KeyMaterial": material}}}))
    .expect("import json");
    svc.import_key(input).map(|o| o.key.key_arn.to_string())
}

/// EncryptData under `key` with encryption attributes `attrs` (JSON); returns the cipher text.
pub fn encrypt(svc: &Svc, key: &str, plain: &str, attrs: Value) -> Result<String, ServiceError> {
    svc.encrypt_data(EncryptDataInput {
        key_identifier: key.into(),
        plain_text: plain.into(),
        encryption_attributes: serde_json::from_value(attrs).expect("attrs"),
        wrapped_key: None,
    })
    .map(|o| o.cipher_text)
}

/// DecryptData under `key` with decryption attributes `attrs` (JSON); returns the plain text.
pub fn decrypt(svc: &Svc, key: &str, cipher: &str, attrs: Value) -> Result<String, ServiceError> {
    svc.decrypt_data(DecryptDataInput {
        key_identifier: key.into(),
        cipher_text: cipher.into(),
        decryption_attributes: serde_json::from_value(attrs).expect("attrs"),
        wrapped_key: None,
    })
    .map(|o| o.plain_text)
}
