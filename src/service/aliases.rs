//! The control plane's alias operations (CreateAlias, GetAlias, ListAliases, UpdateAlias, DeleteAlias),
//! with AWS's shapes.

use serde::{Deserialize, Serialize};

use crate::keys::{AliasEntry, AliasName, KeyArn, KeyState, KeyStore, Timestamp};
use crate::service::control::{SCAN_BATCH, page_size};
use crate::service::{PaymentCryptography, ServiceError};

/// An alias (AWS `Alias`).
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Alias {
    /// The name.
    pub alias_name: AliasName,
    /// The key it points to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_arn: Option<KeyArn>,
}

/// CreateAlias request.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct CreateAliasInput {
    /// The name, `alias/…`.
    pub alias_name: String,
    /// The key to point to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_arn: Option<String>,
}

/// UpdateAlias request: points an existing alias at another key (or at none).
pub type UpdateAliasInput = CreateAliasInput;

/// GetAlias request.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct GetAliasInput {
    /// The name.
    pub alias_name: String,
}

/// DeleteAlias request.
pub type DeleteAliasInput = GetAliasInput;

/// A response holding one alias.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasOutput {
    /// The alias.
    pub alias: Alias,
}

/// ListAliases request.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ListAliasesInput {
    /// Only aliases of this key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_arn: Option<String>,
    /// Where the previous page stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Page size, 1 to 100 (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
}

/// ListAliases response.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAliasesOutput {
    /// The page.
    pub aliases: Vec<Alias>,
    /// Pass back to get the next page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

impl<S: KeyStore> PaymentCryptography<S> {
    /// CreateAlias.
    ///
    /// # Errors
    /// `ValidationException` for a malformed name or ARN; `ResourceNotFoundException` for an unknown
    /// key; `ConflictException` when the alias exists.
    pub fn create_alias(&self, input: CreateAliasInput) -> Result<AliasOutput, ServiceError> {
        self.put_alias(input, true)
    }

    /// UpdateAlias: points an existing alias at `KeyArn`, or at no key when it is absent.
    ///
    /// # Errors
    /// As [`PaymentCryptography::create_alias`]; `ResourceNotFoundException` for an unknown alias.
    pub fn update_alias(&self, input: UpdateAliasInput) -> Result<AliasOutput, ServiceError> {
        self.put_alias(input, false)
    }

    fn put_alias(&self, input: CreateAliasInput, create: bool) -> Result<AliasOutput, ServiceError> {
        let name = alias_name(&input.alias_name)?;
        let key_arn = match &input.key_arn {
            Some(text) => {
                let arn = KeyArn::parse(text)
                    .map_err(|e| ServiceError::field("KeyArn", e.to_string()).with_reason(e))?;
                let key =
                    self.store().get_key_metadata(&arn)?.ok_or_else(|| ServiceError::not_found(text))?;
                if key.as_of(Timestamp::now()).key_state == KeyState::DeleteComplete {
                    return Err(ServiceError::not_found(text));
                }
                Some(arn)
            }
            None => None,
        };
        let entry = AliasEntry { name, key_arn };
        self.store().put_alias(&entry, create).map_err(|e| match e {
            crate::keys::StoreError::NotFound(what) => ServiceError::not_found(what),
            other => other.into(),
        })?;
        Ok(AliasOutput { alias: Alias { alias_name: entry.name, key_arn: entry.key_arn } })
    }

    /// GetAlias.
    ///
    /// # Errors
    /// `ValidationException` for a malformed name; `ResourceNotFoundException`.
    pub fn get_alias(&self, input: GetAliasInput) -> Result<AliasOutput, ServiceError> {
        let name = alias_name(&input.alias_name)?;
        let entry =
            self.store().get_alias(&name)?.ok_or_else(|| ServiceError::not_found(&input.alias_name))?;
        Ok(AliasOutput { alias: Alias { alias_name: entry.name, key_arn: entry.key_arn } })
    }

    /// DeleteAlias.
    ///
    /// # Errors
    /// `ValidationException` for a malformed name; `ResourceNotFoundException`.
    pub fn delete_alias(&self, input: DeleteAliasInput) -> Result<(), ServiceError> {
        let name = alias_name(&input.alias_name)?;
        self.store().delete_alias(&name)?;
        Ok(())
    }

    /// ListAliases, by name, optionally only those of one key, in pages.
    ///
    /// # Errors
    /// `ValidationException` for a malformed `KeyArn`, `MaxResults` outside 1-100 or a foreign
    /// `NextToken`.
    pub fn list_aliases(&self, input: ListAliasesInput) -> Result<ListAliasesOutput, ServiceError> {
        let max = page_size(input.max_results)?;
        let filter = match &input.key_arn {
            Some(t) => Some(
                KeyArn::parse(t).map_err(|e| ServiceError::field("KeyArn", e.to_string()).with_reason(e))?,
            ),
            None => None,
        };
        let mut after = match &input.next_token {
            Some(t) => Some(AliasName::parse(t).map_err(|_| {
                ServiceError::field("NextToken", "NextToken is not one ListAliases returned.")
            })?),
            None => None,
        };
        let mut aliases = Vec::new();
        loop {
            let batch = self.store().list_aliases(after.as_ref(), SCAN_BATCH)?;
            let exhausted = batch.len() < SCAN_BATCH;
            for entry in batch {
                after = Some(entry.name.clone());
                if filter.as_ref().is_some_and(|f| entry.key_arn.as_ref() != Some(f)) {
                    continue;
                }
                aliases.push(Alias { alias_name: entry.name, key_arn: entry.key_arn });
                if aliases.len() == max {
                    let more = !self.store().list_aliases(after.as_ref(), 1)?.is_empty();
                    return Ok(ListAliasesOutput {
                        aliases,
                        next_token: if more { after.map(|a| a.to_string()) } else { None },
                    });
                }
            }
            if exhausted {
                return Ok(ListAliasesOutput { aliases, next_token: None });
            }
        }
    }
}

fn alias_name(text: &str) -> Result<AliasName, ServiceError> {
    AliasName::parse(text).map_err(|e| ServiceError::field("AliasName", e.to_string()).with_reason(e))
}
