//! Seed-file entries for KMS keys and KMS aliases (`"KmsKeys"` and `"KmsAliases"` in the seed file
//! that [`PaymentCryptography::seed`](crate::service::PaymentCryptography::seed) loads):
//!
//! ```json
//! {"KmsKeys":[{"KeyId":"<uuid>","KeySpec":"SYMMETRIC_DEFAULT","KeyMaterial":"<64 hex digits>"},
//!             {"KeyId":"<uuid>","KeySpec":"RSA_2048","KeyMaterial":"-----BEGIN PRIVATE KEY-----…"}],
//!  "KmsAliases":[{"AliasName":"alias/app","TargetKeyId":"<uuid>"}]}
//! ```
//!
//! # Security Warning
//! A seed file holds keys in the clear: for tests and emulation only.

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::keys::{
    KeyStore, KmsAlias, KmsAliasName, KmsKey, KmsKeyArn, KmsKeyId, KmsKeySpec, KmsKeyState, KmsMaterial,
    SecretText, StoredKmsKey, Timestamp,
};
use crate::primitives::rsa::RsaPrivateKey;
use crate::service::{ServiceError, Settings};

/// One KMS key of a seed file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SeedKmsKey {
    /// The key id (a UUID); the ARN uses the store's region and account.
    pub key_id: String,
    /// SYMMETRIC_DEFAULT (default), RSA_2048, RSA_3072 or RSA_4096.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_spec: Option<KmsKeySpec>,
    /// 64 hex digits for SYMMETRIC_DEFAULT; a PEM private key (PKCS#8 or PKCS#1) for RSA.
    pub key_material: SecretText,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// One KMS alias of a seed file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SeedKmsAlias {
    /// `alias/<name>` (not under `alias/aws/`).
    pub alias_name: String,
    /// The id of the KMS key it points to.
    pub target_key_id: String,
}

/// What loading the KMS entries will do, once every entry is checked.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    keys: Vec<StoredKmsKey>,
    aliases: Vec<KmsAlias>,
    /// Keys already stored, identical.
    pub(crate) keys_unchanged: usize,
    /// Aliases already stored, pointing to the same key.
    pub(crate) aliases_unchanged: usize,
}

impl Plan {
    /// Keys the plan adds.
    pub(crate) fn keys_added(&self) -> usize {
        self.keys.len()
    }

    /// Aliases the plan adds.
    pub(crate) fn aliases_added(&self) -> usize {
        self.aliases.len()
    }
}

fn field(path: String, message: String) -> ServiceError {
    ServiceError::field(path, message)
}

/// Checks every KMS entry against the file and the store; writes nothing.
pub(crate) fn plan<S: KeyStore>(
    store: &S,
    settings: &Settings,
    keys: &[SeedKmsKey],
    aliases: &[SeedKmsAlias],
) -> Result<Plan, ServiceError> {
    let mut plan = Plan::default();
    let mut arns = Vec::new();
    for (i, entry) in keys.iter().enumerate() {
        let path = format!("KmsKeys[{i}]");
        let id = KmsKeyId::parse(&entry.key_id)
            .map_err(|e| field(format!("{path}.KeyId"), format!("{path}.KeyId: {e}")))?;
        let spec = entry.key_spec.unwrap_or(KmsKeySpec::SymmetricDefault);
        let material = material(spec, &entry.key_material)
            .map_err(|m| field(format!("{path}.KeyMaterial"), format!("{path}.KeyMaterial: {m}")))?;
        let arn = KmsKeyArn::new(&settings.region, &settings.account, &id);
        if arns.contains(&arn) {
            return Err(field(format!("{path}.KeyId"), format!("{path}.KeyId {id} appears twice.")));
        }
        arns.push(arn.clone());
        match store.get_kms_key(&arn)? {
            Some(old) => {
                let same = old.key.key_spec == spec
                    && bool::from(old.material.to_bytes().as_slice().ct_eq(material.to_bytes().as_slice()));
                if !same {
                    return Err(ServiceError::Conflict(format!(
                        "{path}: {arn} exists with another spec or material."
                    )));
                }
                plan.keys_unchanged += 1;
            }
            None => {
                let state =
                    if entry.enabled.unwrap_or(true) { KmsKeyState::Enabled } else { KmsKeyState::Disabled };
                plan.keys.push(StoredKmsKey {
                    key: KmsKey {
                        arn,
                        key_spec: spec,
                        description: entry.description.clone().unwrap_or_default(),
                        key_state: state,
                        creation_date: Timestamp::now(),
                        deletion_date: None,
                        pending_deletion_window_in_days: None,
                    },
                    material,
                });
            }
        }
    }
    for (i, a) in aliases.iter().enumerate() {
        let path = format!("KmsAliases[{i}]");
        let name = KmsAliasName::parse(&a.alias_name).ok().filter(|n| !n.is_reserved()).ok_or_else(|| {
            field(
                format!("{path}.AliasName"),
                format!("{path}.AliasName must be alias/<name>, not under alias/aws/."),
            )
        })?;
        let id = KmsKeyId::parse(&a.target_key_id)
            .map_err(|e| field(format!("{path}.TargetKeyId"), format!("{path}.TargetKeyId: {e}")))?;
        let arn = KmsKeyArn::new(&settings.region, &settings.account, &id);
        if !arns.contains(&arn) && store.get_kms_key_metadata(&arn)?.is_none() {
            return Err(field(
                format!("{path}.TargetKeyId"),
                format!("{path}.TargetKeyId {id} is neither in the file nor in the store."),
            ));
        }
        match store.get_kms_alias(&name)? {
            Some(old) if old.target_key_id == id => plan.aliases_unchanged += 1,
            Some(old) => {
                return Err(ServiceError::Conflict(format!(
                    "{path}: {name} exists and points to {}.",
                    old.target_key_id
                )));
            }
            None => {
                let now = Timestamp::now();
                plan.aliases.push(KmsAlias {
                    alias_name: name,
                    target_key_id: id,
                    creation_date: now,
                    last_updated_date: now,
                });
            }
        }
    }
    Ok(plan)
}

/// Writes what [`plan`] checked: the keys in one transaction, then the aliases.
pub(crate) fn apply<S: KeyStore>(store: &S, plan: &Plan) -> Result<(), ServiceError> {
    store.insert_kms_keys(&plan.keys)?;
    for alias in &plan.aliases {
        store.put_kms_alias(alias, true)?;
    }
    Ok(())
}

/// Material of `spec` from seed text: hex for SYMMETRIC_DEFAULT, a PEM private key of the right size for RSA.
fn material(spec: KmsKeySpec, text: &SecretText) -> Result<KmsMaterial, String> {
    match spec.rsa_bits() {
        None => {
            let bytes = Zeroizing::new(
                hex::decode(text.expose().trim()).map_err(|_| "must be 64 hex digits".to_owned())?,
            );
            KmsMaterial::from_bytes(spec, &bytes)
                .map_err(|_| format!("must be 64 hex digits, not {}", bytes.len() * 2))
        }
        Some(bits) => {
            let key = RsaPrivateKey::from_pem(text.expose()).map_err(|e| e.to_string())?;
            if key.bits() != bits {
                return Err(format!("is a {}-bit RSA key; {spec} needs {bits} bits", key.bits()));
            }
            Ok(KmsMaterial::RsaPem(Zeroizing::new(text.expose().to_owned())))
        }
    }
}
