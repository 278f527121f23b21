//! AWS Payment Cryptography operations over a [`KeyStore`], in AWS's request and response shapes.
//!
//! [`PaymentCryptography`] holds a store and the region and account that new key ARNs carry. Its
//! methods are the operations: the data plane (`encrypt_data`, `decrypt_data`, `re_encrypt_data`)
//! and the control plane (`create_key`, `import_key`, `get_key`, `list_keys`, `delete_key`,
//! `restore_key`, `start_key_usage`, `stop_key_usage` and the alias operations). Each validates its
//! request as AWS's model does, enforces key separation as an HSM does, and fails with one
//! [`ServiceError`], which knows its AWS exception, HTTP status and body. Nothing here knows HTTP or
//! terminals.
//!
//! # Examples
//! ```
//! use paycrypt::keys::MemoryStore;
//! use paycrypt::service::{ImportKeyInput, EncryptDataInput, PaymentCryptography, Settings};
//!
//! let svc = PaymentCryptography::new(MemoryStore::new(), Settings::default());
//! let import: ImportKeyInput = serde_json::from_str(r#"{"KeyMaterial":{"ClearKey":{
//!     "KeyAttributes":{"KeyAlgorithm":"AES_128","KeyClass":"SYMMETRIC_KEY",
//!         "KeyUsage":"TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY","KeyModesOfUse":{"NoRestrictions":true}},
//!     "KeyMaterial":"2B7E151628AED2A6ABF7158809CF4F3C"}}}"#)?;
//! let key = svc.import_key(import)?.key;
//! let out = svc.encrypt_data(EncryptDataInput::symmetric(
//!     key.key_arn.as_str(), "6BC1BEE22E409F96E93D7E117393172A", paycrypt::Mode::Cbc, Some("000102030405060708090A0B0C0D0E0F"),
//! ))?;
//! assert_eq!(out.cipher_text, "7649ABAC8119B246CEE98E9B12E9197D");
//! assert_eq!(out.key_check_value, "7AD386");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod aliases;
mod control;
mod data;
mod dispatch;
mod error;
mod exchange;
pub mod kms;
mod operation;
mod seed;
mod validate;

use crate::keys::{AccountId, Key, KeyArn, KeyIdentifier, KeyState, KeyStore, Region, StoredKey, Timestamp};

pub use aliases::{
    Alias, AliasOutput, CreateAliasInput, DeleteAliasInput, GetAliasInput, ListAliasesInput,
    ListAliasesOutput, UpdateAliasInput,
};
pub use control::{
    ClearKeyMaterial, CreateKeyInput, DeleteKeyInput, ImportKeyInput, ImportKeyMaterial, KeyIdentifierInput,
    KeyOutput, KeySummary, ListKeysInput, ListKeysOutput,
};
pub use data::{
    AsymmetricEncryptionAttributes, DataSession, DecryptDataInput, DecryptDataOutput,
    DukptEncryptionAttributes, DukptEncryptionMode, DukptKeyVariant, EncryptDataInput, EncryptDataOutput,
    EncryptionDecryptionAttributes, PaddingType, ReEncryptDataInput, ReEncryptDataOutput,
    ReEncryptionAttributes, SymmetricEncryptionAttributes, WrappedKey, WrappedKeyMaterial,
};
pub use error::{FieldError, Plane, ServiceError, ValidationError};
pub use exchange::{
    ExportAttributes, ExportDukptInitialKey, ExportKeyCryptogram, ExportKeyInput, ExportKeyMaterial,
    ExportKeyOutput, ExportTr31KeyBlock, ExportTr34KeyBlock, GetParametersForExportInput,
    GetParametersForExportOutput, GetParametersForImportInput, GetParametersForImportOutput,
    GetPublicKeyCertificateInput, GetPublicKeyCertificateOutput, ImportKeyCryptogram, ImportTr31KeyBlock,
    ImportTr34KeyBlock, KeyBlockHeaders, KeyExportability, KeyMaterialType, RootCertificatePublicKey,
    TrustedCertificatePublicKey, WrappedKeyMaterialFormat, WrappedKeyOutput, WrappingKeySpec,
};
pub use operation::{
    ControlOperation, DataOperation, KmsOperation, OPERATIONS, Operation, Protocol, UnknownOperation,
};
pub use seed::{SeedAlias, SeedFile, SeedKey, SeedReport};

/// The region and account that key ARNs carry.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Settings {
    /// The AWS region, e.g. `us-east-1`.
    pub region: Region,
    /// The 12-digit account id.
    pub account: AccountId,
}

impl Settings {
    /// The default region.
    pub const DEFAULT_REGION: &'static str = "us-east-1";
    /// The default account id (AWS's documentation account).
    pub const DEFAULT_ACCOUNT: &'static str = "111122223333";
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            region: Region::trusted(Self::DEFAULT_REGION),
            account: AccountId::trusted(Self::DEFAULT_ACCOUNT),
        }
    }
}

/// The AWS Payment Cryptography operations over a key store.
#[derive(Debug)]
pub struct PaymentCryptography<S> {
    store: S,
    settings: Settings,
}

impl<S: KeyStore> PaymentCryptography<S> {
    /// The service over `store`, creating keys in `settings`' region and account.
    pub fn new(store: S, settings: Settings) -> Self {
        PaymentCryptography { store, settings }
    }

    /// The key store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The region and account.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The key ARN that `identifier` (a key ARN or an alias) names, if it parses and, for an alias,
    /// the alias exists and points to a key; whether the key exists is not checked.
    pub fn key_arn_of(&self, identifier: &str) -> Option<KeyArn> {
        self.resolve("KeyIdentifier", identifier).ok()
    }

    /// Parses `identifier` (the member at `path`) and follows an alias to its key ARN.
    fn resolve(&self, path: &str, identifier: &str) -> Result<KeyArn, ServiceError> {
        let parsed = KeyIdentifier::parse(identifier)
            .map_err(|e| ServiceError::field(path, format!("{path}: {e}")).with_reason(e))?;
        match parsed {
            KeyIdentifier::Arn(arn) => Ok(arn),
            KeyIdentifier::Alias(name) => self
                .store
                .get_alias(&name)?
                .and_then(|a| a.key_arn)
                .ok_or_else(|| ServiceError::not_found(identifier)),
        }
    }

    /// The metadata of the key `identifier` names, as of now.
    fn metadata(&self, path: &str, identifier: &str) -> Result<Key, ServiceError> {
        let arn = self.resolve(path, identifier)?;
        let key = self.store.get_key_metadata(&arn)?.ok_or_else(|| ServiceError::not_found(identifier))?;
        Ok(key.as_of(Timestamp::now()))
    }

    /// The key `identifier` names, with its material, checked usable for a cryptographic operation:
    /// enabled and neither pending deletion nor deleted.
    fn usable_key(&self, path: &str, identifier: &str) -> Result<StoredKey, ServiceError> {
        let arn = self.resolve(path, identifier)?;
        let mut stored = self.store.get_key(&arn)?.ok_or_else(|| ServiceError::not_found(identifier))?;
        stored.key = stored.key.as_of(Timestamp::now());
        match stored.key.key_state {
            KeyState::DeleteComplete => return Err(ServiceError::not_found(identifier)),
            KeyState::DeletePending => {
                return Err(ServiceError::AccessDenied(format!("Key {arn} is pending deletion.")));
            }
            KeyState::CreateComplete | KeyState::CreateInProgress => {}
        }
        if !stored.key.enabled {
            return Err(ServiceError::AccessDenied(format!("Key {arn} is disabled.")));
        }
        Ok(stored)
    }
}
