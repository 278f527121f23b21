//! The control plane's key operations (CreateKey, ImportKey, GetKey, ListKeys, DeleteKey, RestoreKey,
//! StartKeyUsage, StopKeyUsage), with AWS's shapes. Aliases are in `aliases.rs`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::keys::KeyClass;
use crate::keys::{
    Key, KeyArn, KeyAttributes, KeyCheckValueAlgorithm, KeyId, KeyMaterial, KeyOrigin, KeyState, KeyStore,
    SecretText, StoredKey, Timestamp,
};
use crate::primitives::SymmetricKey;
use crate::primitives::kcv::{KcvAlgorithm, kcv};
use crate::primitives::rsa::RsaPrivateKey;
use crate::service::data::{parse_rsa, rsa_check_value, rsa_key};
use crate::service::exchange::{Member, import_member};
use crate::service::{
    ImportKeyCryptogram, ImportTr31KeyBlock, ImportTr34KeyBlock, PaymentCryptography,
    RootCertificatePublicKey, ServiceError, TrustedCertificatePublicKey,
};

/// CreateKey request.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct CreateKeyInput {
    /// The key's attributes.
    pub key_attributes: KeyAttributes,
    /// Whether the key may be exported.
    pub exportable: bool,
    /// How to compute the check value (default by algorithm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_check_value_algorithm: Option<KeyCheckValueAlgorithm>,
    /// Whether the key starts enabled (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Tags: accepted and not stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Value>,
}

/// The local `ClearKey` member of `ImportKeyMaterial`: attributes and the key in the clear.
///
/// # Security Warning
/// Clear key material is for tests and emulation only; real key exchange uses TR-31 or TR-34.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ClearKeyMaterial {
    /// The key's attributes.
    pub key_attributes: KeyAttributes,
    /// Hex for TDES/AES keys; PEM for RSA keys.
    pub key_material: SecretText,
    /// Whether the key may be exported (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exportable: Option<bool>,
}

/// AWS `ImportKeyMaterial` (a union), plus paycrypt's local `ClearKey` member. The Diffie-Hellman and
/// AS2805 members are refused by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ImportKeyMaterial {
    /// paycrypt's clear-key import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clear_key: Option<ClearKeyMaterial>,
    /// A certificate authority's root certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_certificate_public_key: Option<RootCertificatePublicKey>,
    /// A certificate issued by an imported root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_certificate_public_key: Option<TrustedCertificatePublicKey>,
    /// A TR-31 key block under a KEK in the store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tr31_key_block: Option<ImportTr31KeyBlock>,
    /// A TR-34 key block to an import token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tr34_key_block: Option<ImportTr34KeyBlock>,
    /// An RSA key cryptogram to an import token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_cryptogram: Option<ImportKeyCryptogram>,
    /// Refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diffie_hellman_tr31_key_block: Option<Value>,
    /// Refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as2805_key_cryptogram: Option<Value>,
}

/// ImportKey request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ImportKeyInput {
    /// The material.
    pub key_material: ImportKeyMaterial,
    /// How to compute the check value (default by algorithm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_check_value_algorithm: Option<KeyCheckValueAlgorithm>,
    /// Whether the key starts enabled (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Tags: accepted and not stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Value>,
}

/// A response holding one key (CreateKey, ImportKey, GetKey, DeleteKey, RestoreKey, Start/StopKeyUsage).
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyOutput {
    /// The key.
    pub key: Key,
}

/// A request naming one key (GetKey, RestoreKey, StartKeyUsage, StopKeyUsage).
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct KeyIdentifierInput {
    /// Key ARN or alias.
    pub key_identifier: String,
}

/// DeleteKey request.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeleteKeyInput {
    /// Key ARN or alias.
    pub key_identifier: String,
    /// Days until deletion, 3 to 180 (default 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_key_in_days: Option<i64>,
}

/// ListKeys request.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ListKeysInput {
    /// Only keys in this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_state: Option<KeyState>,
    /// Where the previous page stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Page size, 1 to 100 (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
}

/// One key in a ListKeys page (AWS `KeySummary`).
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeySummary {
    /// Whether it is enabled.
    pub enabled: bool,
    /// Whether it is exportable.
    pub exportable: bool,
    /// Its ARN.
    pub key_arn: KeyArn,
    /// Its attributes.
    pub key_attributes: KeyAttributes,
    /// Its check value.
    pub key_check_value: String,
    /// Its state.
    pub key_state: KeyState,
}

/// ListKeys response.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeysOutput {
    /// The page.
    pub keys: Vec<KeySummary>,
    /// Pass back to get the next page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// How many records a listing reads from the store at a time while filtering.
pub(crate) const SCAN_BATCH: usize = 256;

impl<S: KeyStore> PaymentCryptography<S> {
    /// CreateKey: a new key with random material.
    ///
    /// # Errors
    /// `ValidationException` for attributes AWS does not accept or a check-value algorithm that does
    /// not fit; `InternalServerException` when the store fails.
    pub fn create_key(&self, input: CreateKeyInput) -> Result<KeyOutput, ServiceError> {
        check_attributes("KeyAttributes", &input.key_attributes)?;
        let material = random_material(&input.key_attributes)?;
        let stored = self.new_key(
            input.key_attributes,
            material,
            input.key_check_value_algorithm,
            input.enabled.unwrap_or(true),
            input.exportable,
            KeyOrigin::AwsPaymentCryptography,
            None,
        )?;
        self.store().insert_key(&stored)?;
        Ok(KeyOutput { key: stored.key })
    }

    /// ImportKey: a key wrapped as a TR-31 block (under a KEK in the store), a TR-34 block or an RSA
    /// key cryptogram (to an import token), a certificate (`RootCertificatePublicKey`,
    /// `TrustedCertificatePublicKey`), or paycrypt's local `ClearKey`.
    ///
    /// # Errors
    /// `ValidationException` for a union with not exactly one member, a Diffie-Hellman or AS2805
    /// member, attributes AWS does not accept, material that does not unwrap or fit, a wrapping key
    /// that may not unwrap it, a certificate that does not chain, an unknown or expired import token;
    /// `ResourceNotFoundException` for an unknown wrapping key.
    pub fn import_key(&self, input: ImportKeyInput) -> Result<KeyOutput, ServiceError> {
        let enabled = input.enabled.unwrap_or(true);
        let stored = match import_member(&input.key_material)? {
            Member::Clear(clear) => self.clear_key(clear, input.key_check_value_algorithm, enabled, None)?,
            member => {
                let imported = self.import_wrapped(&member)?;
                self.new_key(
                    imported.attributes,
                    imported.material,
                    input.key_check_value_algorithm,
                    enabled,
                    imported.exportable,
                    KeyOrigin::External,
                    None,
                )?
            }
        };
        self.store().insert_key(&stored)?;
        Ok(KeyOutput { key: stored.key })
    }

    /// Builds (without storing) a key from clear material, with a given or random key id.
    pub(crate) fn clear_key(
        &self,
        clear: &ClearKeyMaterial,
        kcv_algorithm: Option<KeyCheckValueAlgorithm>,
        enabled: bool,
        id: Option<KeyId>,
    ) -> Result<StoredKey, ServiceError> {
        check_attributes("KeyMaterial.ClearKey.KeyAttributes", &clear.key_attributes)?;
        let attrs = clear.key_attributes;
        let path = "KeyMaterial.ClearKey.KeyMaterial";
        let material = match attrs.key_algorithm.symmetric() {
            Some(algorithm) => {
                let text = clear.key_material.expose().trim();
                if !text.bytes().all(|b| b.is_ascii_hexdigit()) || !text.len().is_multiple_of(2) {
                    return Err(ServiceError::field(
                        path,
                        format!("{path} must be hex for {algorithm} keys."),
                    ));
                }
                let bytes = Zeroizing::new(
                    hex::decode(text)
                        .map_err(|_| ServiceError::field(path, format!("{path} must be hex.")))?,
                );
                let key = SymmetricKey::new(algorithm, &bytes)
                    .map_err(|e| ServiceError::field(path, format!("{path}: {e}")).with_reason(e))?;
                KeyMaterial::Symmetric(key)
            }
            None if attrs.key_algorithm.rsa_bits().is_some() => {
                let pem = clear.key_material.expose().trim();
                parse_rsa(&attrs, pem, path)?;
                KeyMaterial::RsaPem(Zeroizing::new(pem.to_owned()))
            }
            None => {
                return Err(ServiceError::field(
                    path,
                    format!("paycrypt cannot import {} key material.", attrs.key_algorithm),
                ));
            }
        };
        self.new_key(
            attrs,
            material,
            kcv_algorithm,
            enabled,
            clear.exportable.unwrap_or(true),
            KeyOrigin::External,
            id,
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new_key(
        &self,
        attrs: KeyAttributes,
        material: KeyMaterial,
        kcv_algorithm: Option<KeyCheckValueAlgorithm>,
        enabled: bool,
        exportable: bool,
        origin: KeyOrigin,
        id: Option<KeyId>,
    ) -> Result<StoredKey, ServiceError> {
        let (key_check_value, key_check_value_algorithm) = check_value(&attrs, &material, kcv_algorithm)?;
        let id = match id {
            Some(id) => id,
            None => KeyId::random().map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?,
        };
        let now = Timestamp::now();
        let key = Key {
            create_timestamp: now,
            delete_pending_timestamp: None,
            delete_timestamp: None,
            enabled,
            exportable,
            key_arn: KeyArn::new(&self.settings().region, &self.settings().account, &id),
            key_attributes: attrs,
            key_check_value,
            key_check_value_algorithm,
            key_origin: origin,
            key_state: KeyState::CreateComplete,
            usage_start_timestamp: enabled.then_some(now),
            usage_stop_timestamp: None,
        };
        Ok(StoredKey { key, material })
    }

    /// GetKey.
    ///
    /// # Errors
    /// `ValidationException` for a malformed identifier; `ResourceNotFoundException`.
    pub fn get_key(&self, input: KeyIdentifierInput) -> Result<KeyOutput, ServiceError> {
        Ok(KeyOutput { key: self.metadata("KeyIdentifier", &input.key_identifier)? })
    }

    /// ListKeys, by ARN, optionally only keys in one state, in pages.
    ///
    /// # Errors
    /// `ValidationException` for a `MaxResults` outside 1-100 or a `NextToken` not from ListKeys.
    pub fn list_keys(&self, input: ListKeysInput) -> Result<ListKeysOutput, ServiceError> {
        let max = page_size(input.max_results)?;
        let mut after =
            match &input.next_token {
                Some(t) => Some(KeyArn::parse(t).map_err(|_| {
                    ServiceError::field("NextToken", "NextToken is not one ListKeys returned.")
                })?),
                None => None,
            };
        let prefix = format!(
            "arn:aws:payment-cryptography:{}:{}:key/",
            self.settings().region,
            self.settings().account
        );
        let now = Timestamp::now();
        let mut keys = Vec::new();
        loop {
            let batch = self.store().list_keys(after.as_ref(), SCAN_BATCH)?;
            let exhausted = batch.len() < SCAN_BATCH;
            for key in batch {
                after = Some(key.key_arn.clone());
                let key = key.as_of(now);
                if !key.key_arn.as_str().starts_with(&prefix)
                    || input.key_state.is_some_and(|s| s != key.key_state)
                {
                    continue;
                }
                keys.push(KeySummary {
                    enabled: key.enabled,
                    exportable: key.exportable,
                    key_arn: key.key_arn,
                    key_attributes: key.key_attributes,
                    key_check_value: key.key_check_value,
                    key_state: key.key_state,
                });
                if keys.len() == max {
                    let more = !self.store().list_keys(after.as_ref(), 1)?.is_empty();
                    return Ok(ListKeysOutput {
                        keys,
                        next_token: if more { after.map(|a| a.to_string()) } else { None },
                    });
                }
            }
            if exhausted {
                return Ok(ListKeysOutput { keys, next_token: None });
            }
        }
    }

    /// DeleteKey: schedules deletion in `DeleteKeyInDays` (3-180, default 7) days; the key is disabled
    /// and DELETE_PENDING until then.
    ///
    /// # Errors
    /// `ValidationException` for days out of range; `ResourceNotFoundException`; `ConflictException`
    /// when the key is already pending deletion or deleted.
    pub fn delete_key(&self, input: DeleteKeyInput) -> Result<KeyOutput, ServiceError> {
        let days = input.delete_key_in_days.unwrap_or(7);
        let days = u32::try_from(days).ok().filter(|d| (3..=180).contains(d)).ok_or_else(|| {
            ServiceError::field(
                "DeleteKeyInDays",
                format!("DeleteKeyInDays ({days}) must be between 3 and 180."),
            )
        })?;
        let mut key = self.metadata("KeyIdentifier", &input.key_identifier)?;
        if key.key_state != KeyState::CreateComplete {
            return Err(ServiceError::Conflict(format!("Key {} is {}.", key.key_arn, key.key_state)));
        }
        let now = Timestamp::now();
        key.key_state = KeyState::DeletePending;
        key.delete_pending_timestamp = Some(now);
        key.delete_timestamp = Some(now.plus_days(days));
        if key.enabled {
            key.enabled = false;
            key.usage_stop_timestamp = Some(now);
        }
        self.store().update_key(&key)?;
        Ok(KeyOutput { key })
    }

    /// RestoreKey: cancels a scheduled deletion. The key comes back CREATE_COMPLETE and disabled
    /// (StartKeyUsage enables it).
    ///
    /// # Errors
    /// `ResourceNotFoundException`; `ConflictException` when the key is not pending deletion.
    pub fn restore_key(&self, input: KeyIdentifierInput) -> Result<KeyOutput, ServiceError> {
        let mut key = self.metadata("KeyIdentifier", &input.key_identifier)?;
        if key.key_state != KeyState::DeletePending {
            return Err(ServiceError::Conflict(format!(
                "Key {} is {}, not DELETE_PENDING.",
                key.key_arn, key.key_state
            )));
        }
        key.key_state = KeyState::CreateComplete;
        key.delete_pending_timestamp = None;
        key.delete_timestamp = None;
        self.store().update_key(&key)?;
        Ok(KeyOutput { key })
    }

    /// StartKeyUsage: enables a key.
    ///
    /// # Errors
    /// `ResourceNotFoundException`; `ConflictException` for a key pending deletion or deleted.
    pub fn start_key_usage(&self, input: KeyIdentifierInput) -> Result<KeyOutput, ServiceError> {
        self.set_enabled(&input.key_identifier, true)
    }

    /// StopKeyUsage: disables a key.
    ///
    /// # Errors
    /// As [`PaymentCryptography::start_key_usage`].
    pub fn stop_key_usage(&self, input: KeyIdentifierInput) -> Result<KeyOutput, ServiceError> {
        self.set_enabled(&input.key_identifier, false)
    }

    fn set_enabled(&self, identifier: &str, enabled: bool) -> Result<KeyOutput, ServiceError> {
        let mut key = self.metadata("KeyIdentifier", identifier)?;
        if key.key_state != KeyState::CreateComplete {
            return Err(ServiceError::Conflict(format!("Key {} is {}.", key.key_arn, key.key_state)));
        }
        if key.enabled != enabled {
            key.enabled = enabled;
            let now = Some(Timestamp::now());
            if enabled {
                key.usage_start_timestamp = now;
                key.usage_stop_timestamp = None;
            } else {
                key.usage_stop_timestamp = now;
            }
            self.store().update_key(&key)?;
        }
        Ok(KeyOutput { key })
    }
}

fn check_attributes(path: &str, attrs: &KeyAttributes) -> Result<(), ServiceError> {
    attrs.check().map_err(|e| ServiceError::field(path, e.to_string()).with_reason(e))
}

pub(crate) fn page_size(max: Option<i64>) -> Result<usize, ServiceError> {
    let max = max.unwrap_or(100);
    usize::try_from(max).ok().filter(|m| (1..=100).contains(m)).ok_or_else(|| {
        ServiceError::field("MaxResults", format!("MaxResults ({max}) must be between 1 and 100."))
    })
}

/// Fresh random material for CreateKey: a TDES or AES key, or an RSA key pair.
fn random_material(attrs: &KeyAttributes) -> Result<KeyMaterial, ServiceError> {
    let algorithm = attrs.key_algorithm;
    if let Some(symmetric) = algorithm.symmetric() {
        let mut bytes = Zeroizing::new(vec![0u8; symmetric.key_len()]);
        getrandom::fill(&mut bytes).map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
        let key = SymmetricKey::new(symmetric, &bytes).map_err(|e| ServiceError::Internal(e.to_string()))?;
        return Ok(KeyMaterial::Symmetric(key));
    }
    match (algorithm.rsa_bits(), attrs.key_class) {
        (Some(bits), KeyClass::AsymmetricKeyPair) => {
            let key = RsaPrivateKey::generate(bits).map_err(|e| ServiceError::Internal(e.to_string()))?;
            let pem = key.to_pem().map_err(|e| ServiceError::Internal(e.to_string()))?;
            Ok(KeyMaterial::RsaPem(pem))
        }
        (Some(_), class) => Err(ServiceError::field(
            "KeyAttributes.KeyClass",
            format!(
                "CreateKey makes RSA keys as ASYMMETRIC_KEY_PAIR, not {class}; import a public key instead."
            ),
        )),
        (None, _) => Err(ServiceError::field(
            "KeyAttributes.KeyAlgorithm",
            format!("CreateKey in paycrypt makes TDES, AES and RSA keys, not {algorithm}."),
        )),
    }
}

/// The check value (upper-case hex) of `material` and the algorithm used: 3 bytes of ANSI_X9_24 or
/// CMAC for TDES/AES keys, paycrypt's SHA_1 value for RSA keys.
pub(crate) fn check_value(
    attrs: &KeyAttributes,
    material: &KeyMaterial,
    requested: Option<KeyCheckValueAlgorithm>,
) -> Result<(String, KeyCheckValueAlgorithm), ServiceError> {
    match material {
        KeyMaterial::Symmetric(key) => {
            let algorithm = match requested {
                None => KcvAlgorithm::default_for(key.algorithm()),
                Some(KeyCheckValueAlgorithm::AnsiX924) => KcvAlgorithm::AnsiX924,
                Some(KeyCheckValueAlgorithm::Cmac) => KcvAlgorithm::Cmac,
                Some(other) => {
                    return Err(ServiceError::field(
                        "KeyCheckValueAlgorithm",
                        format!(
                            "KeyCheckValueAlgorithm {other} does not apply to {} keys; use ANSI_X9_24 or CMAC.",
                            key.algorithm()
                        ),
                    ));
                }
            };
            let name = match algorithm {
                KcvAlgorithm::AnsiX924 => KeyCheckValueAlgorithm::AnsiX924,
                KcvAlgorithm::Cmac => KeyCheckValueAlgorithm::Cmac,
            };
            Ok((hex::encode_upper(kcv(key, algorithm)), name))
        }
        KeyMaterial::RsaPem(_) => {
            if requested.is_some_and(|r| r != KeyCheckValueAlgorithm::Sha1) {
                return Err(ServiceError::field(
                    "KeyCheckValueAlgorithm",
                    format!("KeyCheckValueAlgorithm for {} keys is SHA_1.", attrs.key_algorithm),
                ));
            }
            let key = rsa_key(attrs, material)?;
            Ok((rsa_check_value(&key)?, KeyCheckValueAlgorithm::Sha1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_must_fit() {
        let attrs = KeyAttributes {
            key_algorithm: crate::keys::KeyAlgorithm::Aes128,
            key_class: KeyClass::PublicKey,
            key_modes_of_use: crate::keys::KeyModesOfUse::NO_RESTRICTIONS,
            key_usage: crate::keys::KeyUsage::D0SymmetricDataEncryptionKey,
        };
        assert!(check_attributes("KeyAttributes", &attrs).is_err());
    }
}
