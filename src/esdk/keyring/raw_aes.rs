//! The raw AES keyring: data keys wrapped with AES-GCM under a local key, the encryption context as
//! additional data. Provider id = the key namespace; provider information = key name ‖ tag length
//! in bits (u32, 128) ‖ IV length (u32, 12) ‖ IV; EDK ciphertext = GCM ciphertext ‖ tag.

use std::fmt;

use zeroize::Zeroizing;

use crate::esdk::context::serialize_context;
use crate::esdk::keyring::{DataKey, EncryptedDataKey, Keyring};
use crate::esdk::{EncryptionContext, EsdkError, Suite};
use crate::primitives::jwe::gcm;

/// The tag length the keyring writes and accepts, in bits.
const TAG_BITS: u32 = 128;

/// A keyring over one AES key (16, 24 or 32 bytes) named by a namespace and a name, compatible with
/// the SDKs' raw AES keyring (and the Python SDK's `RawMasterKey` with `AES_*_GCM_IV12_TAG16`).
///
/// # Examples
/// ```
/// use paycrypt::esdk::{self, DecryptOptions, EncryptOptions, RawAesKeyring};
///
/// let keyring = RawAesKeyring::new("my-namespace", "my-key", &[0x2a; 32])?;
/// let message = esdk::encrypt(b"secret", &keyring, &EncryptOptions::default())?;
/// assert_eq!(&esdk::decrypt(&message, &keyring, &DecryptOptions::default())?.plaintext[..], b"secret");
/// assert!(RawAesKeyring::new("ns", "k", &[0; 20]).is_err());
/// # Ok::<(), paycrypt::esdk::EsdkError>(())
/// ```
pub struct RawAesKeyring {
    namespace: String,
    name: String,
    key: Zeroizing<Vec<u8>>,
}

impl RawAesKeyring {
    /// The keyring of wrapping key `key` named `name` in `namespace`.
    ///
    /// # Errors
    /// [`EsdkError::InvalidKey`] unless `key` is 16, 24 or 32 bytes; [`EsdkError::Keyring`] for a
    /// namespace starting with `aws-kms` (reserved for KMS) or a namespace or name longer than
    /// 65535 bytes.
    pub fn new(namespace: &str, name: &str, key: &[u8]) -> Result<Self, EsdkError> {
        if ![16, 24, 32].contains(&key.len()) {
            return Err(EsdkError::InvalidKey);
        }
        if namespace.starts_with("aws-kms") {
            return Err(EsdkError::Keyring(format!("the namespace {namespace:?} is reserved for AWS KMS")));
        }
        if namespace.len() > usize::from(u16::MAX) || name.len() > usize::from(u16::MAX) - 8 - gcm::IV_LEN {
            return Err(EsdkError::Keyring("the namespace or key name is too long".to_owned()));
        }
        Ok(RawAesKeyring {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            key: Zeroizing::new(key.to_vec()),
        })
    }

    /// The key namespace (the EDKs' provider id).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The IV of `info` when it is this keyring's provider information, else `None`.
    fn iv_of<'a>(&self, info: &'a [u8]) -> Option<&'a [u8; gcm::IV_LEN]> {
        let rest = info.strip_prefix(self.name.as_bytes())?;
        let (tag_bits, rest) = rest.split_first_chunk::<4>()?;
        let (iv_len, iv) = rest.split_first_chunk::<4>()?;
        if u32::from_be_bytes(*tag_bits) != TAG_BITS || u32::from_be_bytes(*iv_len) != 12 {
            return None;
        }
        iv.try_into().ok()
    }
}

impl Keyring for RawAesKeyring {
    fn wrap(
        &self,
        suite: Suite,
        context: &EncryptionContext,
        data_key: Option<&DataKey>,
    ) -> Result<(DataKey, Vec<EncryptedDataKey>), EsdkError> {
        let data_key = match data_key {
            Some(key) => key.clone(),
            None => DataKey::random(suite.data_key_len())?,
        };
        let aad = serialize_context(context)?;
        let mut iv = [0u8; gcm::IV_LEN];
        getrandom::fill(&mut iv).map_err(|e| EsdkError::Random(e.to_string()))?;
        let (mut ciphertext, tag) =
            gcm::encrypt(&self.key, &iv, &aad, data_key.as_bytes()).map_err(|_| EsdkError::InvalidKey)?;
        ciphertext.extend_from_slice(&tag);
        let mut info = self.name.as_bytes().to_vec();
        info.extend_from_slice(&TAG_BITS.to_be_bytes());
        info.extend_from_slice(&12u32.to_be_bytes());
        info.extend_from_slice(&iv);
        let edk = EncryptedDataKey { provider_id: self.namespace.clone(), provider_info: info, ciphertext };
        Ok((data_key, vec![edk]))
    }

    fn unwrap(
        &self,
        _suite: Suite,
        context: &EncryptionContext,
        edks: &[EncryptedDataKey],
    ) -> Result<Option<DataKey>, EsdkError> {
        let aad = serialize_context(context)?;
        let mut errors = Vec::new();
        for edk in edks.iter().filter(|e| e.provider_id == self.namespace) {
            let Some(iv) = self.iv_of(&edk.provider_info) else { continue };
            let Some((ciphertext, tag)) = edk.ciphertext.split_last_chunk::<{ gcm::TAG_LEN }>() else {
                errors.push(format!(
                    "raw AES key {}/{}: the EDK is shorter than a tag",
                    self.namespace, self.name
                ));
                continue;
            };
            match gcm::decrypt(&self.key, iv, &aad, ciphertext, tag) {
                Ok(mut plain) => return Ok(Some(DataKey::new(std::mem::take(&mut *plain)))),
                Err(_) => errors.push(format!(
                    "raw AES key {}/{}: the EDK does not authenticate (wrong key or encryption context)",
                    self.namespace, self.name
                )),
            }
        }
        if errors.is_empty() { Ok(None) } else { Err(EsdkError::NoKeyringUnwrapped { errors }) }
    }
}

impl fmt::Debug for RawAesKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawAesKeyring")
            .field("namespace", &self.namespace)
            .field("name", &self.name)
            .field("key", &"...")
            .finish()
    }
}
