//! Key stores: where keys and aliases live. [`MemoryStore`] for tests and servers without state,
//! [`FileStore`] for a persistent store on disk (redb, material sealed under a master key).

mod file;
mod file_table;
mod master;
mod memory;
mod table;

use thiserror::Error;

use crate::keys::{
    AliasName, ExchangeParameters, Grant, Key, KeyArn, KmsAlias, KmsAliasName, KmsKey, KmsKeyArn,
    StoredExchange, StoredKey, StoredKmsKey,
};

pub use file::{FileStore, OpenOptions, default_data_dir};
pub use master::MasterKey;
pub use memory::MemoryStore;
pub use table::{Put, Record, RecordTable, SealedName, SealedRecord, SealedTable};

/// An alias as a store holds it: its name and, if it points to one, its key.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AliasEntry {
    /// The alias name.
    pub name: AliasName,
    /// The key it points to, if any.
    pub key_arn: Option<KeyArn>,
}

/// A store's six tables, each written once for every store ([`SealedTable`] for keys and key-exchange
/// parameters, [`RecordTable`] for aliases and grants).
#[derive(Clone, Copy)]
pub struct Tables<'a> {
    /// The payment-cryptography keys, by key ARN.
    pub payment_keys: &'a dyn SealedTable<StoredKey>,
    /// The payment-cryptography aliases, by alias name.
    pub payment_aliases: &'a dyn RecordTable<AliasEntry>,
    /// The KMS keys, by key ARN.
    pub kms_keys: &'a dyn SealedTable<StoredKmsKey>,
    /// The KMS aliases, by alias name.
    pub kms_aliases: &'a dyn RecordTable<KmsAlias>,
    /// The KMS grants, by grant id.
    pub grants: &'a dyn RecordTable<Grant>,
    /// The key-exchange parameters (import and export tokens, the local certificate authority), by
    /// name.
    pub exchange: &'a dyn SealedTable<StoredExchange>,
}

/// Where keys and aliases are kept: its [`Tables`], and shorthand methods on them that the services
/// call. Each method is one atomic step: after a crash a key or alias change is either wholly there or
/// not at all.
pub trait KeyStore: Send + Sync {
    /// The store's tables.
    fn tables(&self) -> Tables<'_>;

    /// Removes every payment key, alias, KMS key, KMS alias, grant and key-exchange record, in one
    /// atomic step.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure (then nothing is removed).
    fn clear(&self) -> Result<(), StoreError>;

    /// The key with this ARN, with its material: [`SealedTable::get`] on the payment keys.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure or a record that does not decrypt.
    fn get_key(&self, arn: &KeyArn) -> Result<Option<StoredKey>, StoreError> {
        self.tables().payment_keys.get(arn)
    }

    /// The metadata of the key with this ARN: [`SealedTable::metadata`] on the payment keys.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn get_key_metadata(&self, arn: &KeyArn) -> Result<Option<Key>, StoreError> {
        self.tables().payment_keys.metadata(arn)
    }

    /// Adds a key: [`SealedTable::insert`] on the payment keys.
    ///
    /// # Errors
    /// [`StoreError::Exists`] when a key with this ARN is already stored; [`StoreError`] on a storage
    /// failure.
    fn insert_key(&self, key: &StoredKey) -> Result<(), StoreError> {
        self.tables().payment_keys.insert(std::slice::from_ref(key))
    }

    /// Adds several keys at once, all or none: [`SealedTable::insert`] on the payment keys.
    ///
    /// # Errors
    /// [`StoreError::Exists`] when any of them is already stored; [`StoreError`] on a storage failure.
    fn insert_keys(&self, keys: &[StoredKey]) -> Result<(), StoreError> {
        self.tables().payment_keys.insert(keys)
    }

    /// Replaces the metadata of a stored key, keeping its material: [`SealedTable::update`] on the
    /// payment keys.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no key has this ARN; [`StoreError`] on a storage failure.
    fn update_key(&self, key: &Key) -> Result<(), StoreError> {
        self.tables().payment_keys.update(key)
    }

    /// Up to `limit` keys, by ARN, starting after `after`: [`SealedTable::list`] on the payment keys.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn list_keys(&self, after: Option<&KeyArn>, limit: usize) -> Result<Vec<Key>, StoreError> {
        self.tables().payment_keys.list(after, limit)
    }

    /// The alias with this name: [`RecordTable::get`] on the payment aliases.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn get_alias(&self, name: &AliasName) -> Result<Option<AliasEntry>, StoreError> {
        self.tables().payment_aliases.get(name)
    }

    /// Creates (`create = true`, failing if it exists) or replaces (`create = false`, failing if it does
    /// not exist) an alias: [`RecordTable::put`] on the payment aliases.
    ///
    /// # Errors
    /// [`StoreError::Exists`] or [`StoreError::NotFound`] as above; [`StoreError`] on a storage failure.
    fn put_alias(&self, alias: &AliasEntry, create: bool) -> Result<(), StoreError> {
        self.tables().payment_aliases.put(alias, Put::create_if(create))
    }

    /// Removes an alias: [`RecordTable::delete`] on the payment aliases.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such alias; [`StoreError`] on a storage failure.
    fn delete_alias(&self, name: &AliasName) -> Result<(), StoreError> {
        self.tables().payment_aliases.delete(name)
    }

    /// Up to `limit` aliases, by name, starting after `after`: [`RecordTable::list`] on the payment
    /// aliases.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn list_aliases(&self, after: Option<&AliasName>, limit: usize) -> Result<Vec<AliasEntry>, StoreError> {
        self.tables().payment_aliases.list(after, limit)
    }

    /// The KMS key with this ARN, with its material: [`SealedTable::get`] on the KMS keys.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure or a record that does not decrypt.
    fn get_kms_key(&self, arn: &KmsKeyArn) -> Result<Option<StoredKmsKey>, StoreError> {
        self.tables().kms_keys.get(arn)
    }

    /// The metadata of the KMS key with this ARN: [`SealedTable::metadata`] on the KMS keys.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn get_kms_key_metadata(&self, arn: &KmsKeyArn) -> Result<Option<KmsKey>, StoreError> {
        self.tables().kms_keys.metadata(arn)
    }

    /// Adds KMS keys, all or none: [`SealedTable::insert`] on the KMS keys.
    ///
    /// # Errors
    /// [`StoreError::Exists`] when any of them is already stored; [`StoreError`] on a storage failure.
    fn insert_kms_keys(&self, keys: &[StoredKmsKey]) -> Result<(), StoreError> {
        self.tables().kms_keys.insert(keys)
    }

    /// Replaces the metadata of a stored KMS key, keeping its material: [`SealedTable::update`] on the
    /// KMS keys.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no KMS key has this ARN; [`StoreError`] on a storage failure.
    fn update_kms_key(&self, key: &KmsKey) -> Result<(), StoreError> {
        self.tables().kms_keys.update(key)
    }

    /// Up to `limit` KMS keys, by ARN, starting after `after`: [`SealedTable::list`] on the KMS keys.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn list_kms_keys(&self, after: Option<&KmsKeyArn>, limit: usize) -> Result<Vec<KmsKey>, StoreError> {
        self.tables().kms_keys.list(after, limit)
    }

    /// The KMS alias with this name: [`RecordTable::get`] on the KMS aliases.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn get_kms_alias(&self, name: &KmsAliasName) -> Result<Option<KmsAlias>, StoreError> {
        self.tables().kms_aliases.get(name)
    }

    /// Creates (`create = true`, failing if it exists) or replaces (`create = false`, failing if it does
    /// not exist) a KMS alias: [`RecordTable::put`] on the KMS aliases.
    ///
    /// # Errors
    /// [`StoreError::Exists`] or [`StoreError::NotFound`] as above; [`StoreError`] on a storage failure.
    fn put_kms_alias(&self, alias: &KmsAlias, create: bool) -> Result<(), StoreError> {
        self.tables().kms_aliases.put(alias, Put::create_if(create))
    }

    /// Removes a KMS alias: [`RecordTable::delete`] on the KMS aliases.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such alias; [`StoreError`] on a storage failure.
    fn delete_kms_alias(&self, name: &KmsAliasName) -> Result<(), StoreError> {
        self.tables().kms_aliases.delete(name)
    }

    /// Up to `limit` KMS aliases, by name, starting after `after`: [`RecordTable::list`] on the KMS
    /// aliases.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn list_kms_aliases(
        &self,
        after: Option<&KmsAliasName>,
        limit: usize,
    ) -> Result<Vec<KmsAlias>, StoreError> {
        self.tables().kms_aliases.list(after, limit)
    }

    /// The grant with this id: [`RecordTable::get`] on the grants.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn get_grant(&self, grant_id: &str) -> Result<Option<Grant>, StoreError> {
        self.tables().grants.get(&grant_id.to_owned())
    }

    /// Adds a grant: [`RecordTable::put`] ([`Put::Create`]) on the grants.
    ///
    /// # Errors
    /// [`StoreError::Exists`] when a grant with this id exists; [`StoreError`] on a storage failure.
    fn insert_grant(&self, grant: &Grant) -> Result<(), StoreError> {
        self.tables().grants.put(grant, Put::Create)
    }

    /// Removes a grant: [`RecordTable::delete`] on the grants.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such grant; [`StoreError`] on a storage failure.
    fn delete_grant(&self, grant_id: &str) -> Result<(), StoreError> {
        self.tables().grants.delete(&grant_id.to_owned())
    }

    /// Every grant on the KMS key with this ARN, by grant id.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn list_grants(&self, key: &KmsKeyArn) -> Result<Vec<Grant>, StoreError> {
        let mut grants = self.tables().grants.list(None, usize::MAX)?;
        grants.retain(|g| &g.key_id == key);
        Ok(grants)
    }

    /// The key-exchange record named `name`, with its private key.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure or a record that does not decrypt.
    fn get_exchange(&self, name: &str) -> Result<Option<StoredExchange>, StoreError> {
        self.tables().exchange.get(&name.to_owned())
    }

    /// Adds a key-exchange record.
    ///
    /// # Errors
    /// [`StoreError::Exists`] when one of that name is stored; [`StoreError`] on a storage failure.
    fn insert_exchange(&self, record: &StoredExchange) -> Result<(), StoreError> {
        self.tables().exchange.insert(std::slice::from_ref(record))
    }

    /// The metadata of every key-exchange record, by name.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn list_exchange(&self) -> Result<Vec<ExchangeParameters>, StoreError> {
        self.tables().exchange.list(None, usize::MAX)
    }
}

/// A shared store is a store: the server hands one to several services.
impl<T: KeyStore + ?Sized> KeyStore for std::sync::Arc<T> {
    fn tables(&self) -> Tables<'_> {
        (**self).tables()
    }
    fn clear(&self) -> Result<(), StoreError> {
        (**self).clear()
    }
}

/// A store's own tables, of its own types, as one value: the store lends them out as [`Tables`].
#[derive(Debug, Default)]
struct TableSet<PaymentKeys, PaymentAliases, KmsKeys, KmsAliases, Grants, Exchange> {
    payment_keys: PaymentKeys,
    payment_aliases: PaymentAliases,
    kms_keys: KmsKeys,
    kms_aliases: KmsAliases,
    grants: Grants,
    exchange: Exchange,
}

impl<PK, PA, KK, KA, G, X> TableSet<PK, PA, KK, KA, G, X>
where
    PK: SealedTable<StoredKey>,
    PA: RecordTable<AliasEntry>,
    KK: SealedTable<StoredKmsKey>,
    KA: RecordTable<KmsAlias>,
    G: RecordTable<Grant>,
    X: SealedTable<StoredExchange>,
{
    fn tables(&self) -> Tables<'_> {
        Tables {
            payment_keys: &self.payment_keys,
            payment_aliases: &self.payment_aliases,
            kms_keys: &self.kms_keys,
            kms_aliases: &self.kms_aliases,
            grants: &self.grants,
            exchange: &self.exchange,
        }
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
    /// A stored record's MAC does not match it: it was changed, swapped or planted outside paycrypt
    /// (someone wrote the database file without the master key). The record is not used.
    #[error(
        "The stored record for {0} fails its integrity check: it was changed outside paycrypt, so it is not used."
    )]
    Tampered(String),
    /// The database or file system failed.
    #[error("Key store failure: {0}")]
    Backend(String),
}
