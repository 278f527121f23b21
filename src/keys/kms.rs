//! The AWS KMS key model: key ids (UUIDs), key ARNs, alias names, key specs and states, the key
//! record in AWS's terms, its secret material, aliases and grants. The store keeps them apart from
//! the payment-cryptography keys and aliases (a separate namespace, as in AWS).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

use crate::keys::ids::string_id;
use crate::keys::{AccountId, IdError, Region, Timestamp};

/// A KMS key id: a version-4 UUID in lower case, `1234abcd-12ab-34cd-56ef-1234567890ab`.
#[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct KmsKeyId(String);

impl KmsKeyId {
    /// Parses a key id: 8-4-4-4-12 hex digits (either case; kept in lower case).
    ///
    /// # Errors
    /// [`IdError`] unless `s` is a UUID.
    ///
    /// # Examples
    /// ```
    /// use paycrypt::keys::KmsKeyId;
    ///
    /// let id = KmsKeyId::parse("1234ABCD-12ab-34cd-56ef-1234567890ab")?;
    /// assert_eq!(id.as_str(), "1234abcd-12ab-34cd-56ef-1234567890ab");
    /// assert!(KmsKeyId::parse("1234abcd").is_err());
    /// # Ok::<(), paycrypt::keys::IdError>(())
    /// ```
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let ok = s.len() == 36
            && s.bytes()
                .enumerate()
                .all(|(i, b)| if matches!(i, 8 | 13 | 18 | 23) { b == b'-' } else { b.is_ascii_hexdigit() });
        if ok {
            Ok(KmsKeyId(s.to_ascii_lowercase()))
        } else {
            Err(IdError { what: "KeyId", rule: "a UUID (8-4-4-4-12 hex digits)" })
        }
    }

    /// A fresh random version-4 UUID (RFC 9562 §5.4).
    ///
    /// # Errors
    /// [`getrandom::Error`] when the operating system has no randomness to give.
    pub fn random() -> Result<Self, getrandom::Error> {
        let mut b = [0u8; 16];
        getrandom::fill(&mut b)?;
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = hex::encode(b);
        Ok(KmsKeyId(format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])))
    }
}

string_id!(KmsKeyId);

/// A KMS key ARN: `arn:aws:kms:<region>:<account>:key/<uuid>`.
#[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct KmsKeyArn(String);

const KMS_ARN_PREFIX: &str = "arn:aws:kms:";

impl KmsKeyArn {
    /// The ARN of key `id` in `region` and `account`.
    pub fn new(region: &Region, account: &AccountId, id: &KmsKeyId) -> Self {
        KmsKeyArn(format!("{KMS_ARN_PREFIX}{region}:{account}:key/{id}"))
    }

    /// Parses a KMS key ARN.
    ///
    /// # Errors
    /// [`IdError`] unless `s` is `arn:aws:kms:<region>:<12 digits>:key/<uuid>`.
    ///
    /// # Examples
    /// ```
    /// use paycrypt::keys::KmsKeyArn;
    ///
    /// let arn = KmsKeyArn::parse("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")?;
    /// assert_eq!(arn.key_id().as_str(), "1234abcd-12ab-34cd-56ef-1234567890ab");
    /// # Ok::<(), paycrypt::keys::IdError>(())
    /// ```
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let err = IdError { what: "KeyArn", rule: "arn:aws:kms:<region>:<account>:key/<uuid>" };
        let (region, account, resource) = split_kms_arn(s).ok_or(err.clone())?;
        let id = resource.strip_prefix("key/").ok_or(err.clone())?;
        let id = KmsKeyId::parse(id).map_err(|_| err)?;
        Ok(KmsKeyArn::new(&region, &account, &id))
    }

    /// The key id at the end of the ARN.
    pub fn key_id(&self) -> KmsKeyId {
        KmsKeyId(self.0.rsplit('/').next().unwrap_or_default().to_owned())
    }
}

string_id!(KmsKeyArn);

/// Splits `arn:aws:kms:<region>:<account>:<resource>` into its checked region, account and resource.
pub(crate) fn split_kms_arn(s: &str) -> Option<(Region, AccountId, &str)> {
    let rest = s.strip_prefix(KMS_ARN_PREFIX)?;
    let mut parts = rest.splitn(3, ':');
    let region = Region::parse(parts.next()?).ok()?;
    let account = AccountId::parse(parts.next()?).ok()?;
    Some((region, account, parts.next()?))
}

/// A KMS alias name: `alias/` then letters, digits, `/`, `_`, `-` (and `:`), 7 to 256 characters.
/// Names under `alias/aws/` are reserved for AWS managed keys.
#[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct KmsAliasName(String);

impl KmsAliasName {
    /// Parses an alias name.
    ///
    /// # Errors
    /// [`IdError`] unless `s` is `alias/` followed by `[a-zA-Z0-9:/_-]+`, at most 256 characters.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let ok = s.len() <= 256
            && s.strip_prefix("alias/").is_some_and(|name| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b":/_-".contains(&b))
            });
        if ok {
            Ok(KmsAliasName(s.to_owned()))
        } else {
            Err(IdError { what: "AliasName", rule: "alias/ followed by letters, digits, /, _ or -" })
        }
    }

    /// Whether the name is reserved for AWS managed keys (`alias/aws/…`).
    pub fn is_reserved(&self) -> bool {
        self.0.starts_with("alias/aws/")
    }
}

string_id!(KmsAliasName);

/// A KMS key spec (AWS `KeySpec`): the ones paycrypt implements.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, Serialize, Deserialize)]
pub enum KmsKeySpec {
    /// A 256-bit AES-GCM key.
    #[serde(rename = "SYMMETRIC_DEFAULT")]
    SymmetricDefault,
    /// A 2048-bit RSA key pair.
    #[serde(rename = "RSA_2048")]
    Rsa2048,
    /// A 3072-bit RSA key pair.
    #[serde(rename = "RSA_3072")]
    Rsa3072,
    /// A 4096-bit RSA key pair.
    #[serde(rename = "RSA_4096")]
    Rsa4096,
}

impl KmsKeySpec {
    /// The AWS spelling.
    pub const fn name(self) -> &'static str {
        match self {
            KmsKeySpec::SymmetricDefault => "SYMMETRIC_DEFAULT",
            KmsKeySpec::Rsa2048 => "RSA_2048",
            KmsKeySpec::Rsa3072 => "RSA_3072",
            KmsKeySpec::Rsa4096 => "RSA_4096",
        }
    }

    /// The RSA modulus size in bits, for RSA specs.
    pub const fn rsa_bits(self) -> Option<usize> {
        match self {
            KmsKeySpec::SymmetricDefault => None,
            KmsKeySpec::Rsa2048 => Some(2048),
            KmsKeySpec::Rsa3072 => Some(3072),
            KmsKeySpec::Rsa4096 => Some(4096),
        }
    }
}

impl fmt::Display for KmsKeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A KMS key's state (AWS `KeyState`): the ones a paycrypt key can be in.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, Serialize, Deserialize)]
pub enum KmsKeyState {
    /// Usable.
    Enabled,
    /// Refused by cryptographic operations (`DisabledException`).
    Disabled,
    /// Scheduled for deletion: refused by cryptographic operations (`KMSInvalidStateException`).
    PendingDeletion,
}

/// A KMS key's metadata as the store holds it.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KmsKey {
    /// Its ARN (which holds its id).
    pub arn: KmsKeyArn,
    /// What kind of key.
    pub key_spec: KmsKeySpec,
    /// Free text, 0 to 8192 characters.
    pub description: String,
    /// Its state.
    pub key_state: KmsKeyState,
    /// When it was created.
    pub creation_date: Timestamp,
    /// When it will be deleted (PendingDeletion keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<Timestamp>,
    /// The waiting period asked for (PendingDeletion keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_deletion_window_in_days: Option<u32>,
}

impl KmsKey {
    /// Whether the key is deleted as of `now`: pending deletion with its deletion date passed.
    pub fn is_deleted(&self, now: Timestamp) -> bool {
        self.key_state == KmsKeyState::PendingDeletion && self.deletion_date.is_some_and(|d| d <= now)
    }
}

/// A KMS key's secret material: zeroized on drop, never printed.
#[derive(Clone, Eq, PartialEq)]
pub enum KmsMaterial {
    /// The 32 bytes of a SYMMETRIC_DEFAULT (AES-256-GCM) key.
    Aes256(Zeroizing<[u8; 32]>),
    /// An RSA private key, PEM (PKCS#8 or PKCS#1).
    RsaPem(Zeroizing<String>),
}

impl KmsMaterial {
    /// The material as bytes for sealing: the raw AES key, or the PEM text.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        match self {
            KmsMaterial::Aes256(k) => Zeroizing::new(k.to_vec()),
            KmsMaterial::RsaPem(pem) => Zeroizing::new(pem.as_bytes().to_vec()),
        }
    }

    /// Material of `spec` from the bytes [`KmsMaterial::to_bytes`] gave.
    ///
    /// # Errors
    /// A message when the bytes do not fit the spec.
    pub fn from_bytes(spec: KmsKeySpec, bytes: &[u8]) -> Result<Self, String> {
        match spec {
            KmsKeySpec::SymmetricDefault => {
                let key: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| format!("a SYMMETRIC_DEFAULT key is 32 bytes, not {}", bytes.len()))?;
                Ok(KmsMaterial::Aes256(Zeroizing::new(key)))
            }
            _ => {
                let text = std::str::from_utf8(bytes).map_err(|_| "RSA key material is not PEM text")?;
                Ok(KmsMaterial::RsaPem(Zeroizing::new(text.to_owned())))
            }
        }
    }
}

impl fmt::Debug for KmsMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KmsMaterial::Aes256(_) => f.debug_tuple("Aes256").field(&"...").finish(),
            KmsMaterial::RsaPem(_) => f.debug_tuple("RsaPem").field(&"...").finish(),
        }
    }
}

/// A KMS key as a store holds it: metadata and material.
#[derive(Clone, Debug)]
pub struct StoredKmsKey {
    /// The metadata.
    pub key: KmsKey,
    /// The secret material.
    pub material: KmsMaterial,
}

/// A KMS alias as a store holds it.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KmsAlias {
    /// Its name.
    pub alias_name: KmsAliasName,
    /// The key it points to.
    pub target_key_id: KmsKeyId,
    /// When it was created.
    pub creation_date: Timestamp,
    /// When it was last pointed at a key.
    pub last_updated_date: Timestamp,
}

/// A grant's constraints on the encryption context (AWS `GrantConstraints`).
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GrantConstraints {
    /// The request's context must include these pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_subset: Option<BTreeMap<String, String>>,
    /// The request's context must be exactly these pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_equals: Option<BTreeMap<String, String>>,
}

/// A grant as a store holds it (AWS `GrantListEntry`, plus its token).
#[derive(Clone, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Grant {
    /// The key it is on (ARN).
    pub key_id: KmsKeyArn,
    /// Its id: 64 lower-case hex digits.
    pub grant_id: String,
    /// Its token, which callers pass in `GrantTokens` (a bearer secret: never printed).
    pub grant_token: String,
    /// Its friendly name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When it was created.
    pub creation_date: Timestamp,
    /// Who it is for.
    pub grantee_principal: String,
    /// Who may retire it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retiring_principal: Option<String>,
    /// The account that created it.
    pub issuing_account: String,
    /// The operations it allows (AWS `GrantOperation` names).
    pub operations: Vec<String>,
    /// Its encryption-context constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<GrantConstraints>,
}

impl fmt::Debug for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Grant")
            .field("key_id", &self.key_id)
            .field("grant_id", &self.grant_id)
            .field("grant_token", &"...")
            .field("operations", &self.operations)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_v4_uuids() {
        for _ in 0..20 {
            let Ok(id) = KmsKeyId::random() else { panic!("randomness") };
            assert_eq!(KmsKeyId::parse(id.as_str()).as_ref(), Ok(&id));
            assert_eq!(&id.as_str()[14..15], "4");
            assert!(matches!(&id.as_str()[19..20], "8" | "9" | "a" | "b"));
        }
    }

    #[test]
    fn arns_and_aliases() {
        assert!(KmsKeyArn::parse("arn:aws:kms:us-east-1:111122223333:key/x").is_err());
        assert!(
            KmsKeyArn::parse("arn:aws:kms:us-east-1:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab").is_err()
        );
        assert!(KmsAliasName::parse("alias/aws/s3").is_ok_and(|a| a.is_reserved()));
        assert!(KmsAliasName::parse("alias/").is_err());
        assert!(KmsAliasName::parse("app").is_err());
        assert!(KmsAliasName::parse("alias/a b").is_err());
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let m = KmsMaterial::Aes256(Zeroizing::new([0x42; 32]));
        assert!(!format!("{m:?}").contains("42"));
    }
}
