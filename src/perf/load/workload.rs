//! What a load run sends: one definition per operation, shared by `paycrypt load` and
//! `benches/server_load.rs`.

use base64ct::{Base64, Encoding};
use serde_json::{Value, json};

use super::LoadError;

/// The initialization vector of the default AES CBC attributes.
const DEFAULT_IV: &str = "000102030405060708090A0B0C0D0E0F";

/// An operation a load run repeats, named as `--operation` names it.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum Operation {
    /// payment-cryptography-data `EncryptData` (restJson1, `POST /keys/{id}/encrypt`).
    EncryptData,
    /// payment-cryptography-data `DecryptData` (restJson1, `POST /keys/{id}/decrypt`).
    DecryptData,
    /// payment-cryptography-data `ReEncryptData` (restJson1, `POST /keys/{id}/reencrypt`).
    ReEncryptData,
    /// payment-cryptography control plane `GetKey` (awsJson1_0).
    GetKey,
    /// payment-cryptography control plane `ListKeys` (awsJson1_0).
    ListKeys,
    /// KMS `Encrypt` (awsJson1_1, `TrentService.Encrypt`).
    KmsEncrypt,
    /// KMS `Decrypt` (awsJson1_1, `TrentService.Decrypt`).
    KmsDecrypt,
    /// KMS `GenerateDataKey` (awsJson1_1, `TrentService.GenerateDataKey`), 32 bytes.
    KmsGenerateDataKey,
}

impl Operation {
    /// Every operation, in the order `--help` lists them.
    pub const ALL: [Operation; 8] = [
        Operation::EncryptData,
        Operation::DecryptData,
        Operation::ReEncryptData,
        Operation::GetKey,
        Operation::ListKeys,
        Operation::KmsEncrypt,
        Operation::KmsDecrypt,
        Operation::KmsGenerateDataKey,
    ];

    /// The name `--operation` takes, e.g. `encrypt-data`, `kms-encrypt`.
    pub fn name(self) -> &'static str {
        match self {
            Operation::EncryptData => "encrypt-data",
            Operation::DecryptData => "decrypt-data",
            Operation::ReEncryptData => "re-encrypt-data",
            Operation::GetKey => "get-key",
            Operation::ListKeys => "list-keys",
            Operation::KmsEncrypt => "kms-encrypt",
            Operation::KmsDecrypt => "kms-decrypt",
            Operation::KmsGenerateDataKey => "kms-generate-data-key",
        }
    }

    /// The operation named `name` (as [`Operation::name`] spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        Operation::ALL.into_iter().find(|o| o.name() == name)
    }

    /// Whether it is a KMS operation (base64 blobs, `--key-id`).
    pub fn is_kms(self) -> bool {
        matches!(self, Operation::KmsEncrypt | Operation::KmsDecrypt | Operation::KmsGenerateDataKey)
    }

    /// Whether it names a key (all but `list-keys`).
    pub fn needs_key(self) -> bool {
        self != Operation::ListKeys
    }

    /// Whether it takes a ciphertext, made by one encrypt call before the run when none is given.
    pub fn needs_cipher_text(self) -> bool {
        matches!(self, Operation::DecryptData | Operation::ReEncryptData | Operation::KmsDecrypt)
    }

    /// Whether it takes a plaintext.
    fn takes_plain_text(self) -> bool {
        matches!(self, Operation::EncryptData | Operation::KmsEncrypt)
    }
}

/// One unsigned request: what the signer and the connection need.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Call {
    /// The URI path, its segments percent-encoded.
    pub path: String,
    /// The SigV4 service name: `payment-cryptography` or `kms`.
    pub service: &'static str,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The `X-Amz-Target` of the awsJson protocols.
    pub target: Option<&'static str>,
    /// The JSON body.
    pub body: Vec<u8>,
}

/// An operation with its parameters, as the single-call commands' flags give them.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    /// The operation.
    pub operation: Operation,
    /// The key: `KeyIdentifier` (payment cryptography; the incoming key of `ReEncryptData`) or
    /// `KeyId` (KMS).
    pub key: String,
    /// A fixed plaintext; `None` sends a different one of `plain_text_bytes` bytes in each request
    /// of the signed pool.
    pub plain_text: Option<Vec<u8>>,
    /// The generated plaintexts' length.
    pub plain_text_bytes: usize,
    /// The ciphertext to decrypt or re-encrypt: hex (payment cryptography) or base64 (KMS).
    pub cipher_text: Option<String>,
    /// `EncryptionAttributes`, `DecryptionAttributes` or `IncomingEncryptionAttributes`.
    pub attributes: Value,
    /// `ReEncryptData`'s `OutgoingKeyIdentifier` (default: the incoming key).
    pub outgoing_key: Option<String>,
    /// `ReEncryptData`'s `OutgoingEncryptionAttributes`.
    pub outgoing_attributes: Value,
}

impl Workload {
    /// `operation` on `key` with the defaults: AES CBC with a fixed IV for the data plane, 32-byte
    /// plaintexts (256 for KMS), a different plaintext in each request.
    pub fn new(operation: Operation, key: impl Into<String>) -> Self {
        Workload {
            operation,
            key: key.into(),
            plain_text: None,
            plain_text_bytes: if operation.is_kms() { 256 } else { 32 },
            cipher_text: None,
            attributes: Workload::default_attributes(),
            outgoing_key: None,
            outgoing_attributes: Workload::default_attributes(),
        }
    }

    /// `{"Symmetric": {"Mode": "CBC", "InitializationVector": "000102…0F"}}`.
    pub fn default_attributes() -> Value {
        json!({"Symmetric": {"Mode": "CBC", "InitializationVector": DEFAULT_IV}})
    }

    /// The encrypt workload whose answer gives this one its ciphertext, when it needs one and has
    /// none.
    pub fn setup(&self) -> Option<Workload> {
        if !self.operation.needs_cipher_text() || self.cipher_text.is_some() {
            return None;
        }
        let operation = if self.operation.is_kms() { Operation::KmsEncrypt } else { Operation::EncryptData };
        Some(Workload { operation, cipher_text: None, ..self.clone() })
    }

    /// Takes the ciphertext from the answer to [`Workload::setup`]'s call.
    ///
    /// # Errors
    /// [`LoadError::Setup`] when the answer has no ciphertext.
    pub fn set_cipher_text(&mut self, answer: &Value) -> Result<(), LoadError> {
        let member = if self.operation.is_kms() { "CiphertextBlob" } else { "CipherText" };
        let text = answer.get(member).and_then(Value::as_str).ok_or_else(|| LoadError::Setup {
            exception: "MissingCipherText".to_owned(),
            message: format!("the encrypt answer has no {member}"),
        })?;
        self.cipher_text = Some(text.to_owned());
        Ok(())
    }

    /// The `i`th request of the pool.
    ///
    /// # Errors
    /// [`LoadError::Options`] when a decrypt kind has no ciphertext, or a parameter is missing.
    pub fn call(&self, i: usize) -> Result<Call, LoadError> {
        let plain = || match &self.plain_text {
            Some(p) => p.clone(),
            None => plain_text(i, self.plain_text_bytes),
        };
        let cipher = || {
            self.cipher_text
                .clone()
                .ok_or_else(|| LoadError::Options(format!("{} needs a ciphertext", self.operation.name())))
        };
        let key = percent_encode(&self.key);
        let (path, body) = match self.operation {
            Operation::EncryptData => (
                format!("/keys/{key}/encrypt"),
                json!({"PlainText": hex::encode_upper(plain()), "EncryptionAttributes": self.attributes}),
            ),
            Operation::DecryptData => (
                format!("/keys/{key}/decrypt"),
                json!({"CipherText": cipher()?, "DecryptionAttributes": self.attributes}),
            ),
            Operation::ReEncryptData => (
                format!("/keys/{key}/reencrypt"),
                json!({
                    "CipherText": cipher()?,
                    "IncomingEncryptionAttributes": self.attributes,
                    "OutgoingKeyIdentifier": self.outgoing_key.as_deref().unwrap_or(&self.key),
                    "OutgoingEncryptionAttributes": self.outgoing_attributes,
                }),
            ),
            Operation::GetKey => ("/".to_owned(), json!({"KeyIdentifier": self.key})),
            Operation::ListKeys => ("/".to_owned(), json!({})),
            Operation::KmsEncrypt => {
                ("/".to_owned(), json!({"KeyId": self.key, "Plaintext": Base64::encode_string(&plain())}))
            }
            Operation::KmsDecrypt => {
                ("/".to_owned(), json!({"KeyId": self.key, "CiphertextBlob": cipher()?}))
            }
            Operation::KmsGenerateDataKey => {
                ("/".to_owned(), json!({"KeyId": self.key, "NumberOfBytes": 32}))
            }
        };
        let (service, content_type, target) = match self.operation {
            Operation::EncryptData | Operation::DecryptData | Operation::ReEncryptData => {
                ("payment-cryptography", "application/json", None)
            }
            Operation::GetKey => (
                "payment-cryptography",
                "application/x-amz-json-1.0",
                Some("PaymentCryptographyControlPlane.GetKey"),
            ),
            Operation::ListKeys => (
                "payment-cryptography",
                "application/x-amz-json-1.0",
                Some("PaymentCryptographyControlPlane.ListKeys"),
            ),
            Operation::KmsEncrypt => ("kms", "application/x-amz-json-1.1", Some("TrentService.Encrypt")),
            Operation::KmsDecrypt => ("kms", "application/x-amz-json-1.1", Some("TrentService.Decrypt")),
            Operation::KmsGenerateDataKey => {
                ("kms", "application/x-amz-json-1.1", Some("TrentService.GenerateDataKey"))
            }
        };
        let body = serde_json::to_vec(&body).map_err(|e| LoadError::Options(e.to_string()))?;
        Ok(Call { path, service, content_type, target, body })
    }

    /// Whether each request of the pool differs (a generated plaintext); otherwise one suffices.
    pub fn varies(&self) -> bool {
        self.operation.takes_plain_text() && self.plain_text.is_none()
    }
}

/// The `i`th generated plaintext: `len` bytes that differ from one `i` to the next.
fn plain_text(i: usize, len: usize) -> Vec<u8> {
    (0..len).map(|j| (i.wrapping_mul(31) ^ j.wrapping_mul(7)).to_le_bytes()[0]).collect()
}

/// Percent-encodes a path segment as botocore does: only RFC 3986's unreserved characters kept.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for o in Operation::ALL {
            assert_eq!(Operation::from_name(o.name()), Some(o));
        }
        assert_eq!(Operation::from_name("encrypt"), None);
    }

    #[test]
    fn encrypt_data_call_is_the_bench_request() {
        let call = Workload::new(Operation::EncryptData, "alias/zone").call(0).unwrap();
        assert_eq!(call.path, "/keys/alias%2Fzone/encrypt");
        assert_eq!(call.service, "payment-cryptography");
        let body: Value = serde_json::from_slice(&call.body).unwrap();
        assert_eq!(body["PlainText"].as_str().unwrap().len(), 64);
        assert_eq!(body["EncryptionAttributes"]["Symmetric"]["Mode"], "CBC");
    }

    #[test]
    fn decrypt_takes_the_setup_ciphertext() {
        let mut w = Workload::new(Operation::KmsDecrypt, "k");
        assert!(w.call(0).is_err());
        let setup = w.setup().unwrap();
        assert_eq!(setup.operation, Operation::KmsEncrypt);
        w.set_cipher_text(&json!({"CiphertextBlob": "AAAA"})).unwrap();
        assert!(w.setup().is_none());
        let body: Value = serde_json::from_slice(&w.call(0).unwrap().body).unwrap();
        assert_eq!(body["CiphertextBlob"], "AAAA");
    }
}
