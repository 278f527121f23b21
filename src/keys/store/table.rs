//! The record kinds a store keeps and the two kinds of table it keeps them in, written once for
//! every record kind:
//! - a [`SealedTable`] holds keys ([`StoredKey`], [`StoredKmsKey`]): metadata in the clear, secret
//!   material that a persistent store seals under its master key, the key's name (its ARN) bound as
//!   additional authenticated data; the metadata can be read, listed and replaced without the
//!   material;
//! - a [`RecordTable`] holds records without secrets ([`AliasEntry`], [`KmsAlias`], [`Grant`]).
//!
//! Every table method is one atomic step, and every listing is in name order.

use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::keys::store::{AliasEntry, StoreError};
use crate::keys::{
    AliasName, ExchangeParameters, Grant, Key, KeyArn, KeyMaterial, KmsAlias, KmsAliasName, KmsKey,
    KmsKeyArn, KmsMaterial, StoredExchange, StoredKey, StoredKmsKey,
};

/// A record a store keeps under a unique name.
pub trait Record: Clone + Send + Sync {
    /// What names a record in its table; tables list records in the order of its text.
    type Name: Clone + Ord + AsRef<str> + Send + Sync;

    /// The record's name.
    fn name(&self) -> &Self::Name;
}

/// A key as a store holds it: metadata (a [`Record`]) and secret material.
pub trait SealedRecord: Clone + Send + Sync {
    /// The metadata, which a store keeps in the clear.
    type Meta: Record + Serialize + DeserializeOwned;

    /// The metadata.
    fn meta(&self) -> &Self::Meta;

    /// Replaces the metadata, keeping the material.
    fn set_meta(&mut self, meta: Self::Meta);

    /// The material as bytes, for sealing.
    fn material(&self) -> Zeroizing<Vec<u8>>;

    /// The record of `meta` and the `material` bytes [`SealedRecord::material`] gave, or `None` when
    /// they are not material of this key's kind.
    fn from_parts(meta: Self::Meta, material: &[u8]) -> Option<Self>;
}

/// The name of a [`SealedRecord`]: its metadata's name (a key ARN).
pub type SealedName<R> = <<R as SealedRecord>::Meta as Record>::Name;

/// A table of keys: metadata in the clear, material sealed at rest.
pub trait SealedTable<R: SealedRecord>: Send + Sync {
    /// The key named `name`, with its material.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure or a record that does not decrypt.
    fn get(&self, name: &SealedName<R>) -> Result<Option<R>, StoreError>;

    /// The metadata of the key named `name` (no material is decrypted).
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn metadata(&self, name: &SealedName<R>) -> Result<Option<R::Meta>, StoreError>;

    /// Adds keys: all of them or, on any error, none.
    ///
    /// # Errors
    /// [`StoreError::Exists`] when any of them is already stored (or given twice); [`StoreError`] on a
    /// storage failure.
    fn insert(&self, records: &[R]) -> Result<(), StoreError>;

    /// Replaces the metadata of a stored key, keeping its material.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no key has this name; [`StoreError`] on a storage failure.
    fn update(&self, meta: &R::Meta) -> Result<(), StoreError>;

    /// The metadata of up to `limit` keys, by name, starting after `after`.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn list(&self, after: Option<&SealedName<R>>, limit: usize) -> Result<Vec<R::Meta>, StoreError>;
}

/// What [`RecordTable::put`] requires of the record it writes.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Put {
    /// A new record: fails with [`StoreError::Exists`] if one of that name is stored.
    Create,
    /// A new version of a stored record: fails with [`StoreError::NotFound`] if none of that name is.
    Replace,
}

impl Put {
    /// `Create` when `create`, else `Replace`.
    pub fn create_if(create: bool) -> Self {
        if create { Put::Create } else { Put::Replace }
    }

    /// The error when a record named `name` does (`exists`) or does not exist, if that breaks the rule.
    pub(crate) fn check(self, exists: bool, name: &str) -> Result<(), StoreError> {
        match (self, exists) {
            (Put::Create, true) => Err(StoreError::Exists(name.to_owned())),
            (Put::Replace, false) => Err(StoreError::NotFound(name.to_owned())),
            _ => Ok(()),
        }
    }
}

/// A table of records without secrets (aliases, grants).
pub trait RecordTable<T: Record>: Send + Sync {
    /// The record named `name`.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn get(&self, name: &T::Name) -> Result<Option<T>, StoreError>;

    /// Writes `record`, as `put` requires.
    ///
    /// # Errors
    /// [`StoreError::Exists`] or [`StoreError::NotFound`] (see [`Put`]); [`StoreError`] on a storage
    /// failure.
    fn put(&self, record: &T, put: Put) -> Result<(), StoreError>;

    /// Removes the record named `name`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is none; [`StoreError`] on a storage failure.
    fn delete(&self, name: &T::Name) -> Result<(), StoreError>;

    /// Up to `limit` records, by name, starting after `after`.
    ///
    /// # Errors
    /// [`StoreError`] on a storage failure.
    fn list(&self, after: Option<&T::Name>, limit: usize) -> Result<Vec<T>, StoreError>;
}

/// Stamps `impl Record`: each type, then the field that names it and the field's type.
macro_rules! record {
    ($($record:ty => $field:ident: $name:ty,)+) => {$(
        impl Record for $record {
            type Name = $name;

            fn name(&self) -> &$name {
                &self.$field
            }
        }
    )+};
}

record! {
    Key => key_arn: KeyArn,
    KmsKey => arn: KmsKeyArn,
    AliasEntry => name: AliasName,
    KmsAlias => alias_name: KmsAliasName,
    Grant => grant_id: String,
    ExchangeParameters => name: String,
}

impl SealedRecord for StoredKey {
    type Meta = Key;

    fn meta(&self) -> &Key {
        &self.key
    }

    fn set_meta(&mut self, meta: Key) {
        self.key = meta;
    }

    fn material(&self) -> Zeroizing<Vec<u8>> {
        self.material.to_bytes()
    }

    fn from_parts(key: Key, material: &[u8]) -> Option<Self> {
        let material = KeyMaterial::from_bytes(key.key_attributes.key_algorithm, material).ok()?;
        Some(StoredKey { key, material })
    }
}

impl SealedRecord for StoredKmsKey {
    type Meta = KmsKey;

    fn meta(&self) -> &KmsKey {
        &self.key
    }

    fn set_meta(&mut self, meta: KmsKey) {
        self.key = meta;
    }

    fn material(&self) -> Zeroizing<Vec<u8>> {
        self.material.to_bytes()
    }

    fn from_parts(key: KmsKey, material: &[u8]) -> Option<Self> {
        let material = KmsMaterial::from_bytes(key.key_spec, material).ok()?;
        Some(StoredKmsKey { key, material })
    }
}

impl SealedRecord for StoredExchange {
    type Meta = ExchangeParameters;

    fn meta(&self) -> &ExchangeParameters {
        &self.parameters
    }

    fn set_meta(&mut self, meta: ExchangeParameters) {
        self.parameters = meta;
    }

    fn material(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.private_key.as_bytes().to_vec())
    }

    fn from_parts(parameters: ExchangeParameters, material: &[u8]) -> Option<Self> {
        let pem = std::str::from_utf8(material).ok()?;
        Some(StoredExchange { parameters, private_key: Zeroizing::new(pem.to_owned()) })
    }
}
