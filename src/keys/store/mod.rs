//! Key stores: where keys and aliases live. [`MemoryStore`] for tests and servers without state,
//! [`FileStore`] for a persistent store on disk (redb, material sealed under a master key).

mod file;
mod master;
mod memory;

use thiserror::Error;

use crate::keys::{
    AliasName, Grant, Key, KeyArn, KmsAlias, KmsAliasName, KmsKey, KmsKeyArn, StoredKey, StoredKmsKey,
};

pub use file::{FileStore, OpenOptions, default_data_dir};
pub use master::MasterKey;
pub use memory::MemoryStore;

/// An alias as a store holds it: its name and, if it points to one, its key.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AliasEntry {
    /// The alias name.
    pub name: AliasName,
    /// The key it points to, if any.
    pub key_arn: Option<KeyArn>,
}

/// Where keys and aliases are kept. Each method is one atomic step: after a crash a key or alias
/// change is either wholly there or not at all.
pub trait KeyStore: Send + Sync {
    /// The key with this ARN, with its material.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure or a record that does not decrypt.
    fn get_key(&self, arn: &KeyArn) -> Result<Option<StoredKey>, StoreError>;

    /// The metadata of the key with this ARN (no material is decrypted).
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn get_key_metadata(&self, arn: &KeyArn) -> Result<Option<Key>, StoreError>;

    /// Adds a key.
    ///
    /// # Errors
    /// [`StoreError::Exists`] when a key with this ARN is already stored; [`StoreError`] on a storage
    /// failure.
    fn insert_key(&self, key: &StoredKey) -> Result<(), StoreError>;

    /// Adds several keys at once: all of them or, on any error, none.
    ///
    /// # Errors
    /// [`StoreError::Exists`] when any of them is already stored; [`StoreError`] on a storage failure.
    fn insert_keys(&self, keys: &[StoredKey]) -> Result<(), StoreError>;

    /// Replaces the metadata of a stored key, keeping its material.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no key has this ARN; [`StoreError`] on a storage failure.
    fn update_key(&self, key: &Key) -> Result<(), StoreError>;

    /// Up to `limit` keys, by ARN, starting after `after`.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn list_keys(&self, after: Option<&KeyArn>, limit: usize) -> Result<Vec<Key>, StoreError>;

    /// The alias with this name.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn get_alias(&self, name: &AliasName) -> Result<Option<AliasEntry>, StoreError>;

    /// Creates (`create = true`, failing if it exists) or replaces (`create = false`, failing if it does
    /// not exist) an alias.
    ///
    /// # Errors
    /// [`StoreError::Exists`] or [`StoreError::NotFound`] as above; [`StoreError`] on a storage failure.
    fn put_alias(&self, alias: &AliasEntry, create: bool) -> Result<(), StoreError>;

    /// Removes an alias.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such alias; [`StoreError`] on a storage failure.
    fn delete_alias(&self, name: &AliasName) -> Result<(), StoreError>;

    /// Up to `limit` aliases, by name, starting after `after`.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn list_aliases(&self, after: Option<&AliasName>, limit: usize) -> Result<Vec<AliasEntry>, StoreError>;

    /// The KMS key with this ARN, with its material.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure or a record that does not decrypt.
    fn get_kms_key(&self, arn: &KmsKeyArn) -> Result<Option<StoredKmsKey>, StoreError>;

    /// The metadata of the KMS key with this ARN (no material is decrypted).
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn get_kms_key_metadata(&self, arn: &KmsKeyArn) -> Result<Option<KmsKey>, StoreError>;

    /// Adds KMS keys: all of them or, on any error, none.
    ///
    /// # Errors
    /// [`StoreError::Exists`] when any of them is already stored; [`StoreError`] on a storage failure.
    fn insert_kms_keys(&self, keys: &[StoredKmsKey]) -> Result<(), StoreError>;

    /// Replaces the metadata of a stored KMS key, keeping its material.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no KMS key has this ARN; [`StoreError`] on a storage failure.
    fn update_kms_key(&self, key: &KmsKey) -> Result<(), StoreError>;

    /// Up to `limit` KMS keys, by ARN, starting after `after`.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn list_kms_keys(&self, after: Option<&KmsKeyArn>, limit: usize) -> Result<Vec<KmsKey>, StoreError>;

    /// The KMS alias with this name.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn get_kms_alias(&self, name: &KmsAliasName) -> Result<Option<KmsAlias>, StoreError>;

    /// Creates (`create = true`, failing if it exists) or replaces (`create = false`, failing if it does
    /// not exist) a KMS alias.
    ///
    /// # Errors
    /// [`StoreError::Exists`] or [`StoreError::NotFound`] as above; [`StoreError`] on a storage failure.
    fn put_kms_alias(&self, alias: &KmsAlias, create: bool) -> Result<(), StoreError>;

    /// Removes a KMS alias.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such alias; [`StoreError`] on a storage failure.
    fn delete_kms_alias(&self, name: &KmsAliasName) -> Result<(), StoreError>;

    /// Up to `limit` KMS aliases, by name, starting after `after`.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn list_kms_aliases(
        &self,
        after: Option<&KmsAliasName>,
        limit: usize,
    ) -> Result<Vec<KmsAlias>, StoreError>;

    /// The grant with this id.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn get_grant(&self, grant_id: &str) -> Result<Option<Grant>, StoreError>;

    /// Adds a grant.
    ///
    /// # Errors
    /// [`StoreError::Exists`] when a grant with this id exists; [`StoreError`] on a storage failure.
    fn insert_grant(&self, grant: &Grant) -> Result<(), StoreError>;

    /// Removes a grant.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such grant; [`StoreError`] on a storage failure.
    fn delete_grant(&self, grant_id: &str) -> Result<(), StoreError>;

    /// Every grant on the KMS key with this ARN, by grant id.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn list_grants(&self, key: &KmsKeyArn) -> Result<Vec<Grant>, StoreError>;

    /// Removes every payment key, alias, KMS key, KMS alias and grant, in one atomic step.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure (then nothing is removed).
    fn clear(&self) -> Result<(), StoreError>;
}

/// A shared store is a store: the server hands one to several services.
impl<T: KeyStore + ?Sized> KeyStore for std::sync::Arc<T> {
    fn get_key(&self, arn: &KeyArn) -> Result<Option<StoredKey>, StoreError> {
        (**self).get_key(arn)
    }
    fn get_key_metadata(&self, arn: &KeyArn) -> Result<Option<Key>, StoreError> {
        (**self).get_key_metadata(arn)
    }
    fn insert_key(&self, key: &StoredKey) -> Result<(), StoreError> {
        (**self).insert_key(key)
    }
    fn insert_keys(&self, keys: &[StoredKey]) -> Result<(), StoreError> {
        (**self).insert_keys(keys)
    }
    fn update_key(&self, key: &Key) -> Result<(), StoreError> {
        (**self).update_key(key)
    }
    fn list_keys(&self, after: Option<&KeyArn>, limit: usize) -> Result<Vec<Key>, StoreError> {
        (**self).list_keys(after, limit)
    }
    fn get_alias(&self, name: &AliasName) -> Result<Option<AliasEntry>, StoreError> {
        (**self).get_alias(name)
    }
    fn put_alias(&self, alias: &AliasEntry, create: bool) -> Result<(), StoreError> {
        (**self).put_alias(alias, create)
    }
    fn delete_alias(&self, name: &AliasName) -> Result<(), StoreError> {
        (**self).delete_alias(name)
    }
    fn list_aliases(&self, after: Option<&AliasName>, limit: usize) -> Result<Vec<AliasEntry>, StoreError> {
        (**self).list_aliases(after, limit)
    }
    fn get_kms_key(&self, arn: &KmsKeyArn) -> Result<Option<StoredKmsKey>, StoreError> {
        (**self).get_kms_key(arn)
    }
    fn get_kms_key_metadata(&self, arn: &KmsKeyArn) -> Result<Option<KmsKey>, StoreError> {
        (**self).get_kms_key_metadata(arn)
    }
    fn insert_kms_keys(&self, keys: &[StoredKmsKey]) -> Result<(), StoreError> {
        (**self).insert_kms_keys(keys)
    }
    fn update_kms_key(&self, key: &KmsKey) -> Result<(), StoreError> {
        (**self).update_kms_key(key)
    }
    fn list_kms_keys(&self, after: Option<&KmsKeyArn>, limit: usize) -> Result<Vec<KmsKey>, StoreError> {
        (**self).list_kms_keys(after, limit)
    }
    fn get_kms_alias(&self, name: &KmsAliasName) -> Result<Option<KmsAlias>, StoreError> {
        (**self).get_kms_alias(name)
    }
    fn put_kms_alias(&self, alias: &KmsAlias, create: bool) -> Result<(), StoreError> {
        (**self).put_kms_alias(alias, create)
    }
    fn delete_kms_alias(&self, name: &KmsAliasName) -> Result<(), StoreError> {
        (**self).delete_kms_alias(name)
    }
    fn list_kms_aliases(
        &self,
        after: Option<&KmsAliasName>,
        limit: usize,
    ) -> Result<Vec<KmsAlias>, StoreError> {
        (**self).list_kms_aliases(after, limit)
    }
    fn get_grant(&self, grant_id: &str) -> Result<Option<Grant>, StoreError> {
        (**self).get_grant(grant_id)
    }
    fn insert_grant(&self, grant: &Grant) -> Result<(), StoreError> {
        (**self).insert_grant(grant)
    }
    fn delete_grant(&self, grant_id: &str) -> Result<(), StoreError> {
        (**self).delete_grant(grant_id)
    }
    fn list_grants(&self, key: &KmsKeyArn) -> Result<Vec<Grant>, StoreError> {
        (**self).list_grants(key)
    }
    fn clear(&self) -> Result<(), StoreError> {
        (**self).clear()
    }
}

/// A key store failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A key or alias with this name is already stored.
    #[error("{0} already exists.")]
    Exists(String),
    /// No key or alias with this name is stored.
    #[error("{0} does not exist.")]
    NotFound(String),
    /// Another process holds the store open.
    #[error("The key store {path} is in use by {holder}.")]
    Locked {
        /// The database file.
        path: String,
        /// Who holds it, e.g. `process 1234`, as far as known.
        holder: String,
    },
    /// The master key could not be read or created, or is not usable.
    #[error("Master key: {0}")]
    MasterKey(String),
    /// A stored record did not decrypt or parse: tampering, or the wrong master key.
    #[error("The stored record for {0} is corrupt or was sealed under another master key.")]
    Corrupt(String),
    /// The database or file system failed.
    #[error("Key store failure: {0}")]
    Backend(String),
}
