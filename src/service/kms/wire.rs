//! awsJson1_1 details: blobs as base64, encryption contexts, enums, and the constraint checks of
//! KMS's model with KMS's messages.

use std::collections::BTreeMap;
use std::fmt;

use base64ct::{Base64, Encoding};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

use crate::service::kms::KmsError;

/// An encryption context: key/value pairs, sorted by key. An empty one is the same as none.
pub type EncryptionContext = BTreeMap<String, String>;

/// A binary member (ciphertext), base64 on the wire.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct Blob(pub Vec<u8>);

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&Base64::encode_string(&self.0))
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Base64::decode_vec(&text).map(Blob).map_err(|_| serde::de::Error::custom("blob is not valid base64"))
    }
}

/// A secret binary member (plaintext, data key), base64 on the wire: zeroized on drop, never printed.
#[derive(Clone, Default, Eq, PartialEq)]
pub struct SecretBlob(pub Zeroizing<Vec<u8>>);

impl SecretBlob {
    /// Wraps `bytes`.
    pub fn new(bytes: Vec<u8>) -> Self {
        SecretBlob(Zeroizing::new(bytes))
    }

    /// The bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretBlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBlob({} bytes)", self.0.len())
    }
}

impl Serialize for SecretBlob {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = Zeroizing::new(Base64::encode_string(&self.0));
        s.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for SecretBlob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Zeroizing::new(String::deserialize(d)?);
        Base64::decode_vec(&text)
            .map(SecretBlob::new)
            .map_err(|_| serde::de::Error::custom("blob is not valid base64"))
    }
}

/// An encryption algorithm (AWS `EncryptionAlgorithmSpec`).
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, Serialize, Deserialize)]
pub enum EncryptionAlgorithm {
    /// AES-256-GCM, for SYMMETRIC_DEFAULT keys.
    #[serde(rename = "SYMMETRIC_DEFAULT")]
    SymmetricDefault,
    /// RSAES-OAEP with SHA-1 (and MGF1-SHA-1).
    #[serde(rename = "RSAES_OAEP_SHA_1")]
    RsaesOaepSha1,
    /// RSAES-OAEP with SHA-256 (and MGF1-SHA-256).
    #[serde(rename = "RSAES_OAEP_SHA_256")]
    RsaesOaepSha256,
    /// SM2 public-key encryption (China Regions only; paycrypt refuses it).
    #[serde(rename = "SM2PKE")]
    Sm2Pke,
}

impl EncryptionAlgorithm {
    /// The AWS spelling.
    pub const fn name(self) -> &'static str {
        match self {
            EncryptionAlgorithm::SymmetricDefault => "SYMMETRIC_DEFAULT",
            EncryptionAlgorithm::RsaesOaepSha1 => "RSAES_OAEP_SHA_1",
            EncryptionAlgorithm::RsaesOaepSha256 => "RSAES_OAEP_SHA_256",
            EncryptionAlgorithm::Sm2Pke => "SM2PKE",
        }
    }
}

/// KMS's message for one broken constraint: `1 validation error detected: Value at 'plaintext' failed
/// to satisfy constraint: Member must have length less than or equal to 4096`. Values are left out
/// (they may be secret).
pub(crate) fn constraint(member: &str, rule: &str) -> KmsError {
    KmsError::Validation(format!(
        "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must {rule}"
    ))
}

/// Checks a length (bytes or items) against `min..=max`.
pub(crate) fn check_len(member: &str, len: usize, min: usize, max: usize) -> Result<(), KmsError> {
    if len < min {
        return Err(constraint(member, &format!("have length greater than or equal to {min}")));
    }
    if len > max {
        return Err(constraint(member, &format!("have length less than or equal to {max}")));
    }
    Ok(())
}

/// Checks a number against `min..=max`.
pub(crate) fn check_range(member: &str, value: i64, min: i64, max: i64) -> Result<(), KmsError> {
    if value < min {
        return Err(constraint(member, &format!("have value greater than or equal to {min}")));
    }
    if value > max {
        return Err(constraint(member, &format!("have value less than or equal to {max}")));
    }
    Ok(())
}

/// Checks `GrantTokens`: at most 10, each 1 to 8192 characters.
pub(crate) fn check_grant_tokens(tokens: &[String]) -> Result<(), KmsError> {
    check_len("grantTokens", tokens.len(), 0, 10)?;
    for t in tokens {
        check_len("grantTokens.member", t.len(), 1, 8192)?;
    }
    Ok(())
}

/// Checks a `KeyId` member's length (1 to 2048).
pub(crate) fn check_key_id(member: &str, key_id: &str) -> Result<(), KmsError> {
    check_len(member, key_id.len(), 1, 2048)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_base64() {
        let b: Blob = serde_json::from_str("\"AAEC\"").unwrap_or_default();
        assert_eq!(b.0, vec![0, 1, 2]);
        assert_eq!(serde_json::to_string(&b).ok().as_deref(), Some("\"AAEC\""));
        assert!(serde_json::from_str::<Blob>("\"A\"").is_err());
        assert_eq!(format!("{:?}", SecretBlob::new(vec![0x42; 3])), "SecretBlob(3 bytes)");
    }

    #[test]
    fn messages() {
        assert_eq!(
            check_len("plaintext", 4097, 1, 4096).err().map(|e| e.to_string()).as_deref(),
            Some(
                "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"
            )
        );
    }
}
