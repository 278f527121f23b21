//! AWS KMS over a [`KeyStore`], in KMS's request and response shapes (awsJson1_1: PascalCase
//! members, blobs in base64).
//!
//! [`Kms`] holds a store and the region and account that key ARNs carry. Its methods are the
//! operations: keys (`create_key`, `describe_key`, `list_keys`, `enable_key`, `disable_key`,
//! `schedule_key_deletion`, `cancel_key_deletion`), aliases (`create_alias`, `list_aliases`,
//! `update_alias`, `delete_alias`), cryptography (`encrypt`, `decrypt`, `re_encrypt`,
//! `generate_data_key`, `generate_data_key_without_plaintext`, `generate_random`) and grants
//! (`create_grant`, `list_grants`, `retire_grant`, `revoke_grant`); [`Kms::call`] runs one by name
//! on a JSON body. Each fails with one [`KmsError`], which knows its exception, HTTP status and body.
//!
//! - **SYMMETRIC_DEFAULT** keys encrypt with AES-256-GCM under a fresh 96-bit nonce, in a versioned
//!   blob that names the key's ARN, so `Decrypt` needs no `KeyId` (and refuses one that does not
//!   match with `IncorrectKeyException`). The encryption context is bound as additional
//!   authenticated data through a length-prefixed, sorted encoding: any change fails with
//!   `InvalidCiphertextException`; `{}` is the same as no context.
//! - **RSA_2048/3072/4096** keys encrypt with `RSAES_OAEP_SHA_1` or `RSAES_OAEP_SHA_256` (raw OAEP
//!   ciphertext, as KMS returns it), with KMS's plaintext limits and no encryption context.
//! - **Grant tokens** passed to an operation must each name a live grant on that key, else
//!   `InvalidGrantTokenException`. paycrypt has no principals, so grants do not widen or narrow what
//!   a caller may do; their operations and constraints are stored and listed.
//!
//! # Examples
//! ```
//! use paycrypt::keys::MemoryStore;
//! use paycrypt::service::Settings;
//! use paycrypt::service::kms::Kms;
//! use serde_json::json;
//!
//! let kms = Kms::new(MemoryStore::new(), Settings::default());
//! let key = kms.call("CreateKey", json!({})).expect("known")?;
//! let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap_or_default();
//! let ct = kms.call("Encrypt", json!({"KeyId": key_id, "Plaintext": "aGVsbG8=",
//!     "EncryptionContext": {"purpose": "doc"}})).expect("known")?;
//! let pt = kms.call("Decrypt", json!({"CiphertextBlob": ct["CiphertextBlob"],
//!     "EncryptionContext": {"purpose": "doc"}})).expect("known")?;
//! assert_eq!(pt["Plaintext"], "aGVsbG8=");
//! assert_eq!(pt["KeyId"], key["KeyMetadata"]["Arn"]);
//! let err = kms.call("Decrypt", json!({"CiphertextBlob": ct["CiphertextBlob"]})).expect("known").unwrap_err();
//! assert_eq!((err.exception(), err.http_status()), ("InvalidCiphertextException", 400));
//! # Ok::<(), paycrypt::service::kms::KmsError>(())
//! ```

mod aliases;
mod blob;
mod crypto;
mod dispatch;
mod error;
mod grants;
mod keys;
pub(crate) mod seed;
mod wire;

use crate::keys::{
    KeyStore, KmsAliasName, KmsKey, KmsKeyArn, KmsKeyId, KmsKeyState, StoredKmsKey, Timestamp, split_kms_arn,
};
use crate::service::Settings;

pub use crate::service::operation::{KMS_OPERATIONS, KmsOperation};
pub use aliases::{
    AliasListEntry, CreateAliasRequest, DeleteAliasRequest, ListAliasesRequest, ListAliasesResponse,
};
pub use crypto::{
    DecryptRequest, DecryptResponse, EncryptRequest, EncryptResponse, GenerateDataKeyRequest,
    GenerateDataKeyResponse, GenerateDataKeyWithoutPlaintextResponse, GenerateRandomRequest,
    GenerateRandomResponse, ReEncryptRequest, ReEncryptResponse,
};
pub use error::KmsError;
pub use grants::{
    CreateGrantRequest, CreateGrantResponse, GrantListEntry, ListGrantsRequest, ListGrantsResponse,
    RetireGrantRequest, RevokeGrantRequest,
};
pub use keys::{
    CancelKeyDeletionResponse, CreateKeyRequest, CreateKeyResponse, DescribeKeyRequest, KeyIdRequest,
    KeyListEntry, KeyMetadata, ListKeysRequest, ListKeysResponse, ScheduleKeyDeletionRequest,
    ScheduleKeyDeletionResponse,
};
pub use seed::{SeedKmsAlias, SeedKmsKey};
pub use wire::{Blob, EncryptionAlgorithm, EncryptionContext, SecretBlob};

/// The AWS KMS operations over a key store.
#[derive(Debug)]
pub struct Kms<S> {
    store: S,
    settings: Settings,
}

impl<S: KeyStore> Kms<S> {
    /// The service over `store`, with key ARNs in `settings`' region and account.
    pub fn new(store: S, settings: Settings) -> Self {
        Kms { store, settings }
    }

    /// The key store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The region and account.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The ARN of key `id` here.
    fn arn_of(&self, id: &KmsKeyId) -> KmsKeyArn {
        KmsKeyArn::new(&self.settings.region, &self.settings.account, id)
    }

    /// The alias ARN of `name` here.
    fn alias_arn(&self, name: &KmsAliasName) -> String {
        format!("arn:aws:kms:{}:{}:{name}", self.settings.region, self.settings.account)
    }

    /// Follows `key_id` (a key id, key ARN, or, with `aliases`, an alias name or alias ARN) to a
    /// key ARN, without checking the key exists. `member` names it in errors.
    fn resolve(&self, member: &str, key_id: &str, aliases: bool) -> Result<KmsKeyArn, KmsError> {
        wire::check_key_id(member, key_id)?;
        let invalid = || KmsError::NotFound(format!("Invalid keyId '{key_id}'"));
        let alias = if key_id.starts_with("alias/") {
            Some(KmsAliasName::parse(key_id).map_err(|_| invalid())?)
        } else if let Some((region, account, resource)) = split_kms_arn(key_id) {
            if region != self.settings.region || account != self.settings.account {
                return Err(KmsError::NotFound(format!("Key '{key_id}' does not exist")));
            }
            if let Some(id) = resource.strip_prefix("key/") {
                return KmsKeyId::parse(id).map(|id| self.arn_of(&id)).map_err(|_| invalid());
            }
            Some(KmsAliasName::parse(resource).map_err(|_| invalid())?)
        } else {
            return KmsKeyId::parse(key_id).map(|id| self.arn_of(&id)).map_err(|_| invalid());
        };
        match alias {
            Some(name) if aliases => {
                let entry = self.store.get_kms_alias(&name)?.ok_or_else(|| {
                    KmsError::NotFound(format!("Alias {} is not found.", self.alias_arn(&name)))
                })?;
                Ok(self.arn_of(&entry.target_key_id))
            }
            _ => Err(invalid()),
        }
    }

    /// The metadata of the key `key_id` names; deleted keys are not found.
    fn metadata(&self, member: &str, key_id: &str, aliases: bool) -> Result<KmsKey, KmsError> {
        let arn = self.resolve(member, key_id, aliases)?;
        let key = self.store.get_kms_key_metadata(&arn)?;
        key.filter(|k| !k.is_deleted(Timestamp::now()))
            .ok_or_else(|| KmsError::NotFound(format!("Key '{arn}' does not exist")))
    }

    /// The key `arn` names, with its material, checked usable for a cryptographic operation
    /// (enabled), after checking `grant_tokens` against it.
    fn usable(&self, arn: &KmsKeyArn, grant_tokens: &[String]) -> Result<StoredKmsKey, KmsError> {
        let stored = self
            .store
            .get_kms_key(arn)?
            .filter(|k| !k.key.is_deleted(Timestamp::now()))
            .ok_or_else(|| KmsError::NotFound(format!("Key '{arn}' does not exist")))?;
        self.check_grant_tokens(arn, grant_tokens)?;
        check_enabled(&stored.key)?;
        Ok(stored)
    }
}

/// `DisabledException` for a disabled key, `KMSInvalidStateException` for one pending deletion.
impl<S: KeyStore> Kms<S> {
    /// The ARN of the key that `key_id` (key id, key ARN, alias or alias ARN) names, if it resolves;
    /// whether the key exists is not checked.
    pub fn key_arn_of(&self, key_id: &str) -> Option<String> {
        self.resolve("KeyId", key_id, true).ok().map(|arn| arn.to_string())
    }

    /// The ARN of the key a request body names, as far as it can be told without running the
    /// operation: its `KeyId` (or `SourceKeyId`) followed through aliases, else the key ARN inside its
    /// `CiphertextBlob`. For logs and fault rules; `None` when there is none or it does not resolve.
    pub fn key_of_request(&self, body: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
        let named = ["KeyId", "SourceKeyId"].iter().find_map(|m| body.get(*m).and_then(|v| v.as_str()));
        if let Some(key_id) = named {
            return self.key_arn_of(key_id);
        }
        let blob = body.get("CiphertextBlob").and_then(|v| v.as_str())?;
        let bytes = <base64ct::Base64 as base64ct::Encoding>::decode_vec(blob).ok()?;
        blob::key_arn(&bytes).map(|(arn, _)| arn.to_string())
    }
}

fn check_enabled(key: &KmsKey) -> Result<(), KmsError> {
    match key.key_state {
        KmsKeyState::Enabled => Ok(()),
        KmsKeyState::Disabled => Err(KmsError::Disabled(format!("{} is disabled.", key.arn))),
        KmsKeyState::PendingDeletion => {
            Err(KmsError::InvalidState(format!("{} is pending deletion.", key.arn)))
        }
    }
}
