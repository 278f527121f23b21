//! Keyrings: what wraps a message's data key for each recipient and unwraps it again. A message
//! carries one encrypted data key (EDK) per wrapping key; decryption needs any one of them.

mod kms;
mod raw_aes;

use std::fmt;

use zeroize::Zeroizing;

use crate::esdk::{EncryptionContext, EsdkError, Suite};

pub use kms::{KMS_PROVIDER_ID, KmsCiphertext, KmsClient, KmsDataKey, KmsKeyring, is_key_arn};
pub use raw_aes::RawAesKeyring;

/// A plaintext data key. Zeroized on drop, never printed.
#[derive(Clone, Eq, PartialEq)]
pub struct DataKey(Zeroizing<Vec<u8>>);

impl DataKey {
    /// Wraps `bytes` (taking ownership, so no copy is left behind).
    pub fn new(bytes: Vec<u8>) -> Self {
        DataKey(Zeroizing::new(bytes))
    }

    /// `len` bytes from the operating system's random number generator.
    ///
    /// # Errors
    /// [`EsdkError::Random`] when the generator fails.
    pub fn random(len: usize) -> Result<Self, EsdkError> {
        let mut bytes = Zeroizing::new(vec![0u8; len]);
        getrandom::fill(&mut bytes).map_err(|e| EsdkError::Random(e.to_string()))?;
        Ok(DataKey(bytes))
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The key's length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the key is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataKey({} bytes)", self.0.len())
    }
}

/// One encrypted data key of a message header: who can unwrap it (provider id and information)
/// and the wrapped key.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct EncryptedDataKey {
    /// The key provider: `aws-kms`, or a raw keyring's namespace.
    pub provider_id: String,
    /// The provider's information: a KMS key ARN, or a raw AES keyring's key name, tag length, IV
    /// length and IV.
    pub provider_info: Vec<u8>,
    /// The wrapped data key.
    pub ciphertext: Vec<u8>,
}

/// Wraps and unwraps data keys. Object safe: the operations take `&dyn Keyring`.
pub trait Keyring {
    /// Wraps a data key for a `suite` message with encryption context `context` (the full one,
    /// including `aws-crypto-public-key` for signing suites). With `data_key` `None` this keyring
    /// generates the data key (through its first wrapping key) and returns it; with `Some` (another
    /// keyring generated it) it only wraps it. Returns the data key and one EDK per wrapping key.
    ///
    /// # Errors
    /// Whatever the wrapping fails with, e.g. [`EsdkError::Kms`].
    fn wrap(
        &self,
        suite: Suite,
        context: &EncryptionContext,
        data_key: Option<&DataKey>,
    ) -> Result<(DataKey, Vec<EncryptedDataKey>), EsdkError>;

    /// Tries to unwrap one of `edks` of a `suite` message with encryption context `context`.
    /// `Ok(None)` when none is for this keyring.
    ///
    /// # Errors
    /// [`EsdkError::NoKeyringUnwrapped`] listing each failed attempt when some EDKs were for this
    /// keyring but none unwrapped.
    fn unwrap(
        &self,
        suite: Suite,
        context: &EncryptionContext,
        edks: &[EncryptedDataKey],
    ) -> Result<Option<DataKey>, EsdkError>;
}

/// Several keyrings as one: on encryption the first generates the data key and every one wraps
/// it; on decryption each is tried in turn until one unwraps an EDK.
///
/// # Examples
/// ```
/// use paycrypt::esdk::{self, DecryptOptions, EncryptOptions, MultiKeyring, RawAesKeyring};
///
/// let a = RawAesKeyring::new("ns", "a", &[1; 32])?;
/// let b = RawAesKeyring::new("ns", "b", &[2; 16])?;
/// let both = MultiKeyring(vec![&a, &b]);
/// let message = esdk::encrypt(b"hi", &both, &EncryptOptions::default())?;
/// let plain = esdk::decrypt(&message, &b, &DecryptOptions::default())?;
/// assert_eq!(&plain.plaintext[..], b"hi");
/// assert_eq!(plain.info.encrypted_data_keys.len(), 2);
/// # Ok::<(), paycrypt::esdk::EsdkError>(())
/// ```
pub struct MultiKeyring<'a>(pub Vec<&'a dyn Keyring>);

impl Keyring for MultiKeyring<'_> {
    fn wrap(
        &self,
        suite: Suite,
        context: &EncryptionContext,
        data_key: Option<&DataKey>,
    ) -> Result<(DataKey, Vec<EncryptedDataKey>), EsdkError> {
        let mut keyrings = self.0.iter();
        let (key, mut edks) = match (data_key, keyrings.next()) {
            (_, None) => return Err(EsdkError::Keyring("a multi-keyring with no keyrings".to_owned())),
            (given, Some(first)) => first.wrap(suite, context, given)?,
        };
        for keyring in keyrings {
            let (_, more) = keyring.wrap(suite, context, Some(&key))?;
            edks.extend(more);
        }
        Ok((key, edks))
    }

    fn unwrap(
        &self,
        suite: Suite,
        context: &EncryptionContext,
        edks: &[EncryptedDataKey],
    ) -> Result<Option<DataKey>, EsdkError> {
        let mut errors = Vec::new();
        for keyring in &self.0 {
            match keyring.unwrap(suite, context, edks) {
                Ok(Some(key)) => return Ok(Some(key)),
                Ok(None) => {}
                Err(EsdkError::NoKeyringUnwrapped { errors: more }) => errors.extend(more),
                Err(e) => errors.push(e.to_string()),
            }
        }
        if errors.is_empty() { Ok(None) } else { Err(EsdkError::NoKeyringUnwrapped { errors }) }
    }
}

impl fmt::Debug for MultiKeyring<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MultiKeyring({} keyrings)", self.0.len())
    }
}
