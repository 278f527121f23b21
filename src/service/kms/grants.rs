//! Grants: CreateGrant, ListGrants, RetireGrant, RevokeGrant, and the check of the grant tokens an
//! operation is given.
//!
//! A grant id is 64 hex digits; its token is `base64url(0x01 || grant id (32 bytes) || 32 random
//! bytes)`, so a token names its grant and cannot be guessed from the id.

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::{Deserialize, Serialize};

use crate::keys::{Grant, GrantConstraints, KeyStore, KmsKeyArn, Timestamp};
use crate::service::kms::keys::limit;
use crate::service::kms::wire::{check_grant_tokens, check_len, constraint};
use crate::service::kms::{Kms, KmsError, check_enabled};

/// Every `GrantOperation` in KMS's model.
const GRANT_OPERATIONS: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "GetPublicKey",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
];

/// CreateGrant request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGrantRequest {
    /// Key id or key ARN.
    pub key_id: String,
    /// Who the grant is for.
    pub grantee_principal: String,
    /// Who may retire it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retiring_principal: Option<String>,
    /// The operations it allows (at least one).
    pub operations: Vec<String>,
    /// Encryption-context constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<GrantConstraints>,
    /// At most 10, each naming a live grant on the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_tokens: Option<Vec<String>>,
    /// A friendly name; the same request with the same name returns the same grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Check everything, fail with `DryRunOperationException`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

/// CreateGrant response.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGrantResponse {
    /// The token to pass in `GrantTokens`.
    pub grant_token: String,
    /// The grant id.
    pub grant_id: String,
}

/// ListGrants request.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListGrantsRequest {
    /// Page size, 1 to 1000 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// The `NextMarker` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    /// Key id or key ARN.
    pub key_id: String,
    /// Only this grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
    /// Only grants for this grantee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grantee_principal: Option<String>,
}

/// One grant (AWS `GrantListEntry`).
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GrantListEntry {
    /// The key ARN.
    pub key_id: String,
    /// The grant id.
    pub grant_id: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When it was created.
    pub creation_date: Timestamp,
    /// Who it is for.
    pub grantee_principal: String,
    /// Who may retire it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retiring_principal: Option<String>,
    /// The account that created it.
    pub issuing_account: String,
    /// The operations it allows.
    pub operations: Vec<String>,
    /// Its constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<GrantConstraints>,
}

/// ListGrants response.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListGrantsResponse {
    /// The page.
    pub grants: Vec<GrantListEntry>,
    /// Pass as `Marker` for the next page (when `Truncated`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// Whether there are more grants.
    pub truncated: bool,
}

/// RetireGrant request: `GrantToken`, or `KeyId` and `GrantId`.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetireGrantRequest {
    /// The grant's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_token: Option<String>,
    /// Key ARN (with `GrantId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The grant id (with `KeyId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
    /// Check everything, fail with `DryRunOperationException`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

/// RevokeGrant request.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RevokeGrantRequest {
    /// Key id or key ARN.
    pub key_id: String,
    /// The grant id.
    pub grant_id: String,
    /// Check everything, fail with `DryRunOperationException`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

impl<S: KeyStore> Kms<S> {
    /// CreateGrant. The same request (key, grantee, operations, constraints, retiring principal) with
    /// the same `Name` returns the existing grant, as in AWS.
    ///
    /// # Errors
    /// `ValidationException` for a member outside the model; `NotFoundException`;
    /// `DisabledException`; `KMSInvalidStateException`; `InvalidGrantTokenException`;
    /// `DryRunOperationException`.
    pub fn create_grant(&self, input: CreateGrantRequest) -> Result<CreateGrantResponse, KmsError> {
        principal("granteePrincipal", &input.grantee_principal)?;
        if let Some(p) = &input.retiring_principal {
            principal("retiringPrincipal", p)?;
        }
        if input.operations.is_empty() {
            return Err(KmsError::Validation("Operations must name at least one operation.".to_owned()));
        }
        for op in &input.operations {
            if !GRANT_OPERATIONS.contains(&op.as_str()) {
                return Err(constraint(
                    "operations.member",
                    &format!("satisfy enum value set: [{}]", GRANT_OPERATIONS.join(", ")),
                ));
            }
        }
        if let Some(name) = &input.name {
            check_len("name", name.len(), 1, 256)?;
            if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b":/_-".contains(&b)) {
                return Err(constraint("name", "satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"));
            }
        }
        let tokens = input.grant_tokens.unwrap_or_default();
        check_grant_tokens(&tokens)?;
        let key = self.metadata("keyId", &input.key_id, false)?;
        self.check_grant_tokens(&key.arn, &tokens)?;
        check_enabled(&key)?;
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun(
                "The request would have succeeded, but the DryRun flag is set.".to_owned(),
            ));
        }
        let constraints = input.constraints.filter(|c| *c != GrantConstraints::default());
        if input.name.is_some() {
            for g in self.store().list_grants(&key.arn)? {
                if g.name == input.name
                    && g.grantee_principal == input.grantee_principal
                    && g.retiring_principal == input.retiring_principal
                    && g.operations == input.operations
                    && g.constraints == constraints
                {
                    return Ok(CreateGrantResponse { grant_token: g.grant_token, grant_id: g.grant_id });
                }
            }
        }
        let mut raw = [0u8; 65];
        raw[0] = 1;
        getrandom::fill(&mut raw[1..]).map_err(|e| KmsError::Internal(format!("no randomness: {e}")))?;
        let grant_id = hex::encode(&raw[1..33]);
        let grant = Grant {
            key_id: key.arn.clone(),
            grant_id: grant_id.clone(),
            grant_token: Base64UrlUnpadded::encode_string(&raw),
            name: input.name,
            creation_date: Timestamp::now(),
            grantee_principal: input.grantee_principal,
            retiring_principal: input.retiring_principal,
            issuing_account: format!("arn:aws:iam::{}:root", self.settings().account),
            operations: input.operations,
            constraints,
        };
        self.store().insert_grant(&grant)?;
        Ok(CreateGrantResponse { grant_token: grant.grant_token, grant_id })
    }

    /// ListGrants: the grants on a key, by grant id, in pages.
    ///
    /// # Errors
    /// `ValidationException` for a `Limit` outside 1-1000; `NotFoundException`;
    /// `InvalidMarkerException`; `InvalidGrantIdException`.
    pub fn list_grants(&self, input: ListGrantsRequest) -> Result<ListGrantsResponse, KmsError> {
        let limit = limit(input.limit, 50)?;
        if let Some(id) = &input.grant_id {
            grant_id(id)?;
        }
        let key = self.metadata("keyId", &input.key_id, false)?;
        let mut grants = self.store().list_grants(&key.arn)?;
        grants.retain(|g| {
            input.grant_id.as_ref().is_none_or(|id| &g.grant_id == id)
                && input.grantee_principal.as_ref().is_none_or(|p| &g.grantee_principal == p)
                && input.marker.as_ref().is_none_or(|m| &g.grant_id > m)
        });
        if let Some(m) = &input.marker
            && grant_id(m).is_err()
        {
            return Err(KmsError::InvalidMarker("Invalid marker.".to_owned()));
        }
        let truncated = grants.len() > limit;
        grants.truncate(limit);
        let next_marker = if truncated { grants.last().map(|g| g.grant_id.clone()) } else { None };
        Ok(ListGrantsResponse { grants: grants.into_iter().map(entry).collect(), next_marker, truncated })
    }

    /// RetireGrant, by `GrantToken` or by `KeyId` and `GrantId`.
    ///
    /// # Errors
    /// `InvalidGrantTokenException` for a token naming no live grant; `InvalidGrantIdException`;
    /// `NotFoundException`; `ValidationException` when neither form is given.
    pub fn retire_grant(&self, input: RetireGrantRequest) -> Result<(), KmsError> {
        let grant = match (&input.grant_token, &input.key_id, &input.grant_id) {
            (Some(token), _, _) => {
                check_len("grantToken", token.len(), 1, 8192)?;
                self.grant_by_token(token)?
            }
            (None, Some(key_id), Some(id)) => self.grant_on_key(key_id, id)?,
            _ => {
                return Err(KmsError::Validation(
                    "Specify either GrantToken, or KeyId and GrantId.".to_owned(),
                ));
            }
        };
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun(
                "The request would have succeeded, but the DryRun flag is set.".to_owned(),
            ));
        }
        self.store().delete_grant(&grant.grant_id)?;
        Ok(())
    }

    /// RevokeGrant.
    ///
    /// # Errors
    /// `InvalidGrantIdException` for a malformed id; `NotFoundException` for an unknown key or grant.
    pub fn revoke_grant(&self, input: RevokeGrantRequest) -> Result<(), KmsError> {
        let grant = self.grant_on_key(&input.key_id, &input.grant_id)?;
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun(
                "The request would have succeeded, but the DryRun flag is set.".to_owned(),
            ));
        }
        self.store().delete_grant(&grant.grant_id)?;
        Ok(())
    }

    /// Checks that every token names a live grant on `arn`.
    pub(crate) fn check_grant_tokens(&self, arn: &KmsKeyArn, tokens: &[String]) -> Result<(), KmsError> {
        self.check_grant_tokens_any(&[arn], tokens)
    }

    /// Checks that every token names a live grant on one of `arns`.
    pub(crate) fn check_grant_tokens_any(
        &self,
        arns: &[&KmsKeyArn],
        tokens: &[String],
    ) -> Result<(), KmsError> {
        for token in tokens {
            let grant = self.grant_by_token(token)?;
            if !arns.contains(&&grant.key_id) {
                return Err(KmsError::InvalidGrantToken(
                    "The grant token is not for the KMS key in the request.".to_owned(),
                ));
            }
        }
        Ok(())
    }

    /// The live grant `token` names.
    fn grant_by_token(&self, token: &str) -> Result<Grant, KmsError> {
        let invalid = || KmsError::InvalidGrantToken("Invalid grant token.".to_owned());
        let raw = Base64UrlUnpadded::decode_vec(token).map_err(|_| invalid())?;
        if raw.len() != 65 || raw[0] != 1 {
            return Err(invalid());
        }
        let id = hex::encode(&raw[1..33]);
        let grant = self.store().get_grant(&id)?.ok_or_else(invalid)?;
        // Constant time: the token's secret half must not be learnable byte by byte from timing.
        if !bool::from(subtle::ConstantTimeEq::ct_eq(grant.grant_token.as_bytes(), token.as_bytes())) {
            return Err(invalid());
        }
        // A grant on a key that is gone is gone too.
        match self.store().get_kms_key_metadata(&grant.key_id)? {
            Some(k) if !k.is_deleted(Timestamp::now()) => Ok(grant),
            _ => Err(invalid()),
        }
    }

    /// The grant `id` on the key `key_id` names.
    fn grant_on_key(&self, key_id: &str, id: &str) -> Result<Grant, KmsError> {
        grant_id(id)?;
        let key = self.metadata("keyId", key_id, false)?;
        match self.store().get_grant(id)? {
            Some(g) if g.key_id == key.arn => Ok(g),
            _ => Err(KmsError::NotFound(format!("Grant ID {id} not found"))),
        }
    }
}

/// Checks a principal against the model: 1 to 256 of `[\w+=,.@:/-]`.
fn principal(member: &str, value: &str) -> Result<(), KmsError> {
    check_len(member, value.len(), 1, 256)?;
    if !value.chars().all(|c| c.is_alphanumeric() || "_+=,.@:/-".contains(c)) {
        return Err(constraint(member, "satisfy regular expression pattern: ^[\\w+=,.@:/-]+$"));
    }
    Ok(())
}

/// Checks a grant id: 64 lower-case hex digits (the model allows 1 to 128 characters).
fn grant_id(id: &str) -> Result<(), KmsError> {
    check_len("grantId", id.len(), 1, 128)?;
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(KmsError::InvalidGrantId(format!("Invalid grant ID {id}")));
    }
    Ok(())
}

fn entry(g: Grant) -> GrantListEntry {
    GrantListEntry {
        key_id: g.key_id.to_string(),
        grant_id: g.grant_id,
        name: g.name,
        creation_date: g.creation_date,
        grantee_principal: g.grantee_principal,
        retiring_principal: g.retiring_principal,
        issuing_account: g.issuing_account,
        operations: g.operations,
        constraints: g.constraints,
    }
}
