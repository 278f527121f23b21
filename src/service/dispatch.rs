//! Calling an operation by its AWS name with a JSON body, for adapters (the server) that route by name.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::keys::KeyStore;
use crate::service::{ControlOperation, DataOperation, Operation, PaymentCryptography, ServiceError};

impl<S: KeyStore> PaymentCryptography<S> {
    /// Runs the operation named `operation` (AWS's name, e.g. `EncryptData`) on a JSON request and
    /// returns the JSON response. For the data plane, `body` holds every member, the URI's
    /// `KeyIdentifier` or `IncomingKeyIdentifier` included. `None` when the operation is not one of
    /// the operation table ([`Operation`]).
    ///
    /// # Errors
    /// `ValidationException` for a body that does not parse into the request shape (a missing required
    /// member, an unknown member, a value of the wrong type or outside an enum); otherwise the
    /// operation's own errors.
    ///
    /// # Examples
    /// ```
    /// use paycrypt::keys::MemoryStore;
    /// use paycrypt::service::{PaymentCryptography, Settings};
    ///
    /// let svc = PaymentCryptography::new(MemoryStore::new(), Settings::default());
    /// let out = svc.call("ListAliases", serde_json::json!({})).expect("known operation")?;
    /// assert_eq!(out, serde_json::json!({"Aliases": []}));
    /// let err = svc.call("GetKey", serde_json::json!({"KeyId": "x"})).expect("known operation").unwrap_err();
    /// assert_eq!(err.exception(paycrypt::service::Plane::Control), "ValidationException");
    /// assert!(svc.call("Frobnicate", serde_json::json!({})).is_none());
    /// # Ok::<(), paycrypt::service::ServiceError>(())
    /// ```
    pub fn call(&self, operation: &str, body: Value) -> Option<Result<Value, ServiceError>> {
        let operation: Operation = operation.parse().ok()?;
        Some(self.dispatch(operation, body))
    }

    /// Runs `operation` on a JSON request and returns the JSON response: [`call`](Self::call) for a
    /// caller that already holds the operation from the table.
    ///
    /// # Errors
    /// As [`call`](Self::call).
    ///
    /// # Examples
    /// ```
    /// use paycrypt::keys::MemoryStore;
    /// use paycrypt::service::{ControlOperation, PaymentCryptography, Settings};
    ///
    /// let svc = PaymentCryptography::new(MemoryStore::new(), Settings::default());
    /// let out = svc.dispatch(ControlOperation::ListKeys.into(), serde_json::json!({}))?;
    /// assert_eq!(out, serde_json::json!({"Keys": []}));
    /// # Ok::<(), paycrypt::service::ServiceError>(())
    /// ```
    pub fn dispatch(&self, operation: Operation, body: Value) -> Result<Value, ServiceError> {
        use ControlOperation as C;
        use DataOperation as D;
        match operation {
            Operation::Data(D::EncryptData) => run(body, |i| self.encrypt_data(i)),
            Operation::Data(D::DecryptData) => run(body, |i| self.decrypt_data(i)),
            Operation::Data(D::ReEncryptData) => run(body, |i| self.re_encrypt_data(i)),
            Operation::Control(op) => match op {
                C::CreateKey => run(body, |i| self.create_key(i)),
                C::ImportKey => run(body, |i| self.import_key(i)),
                C::GetKey => run(body, |i| self.get_key(i)),
                C::ListKeys => run(body, |i| self.list_keys(i)),
                C::DeleteKey => run(body, |i| self.delete_key(i)),
                C::RestoreKey => run(body, |i| self.restore_key(i)),
                C::StartKeyUsage => run(body, |i| self.start_key_usage(i)),
                C::StopKeyUsage => run(body, |i| self.stop_key_usage(i)),
                C::CreateAlias => run(body, |i| self.create_alias(i)),
                C::GetAlias => run(body, |i| self.get_alias(i)),
                C::ListAliases => run(body, |i| self.list_aliases(i)),
                C::UpdateAlias => run(body, |i| self.update_alias(i)),
                C::DeleteAlias => run(body, |i| self.delete_alias(i).map(|()| serde_json::Map::new())),
                C::ExportKey => run(body, |i| self.export_key(i)),
                C::GetParametersForImport => run(body, |i| self.get_parameters_for_import(i)),
                C::GetParametersForExport => run(body, |i| self.get_parameters_for_export(i)),
                C::GetPublicKeyCertificate => run(body, |i| self.get_public_key_certificate(i)),
            },
        }
    }
}

/// Parses `body` into the request shape, runs `op`, and serializes the response.
fn run<I: DeserializeOwned, O: Serialize>(
    body: Value,
    op: impl FnOnce(I) -> Result<O, ServiceError>,
) -> Result<Value, ServiceError> {
    let input = serde_json::from_value(body)
        .map_err(|e| ServiceError::validation(format!("Invalid request: {e}.")))?;
    let output = op(input)?;
    serde_json::to_value(output)
        .map_err(|e| ServiceError::Internal(format!("cannot serialize the response: {e}")))
}
