//! The service's one error type: every variant is one AWS exception, with its HTTP status and the
//! exact member case of its body on each plane.

use std::fmt;

use serde::Serialize;
use serde_json::{Value, json};
use thiserror::Error;

use crate::keys::{AttributesError, IdError, StoreError};
use crate::primitives::dukpt::Error as DukptError;
use crate::primitives::rsa::KeyError as RsaKeyError;

/// Which AWS API a request came through: the members of some exceptions differ in case between them
/// (`ValidationException{message, fieldList}` on the data plane, `{Message}` on the control plane).
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Plane {
    /// `payment-cryptography-data` (restJson1).
    Data,
    /// `payment-cryptography` (awsJson1_0).
    Control,
}

/// One member that failed validation (AWS `ValidationExceptionField`).
#[derive(Clone, Debug, Eq, PartialEq, Serialize)]
pub struct FieldError {
    /// The member's path, e.g. `EncryptionAttributes.Symmetric.InitializationVector`.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

/// Why a request failed validation, as a type a library user can match on: the rule of the key model
/// that was broken, or the error of the layer below. [`ServiceError::Validation`] carries one (see
/// [`ServiceError::validation_error`]) wherever the failure has a type; the AWS message stays the
/// service error's own `Display`. Each variant's [`source`](std::error::Error::source) is the error it
/// holds, and `From` makes one of it.
#[derive(Clone, Debug, Eq, PartialEq, Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The key attributes are not a combination AWS accepts.
    #[error("{0}")]
    Attributes(#[from] AttributesError),
    /// A key identifier, key ARN, key id or alias name does not match AWS's pattern.
    #[error("{0}")]
    Identifier(#[from] IdError),
    /// TDES or AES refused the key material, the data, the IV or the mode.
    #[error("{0}")]
    Cipher(#[from] crate::primitives::CipherError),
    /// DUKPT refused the key serial number, the BDK or the derived key type.
    #[error("{0}")]
    Dukpt(#[from] DukptError),
    /// RSA key material does not parse or has the wrong size, or the data does not fit the key and
    /// padding.
    #[error("{0}")]
    Rsa(#[from] RsaKeyError),
}

/// A failed operation, as AWS would report it.
#[derive(Clone, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum ServiceError {
    /// A request member broke a constraint of AWS's model or a rule of the operation
    /// (`ValidationException`, HTTP 400).
    Validation {
        /// The whole message.
        message: String,
        /// The members at fault (sent as `fieldList` on the data plane).
        fields: Vec<FieldError>,
        /// The typed reason, where the failure has one; also the error's `source`.
        reason: Option<Box<ValidationError>>,
    },
    /// The key or alias does not exist (`ResourceNotFoundException`, HTTP 404 on the data plane).
    ResourceNotFound {
        /// The identifier asked for, sent as `ResourceId`.
        resource_id: String,
        /// Our own sentence for the command line (AWS's body carries only `ResourceId`).
        message: String,
    },
    /// The key may not be used now: disabled, or pending deletion (`AccessDeniedException`, HTTP 403
    /// on the data plane).
    AccessDenied(String),
    /// The request conflicts with the resource's state: an alias that exists, a key not pending
    /// deletion (`ConflictException`, control plane only).
    Conflict(String),
    /// The key store failed (`InternalServerException`, HTTP 500).
    Internal(String),
    /// The key store is held by another process (`ServiceUnavailableException` on the control plane,
    /// `ThrottlingException` on the data plane, which has no such exception).
    Unavailable(String),
}

impl ServiceError {
    /// A validation error on one member.
    pub fn field(path: impl Into<String>, message: impl Into<String>) -> Self {
        let path = path.into();
        let message = message.into();
        ServiceError::Validation {
            message: message.clone(),
            fields: vec![FieldError { path, message }],
            reason: None,
        }
    }

    /// A validation error that names no single member.
    pub fn validation(message: impl Into<String>) -> Self {
        ServiceError::Validation { message: message.into(), fields: Vec::new(), reason: None }
    }

    /// This error with `reason` as its typed reason, if it is a validation error (other errors are
    /// returned unchanged). The message stays as it is.
    #[must_use]
    pub fn with_reason(mut self, reason: impl Into<ValidationError>) -> Self {
        if let ServiceError::Validation { reason: slot, .. } = &mut self {
            *slot = Some(Box::new(reason.into()));
        }
        self
    }

    /// The typed reason of a validation error, where it has one.
    ///
    /// # Examples
    /// ```
    /// use paycrypt::keys::{AttributesError, MemoryStore};
    /// use paycrypt::service::{CreateKeyInput, PaymentCryptography, Settings, ValidationError};
    ///
    /// let svc = PaymentCryptography::new(MemoryStore::new(), Settings::default());
    /// let input: CreateKeyInput = serde_json::from_str(r#"{"Exportable":true,"KeyAttributes":{
    ///     "KeyAlgorithm":"AES_128","KeyClass":"SYMMETRIC_KEY",
    ///     "KeyUsage":"TR31_B0_BASE_DERIVATION_KEY","KeyModesOfUse":{"Encrypt":true,"Wrap":true}}}"#)?;
    /// let err = svc.create_key(input).unwrap_err();
    /// assert!(matches!(
    ///     err.validation_error(),
    ///     Some(ValidationError::Attributes(AttributesError::ModesNotAllowed { .. }))
    /// ));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn validation_error(&self) -> Option<&ValidationError> {
        match self {
            ServiceError::Validation { reason, .. } => reason.as_deref(),
            _ => None,
        }
    }

    /// A key or alias that does not exist.
    pub fn not_found(resource_id: impl Into<String>) -> Self {
        let resource_id = resource_id.into();
        ServiceError::ResourceNotFound { message: format!("{resource_id} was not found."), resource_id }
    }

    /// The AWS exception name on `plane`, e.g. `ValidationException`.
    pub fn exception(&self, plane: Plane) -> &'static str {
        match (self, plane) {
            (ServiceError::Validation { .. }, _) => "ValidationException",
            (ServiceError::ResourceNotFound { .. }, _) => "ResourceNotFoundException",
            (ServiceError::AccessDenied(_), _) => "AccessDeniedException",
            // The data plane has no ConflictException; there a conflict is a bad request.
            (ServiceError::Conflict(_), Plane::Control) => "ConflictException",
            (ServiceError::Conflict(_), Plane::Data) => "ValidationException",
            (ServiceError::Internal(_), _) => "InternalServerException",
            (ServiceError::Unavailable(_), Plane::Control) => "ServiceUnavailableException",
            (ServiceError::Unavailable(_), Plane::Data) => "ThrottlingException",
        }
    }

    /// The HTTP status on `plane`. The data plane's model gives each exception a status; the control
    /// plane's (awsJson1_0) gives none, so client errors are 400 and server faults 500 there.
    pub fn http_status(&self, plane: Plane) -> u16 {
        match (self, plane) {
            (ServiceError::Internal(_), Plane::Data) => 500,
            (ServiceError::Unavailable(_), Plane::Data) => 429,
            (ServiceError::AccessDenied(_), Plane::Data) => 403,
            (ServiceError::ResourceNotFound { .. }, Plane::Data) => 404,
            (_, Plane::Data) => 400,
            (ServiceError::Internal(_) | ServiceError::Unavailable(_), Plane::Control) => 500,
            (_, Plane::Control) => 400,
        }
    }

    /// The JSON body on `plane`, with AWS's member names and case (without `__type`, which the
    /// protocol adds).
    pub fn body(&self, plane: Plane) -> Value {
        match (self, plane) {
            (ServiceError::Validation { message, fields, .. }, Plane::Data) => {
                if fields.is_empty() {
                    json!({ "message": message })
                } else {
                    json!({ "message": message, "fieldList": fields })
                }
            }
            (ServiceError::Conflict(message), Plane::Data) => json!({ "message": message }),
            (ServiceError::ResourceNotFound { resource_id, .. }, _) => json!({ "ResourceId": resource_id }),
            (other, _) => json!({ "Message": other.to_string() }),
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServiceError::Validation { message, .. } | ServiceError::ResourceNotFound { message, .. } => {
                f.write_str(message)
            }
            ServiceError::AccessDenied(message)
            | ServiceError::Conflict(message)
            | ServiceError::Internal(message)
            | ServiceError::Unavailable(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ServiceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServiceError::Validation { reason: Some(reason), .. } => Some(&**reason),
            _ => None,
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Locked { .. } => ServiceError::Unavailable(e.to_string()),
            StoreError::Exists(what) => ServiceError::Conflict(format!("{what} already exists.")),
            StoreError::NotFound(what) => ServiceError::not_found(what),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_case_differs_by_plane() {
        let e = ServiceError::field("PlainText", "PlainText must be hex.");
        assert_eq!(
            e.body(Plane::Data),
            json!({"message": "PlainText must be hex.", "fieldList": [{"path": "PlainText", "message": "PlainText must be hex."}]})
        );
        assert_eq!(e.body(Plane::Control), json!({"Message": "PlainText must be hex."}));
        let nf = ServiceError::not_found("alias/x");
        assert_eq!(nf.body(Plane::Data), json!({"ResourceId": "alias/x"}));
        assert_eq!(nf.http_status(Plane::Data), 404);
        assert_eq!(nf.http_status(Plane::Control), 400);
        assert_eq!(ServiceError::AccessDenied("no".into()).body(Plane::Data), json!({"Message": "no"}));
    }
}
