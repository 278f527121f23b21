//! The data plane's `WrappedKey` members: a working key that arrives as a TR-31 block under the KEK
//! the key identifier names, unwrapped for this call only and never stored.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::keys::{KeyCheckValueAlgorithm, KeyMaterial, SecretText, StoredKey};
use crate::service::ServiceError;
use crate::service::control::check_value;
use crate::service::exchange::unwrap_tr31_under;
use crate::service::validate::one_member;

/// AWS `WrappedKey` (data plane): the key to use, wrapped.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct WrappedKey {
    /// The wrapped material.
    pub wrapped_key_material: WrappedKeyMaterial,
    /// The check value's algorithm in the response (default by algorithm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_check_value_algorithm: Option<KeyCheckValueAlgorithm>,
}

/// AWS `WrappedKeyMaterial` (a union).
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct WrappedKeyMaterial {
    /// A TR-31 block under the KEK the key identifier names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tr31_key_block: Option<SecretText>,
    /// Refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diffie_hellman_symmetric_key: Option<Value>,
}

/// The key a call uses: `kek` itself when no wrapped key is given, else the key `wrapped` (the member
/// at `path`) holds, unwrapped under `kek` (named by the member at `kek_path`). The working key
/// answers with the KEK's ARN and its own check value.
pub(super) fn working_key(
    kek: Arc<StoredKey>,
    kek_path: &str,
    path: &str,
    wrapped: Option<&WrappedKey>,
) -> Result<Arc<StoredKey>, ServiceError> {
    let Some(wrapped) = wrapped else { return Ok(kek) };
    let m = &wrapped.wrapped_key_material;
    let union = format!("{path}.WrappedKeyMaterial");
    let set = [
        ("Tr31KeyBlock", m.tr31_key_block.as_ref().map(Some)),
        ("DiffieHellmanSymmetricKey", m.diffie_hellman_symmetric_key.as_ref().map(|_| None)),
    ];
    let block = match one_member(&union, set)? {
        (_, Some(block)) => block,
        (name, None) => {
            let p = format!("{union}.{name}");
            return Err(ServiceError::field(&p, format!("{p} is not supported by paycrypt.")));
        }
    };
    let block_path = format!("{path}.WrappedKeyMaterial.Tr31KeyBlock");
    let (attributes, exportable, key) = unwrap_tr31_under(&kek, kek_path, &block_path, block.expose())?;
    let material = KeyMaterial::Symmetric(key);
    let (kcv, kcv_algorithm) = check_value(&attributes, &material, wrapped.key_check_value_algorithm)?;
    let mut meta = kek.key.clone();
    meta.key_attributes = attributes;
    meta.exportable = exportable;
    meta.key_check_value = kcv;
    meta.key_check_value_algorithm = kcv_algorithm;
    Ok(Arc::new(StoredKey { key: meta, material }))
}
