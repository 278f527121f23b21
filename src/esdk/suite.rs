//! The ESDK's algorithm suites and the derivation of a message's encryption key (and commitment key)
//! from its data key.

use std::fmt;

use hkdf::Hkdf;
use sha2::{Sha256, Sha384, Sha512};
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::esdk::{DataKey, EsdkError};

/// An AWS Encryption SDK algorithm suite: AES-GCM with a 12-byte IV and a 16-byte tag, a key
/// derivation, and optionally key commitment and an ECDSA signature.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum Suite {
    /// 0x0014: AES-128-GCM, the data key used directly (message format 1, decrypt only).
    Aes128GcmIv12Tag16NoKdf,
    /// 0x0046: AES-192-GCM, the data key used directly (message format 1, decrypt only).
    Aes192GcmIv12Tag16NoKdf,
    /// 0x0078: AES-256-GCM, the data key used directly (message format 1, decrypt only).
    Aes256GcmIv12Tag16NoKdf,
    /// 0x0114: AES-128-GCM, HKDF-SHA256 (message format 1, decrypt only).
    Aes128GcmIv12Tag16HkdfSha256,
    /// 0x0146: AES-192-GCM, HKDF-SHA256 (message format 1, decrypt only).
    Aes192GcmIv12Tag16HkdfSha256,
    /// 0x0178: AES-256-GCM, HKDF-SHA256 (message format 1, decrypt only).
    Aes256GcmIv12Tag16HkdfSha256,
    /// 0x0214: AES-128-GCM, HKDF-SHA256, ECDSA P-256 with SHA-256 (message format 1, decrypt only).
    Aes128GcmIv12Tag16HkdfSha256EcdsaP256,
    /// 0x0346: AES-192-GCM, HKDF-SHA384, ECDSA P-384 with SHA-384 (message format 1, decrypt only).
    Aes192GcmIv12Tag16HkdfSha384EcdsaP384,
    /// 0x0378: AES-256-GCM, HKDF-SHA384, ECDSA P-384 with SHA-384 (message format 1, decrypt only).
    Aes256GcmIv12Tag16HkdfSha384EcdsaP384,
    /// 0x0478: AES-256-GCM, HKDF-SHA512 with key commitment (message format 2).
    Aes256GcmHkdfSha512CommitKey,
    /// 0x0578: AES-256-GCM, HKDF-SHA512 with key commitment, ECDSA P-384 with SHA-384 (message
    /// format 2). The SDKs' default, and ours.
    Aes256GcmHkdfSha512CommitKeyEcdsaP384,
}

/// The key derivation of a suite.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Kdf {
    /// The data key is the encryption key.
    Identity,
    /// HKDF-SHA256, zero salt, info = suite id ‖ message id.
    HkdfSha256,
    /// HKDF-SHA384, zero salt, info = suite id ‖ message id.
    HkdfSha384,
    /// HKDF-SHA512, salt = message id, info = suite id ‖ "DERIVEKEY" (and "COMMITKEY").
    HkdfSha512Commit,
}

/// The signature algorithm of a suite.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Signing {
    /// ECDSA on P-256 over SHA-256.
    P256,
    /// ECDSA on P-384 over SHA-384.
    P384,
}

/// The length of a commitment key (the v2 header's suite data), in bytes.
pub const COMMITMENT_LEN: usize = 32;

impl Suite {
    /// The default suite: 0x0578, committing and signed.
    pub const DEFAULT: Suite = Suite::Aes256GcmHkdfSha512CommitKeyEcdsaP384;

    /// Every suite, in id order.
    pub const ALL: [Suite; 11] = [
        Suite::Aes128GcmIv12Tag16NoKdf,
        Suite::Aes192GcmIv12Tag16NoKdf,
        Suite::Aes256GcmIv12Tag16NoKdf,
        Suite::Aes128GcmIv12Tag16HkdfSha256,
        Suite::Aes192GcmIv12Tag16HkdfSha256,
        Suite::Aes256GcmIv12Tag16HkdfSha256,
        Suite::Aes128GcmIv12Tag16HkdfSha256EcdsaP256,
        Suite::Aes192GcmIv12Tag16HkdfSha384EcdsaP384,
        Suite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384,
        Suite::Aes256GcmHkdfSha512CommitKey,
        Suite::Aes256GcmHkdfSha512CommitKeyEcdsaP384,
    ];

    /// The two-byte suite id of the message header, e.g. `0x0578`.
    pub fn id(self) -> u16 {
        match self {
            Suite::Aes128GcmIv12Tag16NoKdf => 0x0014,
            Suite::Aes192GcmIv12Tag16NoKdf => 0x0046,
            Suite::Aes256GcmIv12Tag16NoKdf => 0x0078,
            Suite::Aes128GcmIv12Tag16HkdfSha256 => 0x0114,
            Suite::Aes192GcmIv12Tag16HkdfSha256 => 0x0146,
            Suite::Aes256GcmIv12Tag16HkdfSha256 => 0x0178,
            Suite::Aes128GcmIv12Tag16HkdfSha256EcdsaP256 => 0x0214,
            Suite::Aes192GcmIv12Tag16HkdfSha384EcdsaP384 => 0x0346,
            Suite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384 => 0x0378,
            Suite::Aes256GcmHkdfSha512CommitKey => 0x0478,
            Suite::Aes256GcmHkdfSha512CommitKeyEcdsaP384 => 0x0578,
        }
    }

    /// The suite with id `id`, if the ESDK has one.
    ///
    /// # Examples
    /// ```
    /// use paycrypt::esdk::Suite;
    ///
    /// assert_eq!(Suite::from_id(0x0578), Some(Suite::DEFAULT));
    /// assert_eq!(Suite::from_id(0x0070), None); // an S3 Encryption Client suite
    /// ```
    pub fn from_id(id: u16) -> Option<Suite> {
        Suite::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The SDKs' enum name without its `ALG_` prefix, e.g.
    /// `AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384`.
    pub fn name(self) -> &'static str {
        match self {
            Suite::Aes128GcmIv12Tag16NoKdf => "AES_128_GCM_IV12_TAG16_NO_KDF",
            Suite::Aes192GcmIv12Tag16NoKdf => "AES_192_GCM_IV12_TAG16_NO_KDF",
            Suite::Aes256GcmIv12Tag16NoKdf => "AES_256_GCM_IV12_TAG16_NO_KDF",
            Suite::Aes128GcmIv12Tag16HkdfSha256 => "AES_128_GCM_IV12_TAG16_HKDF_SHA256",
            Suite::Aes192GcmIv12Tag16HkdfSha256 => "AES_192_GCM_IV12_TAG16_HKDF_SHA256",
            Suite::Aes256GcmIv12Tag16HkdfSha256 => "AES_256_GCM_IV12_TAG16_HKDF_SHA256",
            Suite::Aes128GcmIv12Tag16HkdfSha256EcdsaP256 => "AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256",
            Suite::Aes192GcmIv12Tag16HkdfSha384EcdsaP384 => "AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384",
            Suite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384 => "AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384",
            Suite::Aes256GcmHkdfSha512CommitKey => "AES_256_GCM_HKDF_SHA512_COMMIT_KEY",
            Suite::Aes256GcmHkdfSha512CommitKeyEcdsaP384 => "AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384",
        }
    }

    /// The suite named `name`: its [`Suite::name`] in any case, with or without the `ALG_`
    /// prefix, or its id in hex (`0x0578`).
    ///
    /// # Examples
    /// ```
    /// use paycrypt::esdk::Suite;
    ///
    /// let s = Suite::from_name("aes_256_gcm_hkdf_sha512_commit_key");
    /// assert_eq!(s.map(Suite::id), Some(0x0478));
    /// assert_eq!(Suite::from_name("0x0578"), Some(Suite::DEFAULT));
    /// assert_eq!(Suite::from_name("ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384"), Some(Suite::DEFAULT));
    /// assert_eq!(Suite::from_name("AES_256_GCM"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Suite> {
        let name = name.trim();
        if let Some(hex) = name.strip_prefix("0x").or_else(|| name.strip_prefix("0X")) {
            if hex.is_empty() || hex.len() > 4 {
                return None;
            }
            return u16::from_str_radix(hex, 16).ok().and_then(Suite::from_id);
        }
        let bare = match name.get(..4) {
            Some(p) if p.eq_ignore_ascii_case("ALG_") => &name[4..],
            _ => name,
        };
        Suite::ALL.into_iter().find(|s| s.name().eq_ignore_ascii_case(bare))
    }

    /// Whether the suite commits to its data key (message format 2).
    pub fn is_committing(self) -> bool {
        self.kdf() == Kdf::HkdfSha512Commit
    }

    /// Whether messages carry an ECDSA signature in a footer.
    pub fn is_signing(self) -> bool {
        self.signing().is_some()
    }

    /// The data key's length in bytes (the suite's key derivation input length).
    pub fn data_key_len(self) -> usize {
        self.encryption_key_len()
    }

    /// The message format version the suite is written in: 1 or 2.
    pub fn message_format_version(self) -> u8 {
        if self.is_committing() { 2 } else { 1 }
    }

    /// The length of the message id: 16 bytes in format 1, 32 in format 2.
    pub fn message_id_len(self) -> usize {
        if self.is_committing() { 32 } else { 16 }
    }

    /// The AES key length in bytes.
    pub(crate) fn encryption_key_len(self) -> usize {
        match self {
            Suite::Aes128GcmIv12Tag16NoKdf
            | Suite::Aes128GcmIv12Tag16HkdfSha256
            | Suite::Aes128GcmIv12Tag16HkdfSha256EcdsaP256 => 16,
            Suite::Aes192GcmIv12Tag16NoKdf
            | Suite::Aes192GcmIv12Tag16HkdfSha256
            | Suite::Aes192GcmIv12Tag16HkdfSha384EcdsaP384 => 24,
            _ => 32,
        }
    }

    pub(crate) fn kdf(self) -> Kdf {
        match self {
            Suite::Aes128GcmIv12Tag16NoKdf
            | Suite::Aes192GcmIv12Tag16NoKdf
            | Suite::Aes256GcmIv12Tag16NoKdf => Kdf::Identity,
            Suite::Aes128GcmIv12Tag16HkdfSha256
            | Suite::Aes192GcmIv12Tag16HkdfSha256
            | Suite::Aes256GcmIv12Tag16HkdfSha256
            | Suite::Aes128GcmIv12Tag16HkdfSha256EcdsaP256 => Kdf::HkdfSha256,
            Suite::Aes192GcmIv12Tag16HkdfSha384EcdsaP384 | Suite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384 => {
                Kdf::HkdfSha384
            }
            Suite::Aes256GcmHkdfSha512CommitKey | Suite::Aes256GcmHkdfSha512CommitKeyEcdsaP384 => {
                Kdf::HkdfSha512Commit
            }
        }
    }

    pub(crate) fn signing(self) -> Option<Signing> {
        match self {
            Suite::Aes128GcmIv12Tag16HkdfSha256EcdsaP256 => Some(Signing::P256),
            Suite::Aes192GcmIv12Tag16HkdfSha384EcdsaP384
            | Suite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384
            | Suite::Aes256GcmHkdfSha512CommitKeyEcdsaP384 => Some(Signing::P384),
            _ => None,
        }
    }
}

impl fmt::Display for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A message's keys derived from its data key: the AES-GCM key of the header tag and the body, and
/// for committing suites the commitment key the header carries. Zeroized on drop.
#[derive(ZeroizeOnDrop)]
pub struct DerivedKeys {
    key: Zeroizing<Vec<u8>>,
    commitment: Option<[u8; COMMITMENT_LEN]>,
}

impl DerivedKeys {
    /// The AES-GCM key that encrypts the body and authenticates the header.
    pub fn encryption_key(&self) -> &[u8] {
        &self.key
    }

    /// The commitment key (the version 2 header's suite data), for committing suites.
    pub fn commitment(&self) -> Option<&[u8; COMMITMENT_LEN]> {
        self.commitment.as_ref()
    }
}

impl fmt::Debug for DerivedKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DerivedKeys")
            .field("key", &"...")
            .field("commitment", &self.commitment.is_some())
            .finish()
    }
}

/// Derives the encryption key (and commitment key) of a `suite` message with id `message_id` from
/// its `data_key`, as the specification's transitive requirements say: the identity for the
/// NO_KDF suites; HKDF with a zero salt and info = suite id ‖ message id for the other format 1
/// suites; HKDF-SHA512 with salt = message id, info = suite id ‖ `DERIVEKEY` for the key and
/// `COMMITKEY` for the commitment for the committing suites.
///
/// # Errors
/// [`EsdkError::DataKeyLength`] for a data key of the wrong length.
///
/// # Examples
/// ```
/// use paycrypt::esdk::{derive_keys, DataKey, Suite};
///
/// let keys = derive_keys(Suite::Aes256GcmHkdfSha512CommitKey, &DataKey::new(vec![7; 32]), &[1; 32])?;
/// assert_eq!(keys.encryption_key().len(), 32);
/// assert!(keys.commitment().is_some());
/// # Ok::<(), paycrypt::esdk::EsdkError>(())
/// ```
pub fn derive_keys(suite: Suite, data_key: &DataKey, message_id: &[u8]) -> Result<DerivedKeys, EsdkError> {
    let ikm = data_key.as_bytes();
    if ikm.len() != suite.data_key_len() {
        return Err(EsdkError::DataKeyLength { got: ikm.len(), expected: suite.data_key_len() });
    }
    let mut key = Zeroizing::new(vec![0u8; suite.encryption_key_len()]);
    let id = suite.id().to_be_bytes();
    let info: Vec<u8> = match suite.kdf() {
        Kdf::HkdfSha512Commit => [&id[..], b"DERIVEKEY"].concat(),
        _ => [&id[..], message_id].concat(),
    };
    // The output lengths (16 to 32 bytes) are far below HKDF's limit (255 hash lengths): the
    // expansions cannot fail, and would fail loudly as a key-length error if they did.
    let length = || EsdkError::DataKeyLength { got: ikm.len(), expected: suite.data_key_len() };
    let mut commitment = None;
    match suite.kdf() {
        Kdf::Identity => key.copy_from_slice(ikm),
        Kdf::HkdfSha256 => Hkdf::<Sha256>::new(None, ikm).expand(&info, &mut key).map_err(|_| length())?,
        Kdf::HkdfSha384 => Hkdf::<Sha384>::new(None, ikm).expand(&info, &mut key).map_err(|_| length())?,
        Kdf::HkdfSha512Commit => {
            let hkdf = Hkdf::<Sha512>::new(Some(message_id), ikm);
            hkdf.expand(&info, &mut key).map_err(|_| length())?;
            let mut ck = [0u8; COMMITMENT_LEN];
            hkdf.expand(b"COMMITKEY", &mut ck).map_err(|_| length())?;
            commitment = Some(ck);
        }
    }
    Ok(DerivedKeys { key, commitment })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_round_trip() {
        for s in Suite::ALL {
            assert_eq!(Suite::from_id(s.id()), Some(s));
            assert_eq!(Suite::from_name(s.name()), Some(s));
            assert_eq!(Suite::from_name(&format!("0x{:04x}", s.id())), Some(s));
            assert_eq!(s.message_format_version() == 2, s.is_committing());
        }
        assert_eq!(Suite::DEFAULT.id(), 0x0578);
        assert_eq!(Suite::from_name("0x"), None);
        assert_eq!(Suite::from_name("0x00578"), None);
    }
}
