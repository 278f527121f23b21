//! Seed files: pre-load a store with keys of fixed ids and material, and aliases, idempotently.
//!
//! ```json
//! {"Keys":[{"KeyId":"<16 alnum>","KeyAttributes":{…},"KeyMaterial":"<hex or PEM>",
//!           "KeyCheckValueAlgorithm":"CMAC","KeyCheckValue":"7AD386","Enabled":true,"Exportable":true}],
//!  "Aliases":[{"AliasName":"alias/x","KeyId":"<16 alnum>"}],
//!  "KmsKeys":[{"KeyId":"<uuid>","KeySpec":"SYMMETRIC_DEFAULT","KeyMaterial":"<64 hex>"}],
//!  "KmsAliases":[{"AliasName":"alias/app","TargetKeyId":"<uuid>"}]}
//! ```
//!
//! # Security Warning
//! A seed file holds keys in the clear: for tests and emulation only.

use serde::{Deserialize, Serialize};

use crate::keys::{
    AliasEntry, AliasName, KeyArn, KeyAttributes, KeyCheckValueAlgorithm, KeyId, KeyStore, SecretText,
    StoredKey,
};
use crate::service::control::ClearKeyMaterial;
use crate::service::kms::{SeedKmsAlias, SeedKmsKey};
use crate::service::{PaymentCryptography, ServiceError};

/// A seed file.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SeedFile {
    /// The keys.
    #[serde(default)]
    pub keys: Vec<SeedKey>,
    /// The aliases.
    #[serde(default)]
    pub aliases: Vec<SeedAlias>,
    /// The AWS KMS keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kms_keys: Vec<SeedKmsKey>,
    /// The AWS KMS aliases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kms_aliases: Vec<SeedKmsAlias>,
}

/// One key of a seed file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SeedKey {
    /// The key id (16 to 64 letters and digits); the ARN uses the store's region and account.
    pub key_id: String,
    /// The attributes.
    pub key_attributes: KeyAttributes,
    /// Hex for TDES/AES, PEM for RSA.
    pub key_material: SecretText,
    /// How to compute the check value (default by algorithm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_check_value_algorithm: Option<KeyCheckValueAlgorithm>,
    /// If given, verified against the material.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_check_value: Option<String>,
    /// Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exportable: Option<bool>,
}

/// One alias of a seed file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SeedAlias {
    /// The alias name.
    pub alias_name: String,
    /// The id of the key it points to.
    pub key_id: String,
}

/// What a seed run did.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SeedReport {
    /// Aliases added.
    pub aliases_added: usize,
    /// Aliases already there, pointing to the same key.
    pub aliases_unchanged: usize,
    /// Keys added.
    pub keys_added: usize,
    /// Keys already there, identical.
    pub keys_unchanged: usize,
    /// KMS aliases added.
    #[serde(skip_serializing_if = "is_zero")]
    pub kms_aliases_added: usize,
    /// KMS aliases already there, pointing to the same key.
    #[serde(skip_serializing_if = "is_zero")]
    pub kms_aliases_unchanged: usize,
    /// KMS keys added.
    #[serde(skip_serializing_if = "is_zero")]
    pub kms_keys_added: usize,
    /// KMS keys already there, identical.
    #[serde(skip_serializing_if = "is_zero")]
    pub kms_keys_unchanged: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl<S: KeyStore> PaymentCryptography<S> {
    /// Loads a seed file. Every entry is checked before anything is written; a key or alias that
    /// exists already must be identical (attributes and check value; alias target), so running the
    /// same file again changes nothing.
    ///
    /// # Errors
    /// `ValidationException` naming the entry (`Keys[2].KeyMaterial`, …) for a bad entry or a check
    /// value that does not match; `ConflictException` for an entry that differs from what is stored.
    pub fn seed(&self, file: &SeedFile) -> Result<SeedReport, ServiceError> {
        let mut keys: Vec<StoredKey> = Vec::with_capacity(file.keys.len());
        for (i, entry) in file.keys.iter().enumerate() {
            keys.push(self.seed_key(entry).map_err(|e| at(&format!("Keys[{i}]"), e))?);
        }
        let mut aliases = Vec::with_capacity(file.aliases.len());
        for (i, a) in file.aliases.iter().enumerate() {
            let path = format!("Aliases[{i}]");
            let name = AliasName::parse(&a.alias_name).map_err(|e| {
                ServiceError::field(format!("{path}.AliasName"), format!("{path}.AliasName: {e}"))
                    .with_reason(e)
            })?;
            let id = KeyId::parse(&a.key_id).map_err(|e| {
                ServiceError::field(format!("{path}.KeyId"), format!("{path}.KeyId: {e}")).with_reason(e)
            })?;
            let arn = KeyArn::new(&self.settings().region, &self.settings().account, &id);
            let known =
                keys.iter().any(|k| k.key.key_arn == arn) || self.store().get_key_metadata(&arn)?.is_some();
            if !known {
                return Err(ServiceError::field(
                    format!("{path}.KeyId"),
                    format!("{path}.KeyId {id} is neither in the file nor in the store."),
                ));
            }
            aliases.push(AliasEntry { name, key_arn: Some(arn) });
        }

        let kms = crate::service::kms::seed::plan(
            self.store(),
            self.settings(),
            &file.kms_keys,
            &file.kms_aliases,
        )?;

        let mut report = SeedReport::default();
        let mut new_keys = Vec::new();
        for (i, key) in keys.into_iter().enumerate() {
            match self.store().get_key_metadata(&key.key.key_arn)? {
                Some(old)
                    if old.key_attributes == key.key.key_attributes
                        && old.key_check_value == key.key.key_check_value =>
                {
                    report.keys_unchanged += 1;
                }
                Some(_) => {
                    return Err(ServiceError::Conflict(format!(
                        "Keys[{i}]: {} exists with other attributes or material.",
                        key.key.key_arn
                    )));
                }
                None => new_keys.push(key),
            }
        }
        let mut new_aliases = Vec::new();
        for (i, alias) in aliases.iter().enumerate() {
            match self.store().get_alias(&alias.name)? {
                Some(old) if old.key_arn == alias.key_arn => report.aliases_unchanged += 1,
                Some(old) => {
                    let to = old.key_arn.map_or_else(|| "no key".to_owned(), |a| a.to_string());
                    return Err(ServiceError::Conflict(format!(
                        "Aliases[{i}]: {} exists and points to {to}.",
                        alias.name
                    )));
                }
                None => new_aliases.push(alias),
            }
        }
        // Every entry is checked: now the new keys in one transaction, then the aliases that point to them.
        self.store().insert_keys(&new_keys)?;
        report.keys_added = new_keys.len();
        for alias in new_aliases {
            self.store().put_alias(alias, true)?;
            report.aliases_added += 1;
        }
        crate::service::kms::seed::apply(self.store(), &kms)?;
        report.kms_keys_added = kms.keys_added();
        report.kms_keys_unchanged = kms.keys_unchanged;
        report.kms_aliases_added = kms.aliases_added();
        report.kms_aliases_unchanged = kms.aliases_unchanged;
        Ok(report)
    }

    fn seed_key(&self, entry: &SeedKey) -> Result<StoredKey, ServiceError> {
        let id = KeyId::parse(&entry.key_id)
            .map_err(|e| ServiceError::field("KeyId", format!("KeyId: {e}")).with_reason(e))?;
        let clear = ClearKeyMaterial {
            key_attributes: entry.key_attributes,
            key_material: entry.key_material.clone(),
            exportable: entry.exportable,
        };
        let stored =
            self.clear_key(&clear, entry.key_check_value_algorithm, entry.enabled.unwrap_or(true), Some(id))?;
        if let Some(expected) = &entry.key_check_value
            && !expected.eq_ignore_ascii_case(&stored.key.key_check_value)
        {
            return Err(ServiceError::field(
                "KeyCheckValue",
                format!(
                    "KeyCheckValue {expected} does not match the material, whose {} check value is {}.",
                    stored.key.key_check_value_algorithm, stored.key.key_check_value
                ),
            ));
        }
        Ok(stored)
    }
}

/// Prefixes the paths and message of a validation error with the entry's path.
fn at(prefix: &str, e: ServiceError) -> ServiceError {
    match e {
        ServiceError::Validation { message, fields, reason } => ServiceError::Validation {
            message: format!("{prefix}: {}", message.replace("KeyMaterial.ClearKey.", "")),
            fields: fields
                .into_iter()
                .map(|f| crate::service::FieldError {
                    path: format!("{prefix}.{}", f.path.replace("KeyMaterial.ClearKey.", "")),
                    message: f.message,
                })
                .collect(),
            reason,
        },
        other => other,
    }
}
