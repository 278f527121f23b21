//! Calling a KMS operation by its AWS name with a JSON body, for adapters (the server routes
//! `X-Amz-Target: TrentService.<Operation>` here).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::keys::KeyStore;
use crate::service::KmsOperation;
use crate::service::kms::{Kms, KmsError};

impl<S: KeyStore> Kms<S> {
    /// Runs the operation named `operation` (AWS's name, e.g. `Encrypt`) on a JSON request body and
    /// returns the JSON response body (`{}` for operations that return nothing). `None` when the
    /// operation is not one of the operation table ([`KmsOperation`]).
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
        let operation: KmsOperation = operation.parse().ok()?;
        Some(self.dispatch(operation, body))
    }

    /// Runs `operation` on a JSON request body and returns the JSON response body:
    /// [`call`](Self::call) for a caller that already holds the operation from the table.
    ///
    /// # Errors
    /// As [`call`](Self::call).
    ///
    /// # Examples
    /// ```
    /// use paycrypt::keys::MemoryStore;
    /// use paycrypt::service::{KmsOperation, Settings};
    /// use paycrypt::service::kms::Kms;
    ///
    /// let kms = Kms::new(MemoryStore::new(), Settings::default());
    /// let out = kms.dispatch(KmsOperation::GenerateRandom, serde_json::json!({"NumberOfBytes": 4}))?;
    /// assert_eq!(out["Plaintext"].as_str().map(str::len), Some(8));
    /// # Ok::<(), paycrypt::service::kms::KmsError>(())
    /// ```
    pub fn dispatch(&self, operation: KmsOperation, body: Value) -> Result<Value, KmsError> {
        use KmsOperation as K;
        let empty = |()| serde_json::Map::new();
        match operation {
            K::CreateKey => run(body, |i| self.create_key(i)),
            K::DescribeKey => run(body, |i| self.describe_key(i)),
            K::ListKeys => run(body, |i| self.list_keys(i)),
            K::EnableKey => run(body, |i| self.enable_key(i).map(empty)),
            K::DisableKey => run(body, |i| self.disable_key(i).map(empty)),
            K::ScheduleKeyDeletion => run(body, |i| self.schedule_key_deletion(i)),
            K::CancelKeyDeletion => run(body, |i| self.cancel_key_deletion(i)),
            K::CreateAlias => run(body, |i| self.create_alias(i).map(empty)),
            K::ListAliases => run(body, |i| self.list_aliases(i)),
            K::DeleteAlias => run(body, |i| self.delete_alias(i).map(empty)),
            K::UpdateAlias => run(body, |i| self.update_alias(i).map(empty)),
            K::Encrypt => run(body, |i| self.encrypt(i)),
            K::Decrypt => run(body, |i| self.decrypt(i)),
            K::ReEncrypt => run(body, |i| self.re_encrypt(i)),
            K::GenerateDataKey => run(body, |i| self.generate_data_key(i)),
            K::GenerateDataKeyWithoutPlaintext => run(body, |i| self.generate_data_key_without_plaintext(i)),
            K::GenerateRandom => run(body, |i| self.generate_random(i)),
            K::CreateGrant => run(body, |i| self.create_grant(i)),
            K::ListGrants => run(body, |i| self.list_grants(i)),
            K::RetireGrant => run(body, |i| self.retire_grant(i).map(empty)),
            K::RevokeGrant => run(body, |i| self.revoke_grant(i).map(empty)),
        }
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
