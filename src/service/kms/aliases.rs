//! Alias operations: CreateAlias, UpdateAlias, DeleteAlias, ListAliases. KMS aliases are a namespace
//! of their own, apart from payment-cryptography aliases; `alias/aws/` is reserved.

use serde::{Deserialize, Serialize};

use crate::keys::{KeyStore, KmsAlias, KmsAliasName, KmsKeyState, Timestamp};
use crate::service::kms::keys::limit;
use crate::service::kms::wire::{check_len, constraint};
use crate::service::kms::{Kms, KmsError};

/// CreateAlias and UpdateAlias request.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateAliasRequest {
    /// `alias/<name>`.
    pub alias_name: String,
    /// The key: key id or key ARN.
    pub target_key_id: String,
}

/// DeleteAlias request.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteAliasRequest {
    /// `alias/<name>`.
    pub alias_name: String,
}

/// ListAliases request.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAliasesRequest {
    /// Only aliases of this key (key id or key ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// Page size, 1 to 1000 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// The `NextMarker` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

/// One alias (AWS `AliasListEntry`).
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasListEntry {
    /// `alias/<name>`.
    pub alias_name: String,
    /// The alias ARN.
    pub alias_arn: String,
    /// The key id it points to.
    pub target_key_id: String,
    /// When it was created.
    pub creation_date: Timestamp,
    /// When it was last pointed at a key.
    pub last_updated_date: Timestamp,
}

/// ListAliases response.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAliasesResponse {
    /// The page.
    pub aliases: Vec<AliasListEntry>,
    /// Pass as `Marker` for the next page (when `Truncated`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// Whether there are more aliases.
    pub truncated: bool,
}

impl<S: KeyStore> Kms<S> {
    /// CreateAlias.
    ///
    /// # Errors
    /// `ValidationException` or `InvalidAliasNameException` for a bad or reserved name;
    /// `NotFoundException` for an unknown key; `KMSInvalidStateException` for a key pending deletion;
    /// `AlreadyExistsException`.
    pub fn create_alias(&self, input: CreateAliasRequest) -> Result<(), KmsError> {
        let name = self.alias_name(&input.alias_name)?;
        let key = self.metadata("targetKeyId", &input.target_key_id, false)?;
        if key.key_state == KmsKeyState::PendingDeletion {
            return Err(KmsError::InvalidState(format!("{} is pending deletion.", key.arn)));
        }
        let now = Timestamp::now();
        let alias = KmsAlias {
            alias_name: name,
            target_key_id: key.arn.key_id(),
            creation_date: now,
            last_updated_date: now,
        };
        self.store().put_kms_alias(&alias, true).map_err(|e| match e {
            crate::keys::StoreError::Exists(_) => KmsError::AlreadyExists(format!(
                "An alias with the name {} already exists",
                self.alias_arn(&alias.alias_name)
            )),
            other => other.into(),
        })
    }

    /// UpdateAlias: points an existing alias at another key of the same kind (symmetric or RSA).
    ///
    /// # Errors
    /// As [`Kms::create_alias`]; `NotFoundException` for an unknown alias; `ValidationException` for a
    /// key of another kind.
    pub fn update_alias(&self, input: CreateAliasRequest) -> Result<(), KmsError> {
        let name = self.alias_name(&input.alias_name)?;
        let key = self.metadata("targetKeyId", &input.target_key_id, false)?;
        if key.key_state == KmsKeyState::PendingDeletion {
            return Err(KmsError::InvalidState(format!("{} is pending deletion.", key.arn)));
        }
        let mut alias = self
            .store()
            .get_kms_alias(&name)?
            .ok_or_else(|| KmsError::NotFound(format!("Alias {} is not found.", self.alias_arn(&name))))?;
        let old = self.store().get_kms_key_metadata(&self.arn_of(&alias.target_key_id))?;
        if old.is_some_and(|old| old.key_spec.rsa_bits().is_some() != key.key_spec.rsa_bits().is_some()) {
            return Err(KmsError::Validation(format!(
                "{} and {} are not the same type of key: an alias moves only between keys of one type.",
                self.arn_of(&alias.target_key_id),
                key.arn
            )));
        }
        alias.target_key_id = key.arn.key_id();
        alias.last_updated_date = Timestamp::now();
        self.store().put_kms_alias(&alias, false)?;
        Ok(())
    }

    /// DeleteAlias.
    ///
    /// # Errors
    /// `ValidationException` for a malformed name; `NotFoundException`.
    pub fn delete_alias(&self, input: DeleteAliasRequest) -> Result<(), KmsError> {
        let name = self.alias_name(&input.alias_name)?;
        self.store().delete_kms_alias(&name).map_err(|e| match e {
            crate::keys::StoreError::NotFound(_) => {
                KmsError::NotFound(format!("Alias {} is not found.", self.alias_arn(&name)))
            }
            other => other.into(),
        })
    }

    /// ListAliases, by name, optionally only those of one key, in pages.
    ///
    /// # Errors
    /// `ValidationException` for a `Limit` outside 1-1000; `NotFoundException` for an unknown key;
    /// `InvalidMarkerException`.
    pub fn list_aliases(&self, input: ListAliasesRequest) -> Result<ListAliasesResponse, KmsError> {
        let limit = limit(input.limit, 50)?;
        let filter = match &input.key_id {
            Some(k) => Some(self.metadata("keyId", k, false)?.arn.key_id()),
            None => None,
        };
        let mut after = match &input.marker {
            Some(m) => Some(
                KmsAliasName::parse(m).map_err(|_| KmsError::InvalidMarker("Invalid marker.".to_owned()))?,
            ),
            None => None,
        };
        let mut aliases = Vec::new();
        loop {
            let batch = self.store().list_kms_aliases(after.as_ref(), 256)?;
            let exhausted = batch.len() < 256;
            for alias in batch {
                after = Some(alias.alias_name.clone());
                if filter.as_ref().is_some_and(|f| f != &alias.target_key_id) {
                    continue;
                }
                if aliases.len() == limit {
                    let next = aliases.last().map(|a: &AliasListEntry| a.alias_name.clone());
                    return Ok(ListAliasesResponse { aliases, next_marker: next, truncated: true });
                }
                aliases.push(AliasListEntry {
                    alias_arn: self.alias_arn(&alias.alias_name),
                    alias_name: alias.alias_name.to_string(),
                    target_key_id: alias.target_key_id.to_string(),
                    creation_date: alias.creation_date,
                    last_updated_date: alias.last_updated_date,
                });
            }
            if exhausted {
                return Ok(ListAliasesResponse { aliases, next_marker: None, truncated: false });
            }
        }
    }

    /// Parses an alias name as KMS checks it: the model's length and pattern, then `alias/` and the
    /// reserved `alias/aws/`.
    fn alias_name(&self, text: &str) -> Result<KmsAliasName, KmsError> {
        check_len("aliasName", text.len(), 1, 256)?;
        if !text.bytes().all(|b| b.is_ascii_alphanumeric() || b":/_-".contains(&b)) {
            return Err(constraint("aliasName", "satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"));
        }
        let name = KmsAliasName::parse(text).map_err(|_| {
            KmsError::InvalidAliasName(format!("Alias must start with the prefix \"alias/\": {text}"))
        })?;
        if name.is_reserved() {
            return Err(KmsError::InvalidAliasName(format!(
                "{text}: alias names beginning with alias/aws/ are reserved for AWS managed keys."
            )));
        }
        Ok(name)
    }
}
