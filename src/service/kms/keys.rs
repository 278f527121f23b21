//! Key operations: CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, ScheduleKeyDeletion,
//! CancelKeyDeletion.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::keys::{
    KeyStore, KmsKey, KmsKeyId, KmsKeySpec, KmsKeyState, KmsMaterial, StoredKmsKey, Timestamp,
};
use crate::primitives::rsa::RsaPrivateKey;
use crate::service::kms::wire::{
    EncryptionAlgorithm, check_grant_tokens, check_len, check_range, constraint,
};
use crate::service::kms::{Kms, KmsError};

/// How many keys one store read fetches while listing.
const SCAN_BATCH: usize = 256;

/// CreateKey request. paycrypt makes ENCRYPT_DECRYPT keys of spec SYMMETRIC_DEFAULT or RSA_2048/3072/4096
/// with origin AWS_KMS; `Policy`, `Tags` and `BypassPolicyLockoutSafetyCheck` are accepted and not
/// stored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateKeyRequest {
    /// Key policy (accepted, not stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// Free text, up to 8192 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// ENCRYPT_DECRYPT (the default); the other usages are not implemented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_usage: Option<String>,
    /// The deprecated name of `KeySpec`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_master_key_spec: Option<String>,
    /// SYMMETRIC_DEFAULT (the default), RSA_2048, RSA_3072 or RSA_4096.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_spec: Option<String>,
    /// AWS_KMS (the default); the other origins are not implemented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Not implemented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_key_store_id: Option<String>,
    /// Accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bypass_policy_lockout_safety_check: Option<bool>,
    /// Tags (accepted, not stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Value>,
    /// Only `false` is implemented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_region: Option<bool>,
    /// Not implemented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xks_key_id: Option<String>,
}

/// A key's metadata (AWS `KeyMetadata`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadata {
    /// The account.
    #[serde(rename = "AWSAccountId")]
    pub aws_account_id: String,
    /// The key id (UUID).
    pub key_id: String,
    /// The key ARN.
    pub arn: String,
    /// When it was created.
    pub creation_date: Timestamp,
    /// Whether it is enabled.
    pub enabled: bool,
    /// Its description.
    pub description: String,
    /// Always ENCRYPT_DECRYPT.
    pub key_usage: String,
    /// Enabled, Disabled or PendingDeletion.
    pub key_state: KmsKeyState,
    /// When it will be deleted (PendingDeletion).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<Timestamp>,
    /// Always AWS_KMS.
    pub origin: String,
    /// Always CUSTOMER.
    pub key_manager: String,
    /// The deprecated copy of `KeySpec`.
    pub customer_master_key_spec: KmsKeySpec,
    /// Its spec.
    pub key_spec: KmsKeySpec,
    /// The algorithms it encrypts with.
    pub encryption_algorithms: Vec<EncryptionAlgorithm>,
    /// Always false.
    pub multi_region: bool,
    /// The waiting period (PendingDeletion).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_deletion_window_in_days: Option<u32>,
}

/// CreateKey response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateKeyResponse {
    /// The new key.
    pub key_metadata: KeyMetadata,
}

/// DescribeKey response.
pub type DescribeKeyResponse = CreateKeyResponse;

/// DescribeKey request.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeKeyRequest {
    /// Key id, key ARN, alias name or alias ARN.
    pub key_id: String,
    /// Grant tokens, at most 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_tokens: Option<Vec<String>>,
}

/// A request naming one key by id or ARN (EnableKey, DisableKey, CancelKeyDeletion).
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyIdRequest {
    /// Key id or key ARN.
    pub key_id: String,
}

/// ListKeys request.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeysRequest {
    /// Page size, 1 to 1000 (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// The `NextMarker` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

/// One key in a ListKeys page.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyListEntry {
    /// The key id.
    pub key_id: String,
    /// The key ARN.
    pub key_arn: String,
}

/// ListKeys response.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeysResponse {
    /// The page.
    pub keys: Vec<KeyListEntry>,
    /// Pass as `Marker` for the next page (when `Truncated`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// Whether there are more keys.
    pub truncated: bool,
}

/// ScheduleKeyDeletion request.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleKeyDeletionRequest {
    /// Key id or key ARN.
    pub key_id: String,
    /// Days until deletion, 7 to 30 (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_window_in_days: Option<i64>,
}

/// ScheduleKeyDeletion response.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleKeyDeletionResponse {
    /// The key ARN.
    pub key_id: String,
    /// When it will be deleted.
    pub deletion_date: Timestamp,
    /// PendingDeletion.
    pub key_state: KmsKeyState,
    /// The waiting period.
    pub pending_window_in_days: u32,
}

/// CancelKeyDeletion response.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancelKeyDeletionResponse {
    /// The key ARN.
    pub key_id: String,
}

/// Key specs in KMS's model that paycrypt does not implement.
const OTHER_SPECS: &[&str] = &[
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "HMAC_224",
    "HMAC_256",
    "HMAC_384",
    "HMAC_512",
    "SM2",
    "ML_DSA_44",
    "ML_DSA_65",
    "ML_DSA_87",
    "ECC_NIST_EDWARDS25519",
];

impl<S: KeyStore> Kms<S> {
    /// CreateKey: a new key with fresh random material.
    ///
    /// # Errors
    /// `ValidationException` for a value outside the model; `UnsupportedOperationException` for a
    /// spec, usage, origin or option paycrypt does not implement.
    pub fn create_key(&self, input: CreateKeyRequest) -> Result<CreateKeyResponse, KmsError> {
        let description = input.description.unwrap_or_default();
        check_len("description", description.len(), 0, 8192)?;
        if input.key_spec.is_some() && input.customer_master_key_spec.is_some() {
            return Err(KmsError::Validation(
                "You cannot specify both KeySpec and CustomerMasterKeySpec.".to_owned(),
            ));
        }
        let spec = key_spec(input.key_spec.or(input.customer_master_key_spec).as_deref())?;
        match input.key_usage.as_deref() {
            None | Some("ENCRYPT_DECRYPT") => {}
            Some(u @ ("SIGN_VERIFY" | "GENERATE_VERIFY_MAC" | "KEY_AGREEMENT")) => {
                return Err(KmsError::Unsupported(format!("paycrypt does not implement KeyUsage {u}.")));
            }
            Some(_) => {
                return Err(constraint(
                    "keyUsage",
                    "satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC, KEY_AGREEMENT]",
                ));
            }
        }
        match input.origin.as_deref() {
            None | Some("AWS_KMS") => {}
            Some(o @ ("EXTERNAL" | "AWS_CLOUDHSM" | "EXTERNAL_KEY_STORE")) => {
                return Err(KmsError::Unsupported(format!("paycrypt does not implement Origin {o}.")));
            }
            Some(_) => {
                return Err(constraint(
                    "origin",
                    "satisfy enum value set: [AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE]",
                ));
            }
        }
        if input.custom_key_store_id.is_some() || input.xks_key_id.is_some() {
            return Err(KmsError::Unsupported("paycrypt has no custom key stores.".to_owned()));
        }
        if input.multi_region == Some(true) {
            return Err(KmsError::Unsupported("paycrypt does not implement multi-Region keys.".to_owned()));
        }
        let material = match spec.rsa_bits() {
            None => {
                let mut key = Zeroizing::new([0u8; 32]);
                getrandom::fill(key.as_mut())
                    .map_err(|e| KmsError::Internal(format!("no randomness: {e}")))?;
                KmsMaterial::Aes256(key)
            }
            Some(bits) => {
                let key = RsaPrivateKey::generate(bits).map_err(|e| KmsError::Internal(e.to_string()))?;
                KmsMaterial::RsaPem(key.to_pem().map_err(|e| KmsError::Internal(e.to_string()))?)
            }
        };
        let id = KmsKeyId::random().map_err(|e| KmsError::Internal(format!("no randomness: {e}")))?;
        let key = KmsKey {
            arn: self.arn_of(&id),
            key_spec: spec,
            description,
            key_state: KmsKeyState::Enabled,
            creation_date: Timestamp::now(),
            deletion_date: None,
            pending_deletion_window_in_days: None,
        };
        self.store().insert_kms_keys(&[StoredKmsKey { key: key.clone(), material }])?;
        Ok(CreateKeyResponse { key_metadata: self.key_metadata(&key) })
    }

    /// DescribeKey.
    ///
    /// # Errors
    /// `NotFoundException`; `InvalidGrantTokenException`.
    pub fn describe_key(&self, input: DescribeKeyRequest) -> Result<DescribeKeyResponse, KmsError> {
        let tokens = input.grant_tokens.unwrap_or_default();
        check_grant_tokens(&tokens)?;
        let key = self.metadata("keyId", &input.key_id, true)?;
        self.check_grant_tokens(&key.arn, &tokens)?;
        Ok(CreateKeyResponse { key_metadata: self.key_metadata(&key) })
    }

    /// ListKeys, by ARN, in pages.
    ///
    /// # Errors
    /// `ValidationException` for a `Limit` outside 1-1000; `InvalidMarkerException`.
    pub fn list_keys(&self, input: ListKeysRequest) -> Result<ListKeysResponse, KmsError> {
        let limit = limit(input.limit, 100)?;
        let mut after = match &input.marker {
            Some(m) => Some(
                KmsKeyId::parse(m)
                    .map(|id| self.arn_of(&id))
                    .map_err(|_| KmsError::InvalidMarker("Invalid marker.".to_owned()))?,
            ),
            None => None,
        };
        let now = Timestamp::now();
        let mut keys = Vec::new();
        loop {
            let batch = self.store().list_kms_keys(after.as_ref(), SCAN_BATCH)?;
            let exhausted = batch.len() < SCAN_BATCH;
            for key in batch {
                if key.is_deleted(now) {
                    after = Some(key.arn);
                    continue;
                }
                if keys.len() == limit {
                    let next = keys.last().map(|k: &KeyListEntry| k.key_id.clone());
                    return Ok(ListKeysResponse { keys, next_marker: next, truncated: true });
                }
                keys.push(KeyListEntry {
                    key_id: key.arn.key_id().to_string(),
                    key_arn: key.arn.to_string(),
                });
                after = Some(key.arn);
            }
            if exhausted {
                return Ok(ListKeysResponse { keys, next_marker: None, truncated: false });
            }
        }
    }

    /// EnableKey.
    ///
    /// # Errors
    /// `NotFoundException`; `KMSInvalidStateException` for a key pending deletion.
    pub fn enable_key(&self, input: KeyIdRequest) -> Result<(), KmsError> {
        self.set_enabled(&input.key_id, true)
    }

    /// DisableKey.
    ///
    /// # Errors
    /// `NotFoundException`; `KMSInvalidStateException` for a key pending deletion.
    pub fn disable_key(&self, input: KeyIdRequest) -> Result<(), KmsError> {
        self.set_enabled(&input.key_id, false)
    }

    fn set_enabled(&self, key_id: &str, enabled: bool) -> Result<(), KmsError> {
        let mut key = self.metadata("keyId", key_id, false)?;
        if key.key_state == KmsKeyState::PendingDeletion {
            return Err(KmsError::InvalidState(format!("{} is pending deletion.", key.arn)));
        }
        key.key_state = if enabled { KmsKeyState::Enabled } else { KmsKeyState::Disabled };
        self.store().update_kms_key(&key)?;
        Ok(())
    }

    /// ScheduleKeyDeletion: the key is refused from now on and deleted after 7 to 30 days (default 30).
    ///
    /// # Errors
    /// `ValidationException` for a window outside 7-30; `NotFoundException`;
    /// `KMSInvalidStateException` for a key already pending deletion.
    pub fn schedule_key_deletion(
        &self,
        input: ScheduleKeyDeletionRequest,
    ) -> Result<ScheduleKeyDeletionResponse, KmsError> {
        let days = input.pending_window_in_days.unwrap_or(30);
        check_range("pendingWindowInDays", days, 1, 365)?;
        let days = u32::try_from(days).unwrap_or(30);
        if !(7..=30).contains(&days) {
            return Err(KmsError::Validation(format!(
                "PendingWindowInDays ({days}) must be between 7 and 30 days."
            )));
        }
        let mut key = self.metadata("keyId", &input.key_id, false)?;
        if key.key_state == KmsKeyState::PendingDeletion {
            return Err(KmsError::InvalidState(format!("{} is pending deletion.", key.arn)));
        }
        let date = Timestamp::now().plus_days(days);
        key.key_state = KmsKeyState::PendingDeletion;
        key.deletion_date = Some(date);
        key.pending_deletion_window_in_days = Some(days);
        self.store().update_kms_key(&key)?;
        Ok(ScheduleKeyDeletionResponse {
            key_id: key.arn.to_string(),
            deletion_date: date,
            key_state: KmsKeyState::PendingDeletion,
            pending_window_in_days: days,
        })
    }

    /// CancelKeyDeletion: the key returns to Disabled, as in AWS.
    ///
    /// # Errors
    /// `NotFoundException`; `KMSInvalidStateException` for a key not pending deletion.
    pub fn cancel_key_deletion(&self, input: KeyIdRequest) -> Result<CancelKeyDeletionResponse, KmsError> {
        let mut key = self.metadata("keyId", &input.key_id, false)?;
        if key.key_state != KmsKeyState::PendingDeletion {
            return Err(KmsError::InvalidState(format!("{} is not pending deletion.", key.arn)));
        }
        key.key_state = KmsKeyState::Disabled;
        key.deletion_date = None;
        key.pending_deletion_window_in_days = None;
        self.store().update_kms_key(&key)?;
        Ok(CancelKeyDeletionResponse { key_id: key.arn.to_string() })
    }

    /// `key` in AWS's `KeyMetadata` shape.
    pub(crate) fn key_metadata(&self, key: &KmsKey) -> KeyMetadata {
        let algorithms = match key.key_spec {
            KmsKeySpec::SymmetricDefault => vec![EncryptionAlgorithm::SymmetricDefault],
            _ => vec![EncryptionAlgorithm::RsaesOaepSha1, EncryptionAlgorithm::RsaesOaepSha256],
        };
        KeyMetadata {
            aws_account_id: self.settings().account.to_string(),
            key_id: key.arn.key_id().to_string(),
            arn: key.arn.to_string(),
            creation_date: key.creation_date,
            enabled: key.key_state == KmsKeyState::Enabled,
            description: key.description.clone(),
            key_usage: "ENCRYPT_DECRYPT".to_owned(),
            key_state: key.key_state,
            deletion_date: key.deletion_date,
            origin: "AWS_KMS".to_owned(),
            key_manager: "CUSTOMER".to_owned(),
            customer_master_key_spec: key.key_spec,
            key_spec: key.key_spec,
            encryption_algorithms: algorithms,
            multi_region: false,
            pending_deletion_window_in_days: key.pending_deletion_window_in_days,
        }
    }
}

/// Parses a `KeySpec`: ours, one of the model's others (not implemented), or not in the model.
pub(crate) fn key_spec(spec: Option<&str>) -> Result<KmsKeySpec, KmsError> {
    match spec {
        None | Some("SYMMETRIC_DEFAULT") => Ok(KmsKeySpec::SymmetricDefault),
        Some("RSA_2048") => Ok(KmsKeySpec::Rsa2048),
        Some("RSA_3072") => Ok(KmsKeySpec::Rsa3072),
        Some("RSA_4096") => Ok(KmsKeySpec::Rsa4096),
        Some(other) if OTHER_SPECS.contains(&other) => {
            Err(KmsError::Unsupported(format!("paycrypt does not implement KeySpec {other}.")))
        }
        Some(_) => Err(constraint(
            "keySpec",
            "satisfy enum value set: [SYMMETRIC_DEFAULT, RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, \
             ECC_NIST_P521, ECC_SECG_P256K1, HMAC_224, HMAC_256, HMAC_384, HMAC_512, SM2, ML_DSA_44, ML_DSA_65, \
             ML_DSA_87, ECC_NIST_EDWARDS25519]",
        )),
    }
}

/// A page size: `Limit` 1 to 1000, or `default`.
pub(crate) fn limit(value: Option<i64>, default: usize) -> Result<usize, KmsError> {
    match value {
        None => Ok(default),
        Some(n) => {
            check_range("limit", n, 1, 1000)?;
            Ok(usize::try_from(n).unwrap_or(default))
        }
    }
}
