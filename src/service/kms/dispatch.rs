//! Calling a KMS operation by its AWS name with a JSON body, for adapters (the server routes
//! `X-Amz-Target: TrentService.<Operation>` here).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::keys::KeyStore;
use crate::service::kms::{Kms, KmsError};

/// Every operation [`Kms::call`] knows.
pub const KMS_OPERATIONS: &[&str] = &[
    "CreateKey",
    "DescribeKey",
    "ListKeys",
    "EnableKey",
    "DisableKey",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
    "CreateAlias",
    "ListAliases",
    "DeleteAlias",
    "UpdateAlias",
    "Encrypt",
    "Decrypt",
    "ReEncrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateRandom",
    "CreateGrant",
    "ListGrants",
    "RetireGrant",
    "RevokeGrant",
];

impl<S: KeyStore> Kms<S> {
    /// Runs the operation named `operation` (AWS's name, e.g. `Encrypt`) on a JSON request body and
    /// returns the JSON response body (`{}` for operations that return nothing). `None` when the
    /// operation is not one of [`KMS_OPERATIONS`].
    ///
    /// # Errors
    /// `ValidationException` for a body that does not parse into the request shape (not an object, a
    /// missing required member, a value of the wrong type, outside an enum, or a blob that is not
    /// base64); otherwise the operation's own errors. Unknown members are ignored, as KMS does.
    ///
    /// # Examples
    /// ```
    /// use paycrypt::keys::MemoryStore;
    /// use paycrypt::service::Settings;
    /// use paycrypt::service::kms::Kms;
    ///
    /// let kms = Kms::new(MemoryStore::new(), Settings::default());
    /// let out = kms.call("ListAliases", serde_json::json!({})).expect("known operation")?;
    /// assert_eq!(out, serde_json::json!({"Aliases": [], "Truncated": false}));
    /// let err = kms.call("Encrypt", serde_json::json!({"KeyId": "alias/x"})).expect("known").unwrap_err();
    /// assert_eq!((err.exception(), err.http_status()), ("ValidationException", 400));
    /// assert!(kms.call("Frobnicate", serde_json::json!({})).is_none());
    /// # Ok::<(), paycrypt::service::kms::KmsError>(())
    /// ```
    pub fn call(&self, operation: &str, body: Value) -> Option<Result<Value, KmsError>> {
        let empty = |()| serde_json::Map::new();
        let result = match operation {
            "CreateKey" => run(body, |i| self.create_key(i)),
            "DescribeKey" => run(body, |i| self.describe_key(i)),
            "ListKeys" => run(body, |i| self.list_keys(i)),
            "EnableKey" => run(body, |i| self.enable_key(i).map(empty)),
            "DisableKey" => run(body, |i| self.disable_key(i).map(empty)),
            "ScheduleKeyDeletion" => run(body, |i| self.schedule_key_deletion(i)),
            "CancelKeyDeletion" => run(body, |i| self.cancel_key_deletion(i)),
            "CreateAlias" => run(body, |i| self.create_alias(i).map(empty)),
            "ListAliases" => run(body, |i| self.list_aliases(i)),
            "DeleteAlias" => run(body, |i| self.delete_alias(i).map(empty)),
            "UpdateAlias" => run(body, |i| self.update_alias(i).map(empty)),
            "Encrypt" => run(body, |i| self.encrypt(i)),
            "Decrypt" => run(body, |i| self.decrypt(i)),
            "ReEncrypt" => run(body, |i| self.re_encrypt(i)),
            "GenerateDataKey" => run(body, |i| self.generate_data_key(i)),
            "GenerateDataKeyWithoutPlaintext" => run(body, |i| self.generate_data_key_without_plaintext(i)),
            "GenerateRandom" => run(body, |i| self.generate_random(i)),
            "CreateGrant" => run(body, |i| self.create_grant(i)),
            "ListGrants" => run(body, |i| self.list_grants(i)),
            "RetireGrant" => run(body, |i| self.retire_grant(i).map(empty)),
            "RevokeGrant" => run(body, |i| self.revoke_grant(i).map(empty)),
            _ => return None,
        };
        Some(result)
    }
}

/// Parses `body` into the request shape, runs `op`, and serializes the response.
fn run<I: DeserializeOwned, O: Serialize>(
    body: Value,
    op: impl FnOnce(I) -> Result<O, KmsError>,
) -> Result<Value, KmsError> {
    // awsJson sends `{}` for an empty request; some clients send nothing at all.
    let body = if body.is_null() { Value::Object(serde_json::Map::new()) } else { body };
    let input =
        serde_json::from_value(body).map_err(|e| KmsError::Validation(format!("Invalid request: {e}.")))?;
    let output = op(input)?;
    serde_json::to_value(output)
        .map_err(|e| KmsError::Internal(format!("cannot serialize the response: {e}")))
}
