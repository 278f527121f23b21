//! [`DataSession`]: many data-plane calls on one thread, each key identifier resolved once and a DUKPT
//! derivation cache kept per BDK. The batch layer runs one per worker.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::keys::{KeyStore, StoredKey};
use crate::primitives::dukpt::{Deriver, Error as DukptError, Ksn, Usage};
use crate::primitives::{Algorithm, SymmetricKey};
use crate::service::data::{
    DecryptDataInput, DecryptDataOutput, EncryptDataInput, EncryptDataOutput, KeySource, ReEncryptDataInput,
    ReEncryptDataOutput,
};
use crate::service::{PaymentCryptography, ServiceError};

/// Terminals a session's DUKPT cache keeps per BDK (an AES entry is up to about 8 KiB).
const DUKPT_TERMINALS: usize = 1024;

/// EncryptData, DecryptData and ReEncryptData for many requests: the same operations, validation,
/// key separation and errors as [`PaymentCryptography::encrypt_data`] and its siblings, but each key
/// identifier is resolved (and checked enabled and not deleted) the first time it is used and then
/// kept for the session's life, and DUKPT data keys come from a [`Deriver`] per BDK, so records of one
/// terminal share its initial key and walk. A key disabled or deleted after its first use stays usable
/// to the session: open one per job, not per process.
///
/// # Examples
/// ```
/// use paycrypt::keys::MemoryStore;
/// use paycrypt::service::{EncryptDataInput, ImportKeyInput, PaymentCryptography, Settings};
///
/// let service = PaymentCryptography::new(MemoryStore::new(), Settings::default());
/// let import: ImportKeyInput = serde_json::from_str(r#"{"KeyMaterial":{"ClearKey":{
///     "KeyAttributes":{"KeyAlgorithm":"AES_128","KeyClass":"SYMMETRIC_KEY",
///         "KeyUsage":"TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY","KeyModesOfUse":{"NoRestrictions":true}},
///     "KeyMaterial":"2B7E151628AED2A6ABF7158809CF4F3C"}}}"#)?;
/// let arn = service.import_key(import)?.key.key_arn;
/// let mut session = service.session();
/// for plain in ["6BC1BEE22E409F96E93D7E117393172A", "AE2D8A571E03AC9C9EB76FAC45AF8E51"] {
///     let input = EncryptDataInput::symmetric(arn.as_str(), plain, paycrypt::Mode::Ecb, None);
///     assert_eq!(session.encrypt_data(&input)?, service.encrypt_data(input.clone())?);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct DataSession<'a, S> {
    service: &'a PaymentCryptography<S>,
    cache: SessionCache,
}

/// What a session keeps: resolved keys by identifier, derivers by BDK ARN. A job names few keys, so
/// the first few of each are looked up by a linear scan (cheaper than hashing an ARN), the rest in a map.
#[derive(Default)]
struct SessionCache {
    keys: Small<Arc<StoredKey>>,
    derivers: Small<Deriver>,
}

/// Entries by name: the first [`SMALL`] in a vector, the rest in a map.
struct Small<V> {
    few: Vec<(String, V)>,
    many: HashMap<String, V>,
}

/// How many entries [`Small`] scans linearly.
const SMALL: usize = 8;

impl<V> Default for Small<V> {
    fn default() -> Self {
        Small { few: Vec::new(), many: HashMap::new() }
    }
}

impl<V> Small<V> {
    fn len(&self) -> usize {
        self.few.len() + self.many.len()
    }

    fn get_mut(&mut self, name: &str) -> Option<&mut V> {
        match self.few.iter().position(|(n, _)| n == name) {
            Some(i) => self.few.get_mut(i).map(|(_, v)| v),
            None => self.many.get_mut(name),
        }
    }

    fn insert(&mut self, name: &str, value: V) -> &mut V {
        if self.few.len() < SMALL {
            self.few.push((name.to_owned(), value));
            let last = self.few.len() - 1;
            &mut self.few[last].1
        } else {
            self.many.entry(name.to_owned()).or_insert(value)
        }
    }
}

impl<'a, S: KeyStore> DataSession<'a, S> {
    /// A session over `service`'s store.
    pub fn new(service: &'a PaymentCryptography<S>) -> Self {
        DataSession { service, cache: SessionCache::default() }
    }

    /// EncryptData: as [`PaymentCryptography::encrypt_data`].
    ///
    /// # Errors
    /// As [`PaymentCryptography::encrypt_data`].
    pub fn encrypt_data(&mut self, input: &EncryptDataInput) -> Result<EncryptDataOutput, ServiceError> {
        super::encrypt_data(&mut self.source(), input)
    }

    /// DecryptData: as [`PaymentCryptography::decrypt_data`].
    ///
    /// # Errors
    /// As [`PaymentCryptography::decrypt_data`].
    pub fn decrypt_data(&mut self, input: &DecryptDataInput) -> Result<DecryptDataOutput, ServiceError> {
        super::decrypt_data(&mut self.source(), input)
    }

    /// ReEncryptData: as [`PaymentCryptography::re_encrypt_data`].
    ///
    /// # Errors
    /// As [`PaymentCryptography::re_encrypt_data`].
    pub fn re_encrypt_data(
        &mut self,
        input: &ReEncryptDataInput,
    ) -> Result<ReEncryptDataOutput, ServiceError> {
        super::re_encrypt_data(&mut self.source(), input)
    }

    fn source(&mut self) -> Source<'_, S> {
        Source { service: self.service, cache: &mut self.cache }
    }
}

impl<S> fmt::Debug for DataSession<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataSession")
            .field("keys", &self.cache.keys.len())
            .field("derivers", &self.cache.derivers.len())
            .finish_non_exhaustive()
    }
}

/// The session's [`KeySource`]: the cache in front of the service.
struct Source<'s, S> {
    service: &'s PaymentCryptography<S>,
    cache: &'s mut SessionCache,
}

impl<S: KeyStore> KeySource for Source<'_, S> {
    fn key(&mut self, path: &str, identifier: &str) -> Result<Arc<StoredKey>, ServiceError> {
        if let Some(key) = self.cache.keys.get_mut(identifier) {
            return Ok(Arc::clone(key));
        }
        // Failures are not kept: an unknown key costs a lookup each time, and its error is the same.
        let key = Arc::new(self.service.usable_key(path, identifier)?);
        Ok(Arc::clone(self.cache.keys.insert(identifier, key)))
    }

    fn dukpt_key(
        &mut self,
        bdk: &StoredKey,
        material: &SymmetricKey,
        ksn: &Ksn,
        usage: Usage,
        key_type: Option<Algorithm>,
    ) -> Result<SymmetricKey, DukptError> {
        let arn = bdk.key.key_arn.as_str();
        if let Some(deriver) = self.cache.derivers.get_mut(arn) {
            return deriver.derive(ksn, usage, key_type);
        }
        self.cache.derivers.insert(arn, Deriver::new(material, DUKPT_TERMINALS)).derive(ksn, usage, key_type)
    }
}
