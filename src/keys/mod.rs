//! The key model and the key store.
//!
//! - [`KeyAttributes`] with AWS's enums ([`KeyUsage`], [`KeyClass`], [`KeyAlgorithm`],
//!   [`KeyModesOfUse`]) and the combinations AWS accepts ([`KeyAttributes::check`]);
//! - identifiers that are valid by construction ([`KeyArn`], [`AliasName`], [`KeyIdentifier`]);
//! - a key's metadata in AWS's [`Key`] shape and its secret [`KeyMaterial`];
//! - AWS KMS keys ([`KmsKey`], [`KmsMaterial`]), their aliases ([`KmsAlias`]) and [`Grant`]s;
//! - the [`KeyStore`] trait with [`MemoryStore`] and the persistent [`FileStore`], each keeping its
//!   keys in [`SealedTable`]s and its aliases and grants in [`RecordTable`]s ([`Tables`]).

mod attributes;
mod exchange;
mod ids;
mod key;
mod kms;
mod store;

pub use attributes::{AttributesError, KeyAlgorithm, KeyAttributes, KeyClass, KeyModesOfUse, KeyUsage};
pub use exchange::{AUTHORITY_RECORD, ExchangeParameters, ExchangePurpose, StoredExchange};
pub use ids::{AccountId, AliasName, IdError, KeyArn, KeyId, KeyIdentifier, Region};
pub use key::{
    Key, KeyCheckValueAlgorithm, KeyMaterial, KeyOrigin, KeyState, SecretText, StoredKey, Timestamp,
};
pub(crate) use kms::split_kms_arn;
pub use kms::{
    Grant, GrantConstraints, KmsAlias, KmsAliasName, KmsKey, KmsKeyArn, KmsKeyId, KmsKeySpec, KmsKeyState,
    KmsMaterial, StoredKmsKey,
};
pub use store::{
    AliasEntry, FileStore, KeyStore, MasterKey, MemoryStore, OpenOptions, Put, Record, RecordTable,
    SealedName, SealedRecord, SealedTable, StoreError, Tables, default_data_dir,
};
