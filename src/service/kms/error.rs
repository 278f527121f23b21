//! The KMS service's one error type: every variant is one AWS KMS exception, with the HTTP status
//! AWS's model gives it and KMS's body (`{"message": …}`, lower case).

use serde_json::{Value, json};
use thiserror::Error;

use crate::keys::StoreError;

/// A failed KMS operation, as AWS KMS would report it.
#[derive(Clone, Debug, Eq, PartialEq, Error)]
#[non_exhaustive]
pub enum KmsError {
    /// A request member broke a constraint of the model, or the body did not parse
    /// (`ValidationException`, 400).
    #[error("{0}")]
    Validation(String),
    /// The key, alias or grant does not exist (`NotFoundException`, 404).
    #[error("{0}")]
    NotFound(String),
    /// The key is disabled (`DisabledException`, 409).
    #[error("{0}")]
    Disabled(String),
    /// The key's state does not allow the operation, e.g. pending deletion
    /// (`KMSInvalidStateException`, 409).
    #[error("{0}")]
    InvalidState(String),
    /// The ciphertext, its encryption context or its algorithm does not match
    /// (`InvalidCiphertextException`, 400).
    #[error("{0}")]
    InvalidCiphertext(String),
    /// The KeyId does not name the key the ciphertext was made under (`IncorrectKeyException`, 400).
    #[error("{0}")]
    IncorrectKey(String),
    /// The key's spec or usage does not allow the operation or algorithm
    /// (`InvalidKeyUsageException`, 400).
    #[error("{0}")]
    InvalidKeyUsage(String),
    /// A grant token does not name a live grant for the key (`InvalidGrantTokenException`, 400).
    #[error("{0}")]
    InvalidGrantToken(String),
    /// A grant id is malformed (`InvalidGrantIdException`, 400).
    #[error("{0}")]
    InvalidGrantId(String),
    /// An alias name is not allowed, e.g. under the reserved `alias/aws/`
    /// (`InvalidAliasNameException`, 400).
    #[error("{0}")]
    InvalidAliasName(String),
    /// A pagination marker is not one this service returned (`InvalidMarkerException`, 400).
    #[error("{0}")]
    InvalidMarker(String),
    /// The alias already exists (`AlreadyExistsException`, 409).
    #[error("{0}")]
    AlreadyExists(String),
    /// A quota was exceeded (`LimitExceededException`, 400).
    #[error("{0}")]
    LimitExceeded(String),
    /// `DryRun` was set and the request would have succeeded (`DryRunOperationException`, 412).
    #[error("{0}")]
    DryRun(String),
    /// A feature paycrypt (or the key) does not offer (`UnsupportedOperationException`, 400).
    #[error("{0}")]
    Unsupported(String),
    /// The caller may not do this (`AccessDeniedException`, 400).
    #[error("{0}")]
    AccessDenied(String),
    /// Too many requests (`ThrottlingException`, 400); only fault injection produces it.
    #[error("{0}")]
    Throttling(String),
    /// The service failed (`KMSInternalException`, 500).
    #[error("{0}")]
    Internal(String),
    /// The key is unavailable right now (`KeyUnavailableException`, 500); only fault injection
    /// produces it.
    #[error("{0}")]
    KeyUnavailable(String),
    /// A dependency did not answer in time (`DependencyTimeoutException`, 503): the key store is held
    /// by another process, or fault injection.
    #[error("{0}")]
    DependencyTimeout(String),
}

impl KmsError {
    /// Every exception name [`KmsError::injected`] knows, for fault-injection configuration.
    pub const EXCEPTIONS: &'static [&'static str] = &[
        "ValidationException",
        "NotFoundException",
        "DisabledException",
        "KMSInvalidStateException",
        "InvalidCiphertextException",
        "IncorrectKeyException",
        "InvalidKeyUsageException",
        "InvalidGrantTokenException",
        "InvalidGrantIdException",
        "InvalidAliasNameException",
        "InvalidMarkerException",
        "AlreadyExistsException",
        "LimitExceededException",
        "DryRunOperationException",
        "UnsupportedOperationException",
        "AccessDeniedException",
        "ThrottlingException",
        "KMSInternalException",
        "KeyUnavailableException",
        "DependencyTimeoutException",
    ];

    /// The error named `exception` (an AWS exception name from [`KmsError::EXCEPTIONS`], with or
    /// without the `Exception` suffix) carrying `message`: for fault injection. `None` for a name
    /// KMS does not have here.
    ///
    /// # Examples
    /// ```
    /// use paycrypt::service::kms::KmsError;
    ///
    /// let e = KmsError::injected("KeyUnavailableException", "injected").expect("known");
    /// assert_eq!((e.exception(), e.http_status()), ("KeyUnavailableException", 500));
    /// let e = KmsError::injected("DependencyTimeout", "slow").expect("known");
    /// assert_eq!(e.http_status(), 503);
    /// assert!(KmsError::injected("NoSuchException", "x").is_none());
    /// ```
    pub fn injected(exception: &str, message: impl Into<String>) -> Option<Self> {
        let m = message.into();
        let name = exception.strip_suffix("Exception").unwrap_or(exception);
        Some(match name {
            "Validation" => KmsError::Validation(m),
            "NotFound" => KmsError::NotFound(m),
            "Disabled" => KmsError::Disabled(m),
            "KMSInvalidState" => KmsError::InvalidState(m),
            "InvalidCiphertext" => KmsError::InvalidCiphertext(m),
            "IncorrectKey" => KmsError::IncorrectKey(m),
            "InvalidKeyUsage" => KmsError::InvalidKeyUsage(m),
            "InvalidGrantToken" => KmsError::InvalidGrantToken(m),
            "InvalidGrantId" => KmsError::InvalidGrantId(m),
            "InvalidAliasName" => KmsError::InvalidAliasName(m),
            "InvalidMarker" => KmsError::InvalidMarker(m),
            "AlreadyExists" => KmsError::AlreadyExists(m),
            "LimitExceeded" => KmsError::LimitExceeded(m),
            "DryRunOperation" => KmsError::DryRun(m),
            "UnsupportedOperation" => KmsError::Unsupported(m),
            "AccessDenied" => KmsError::AccessDenied(m),
            "Throttling" => KmsError::Throttling(m),
            "KMSInternal" => KmsError::Internal(m),
            "KeyUnavailable" => KmsError::KeyUnavailable(m),
            "DependencyTimeout" => KmsError::DependencyTimeout(m),
            _ => return None,
        })
    }

    /// The AWS exception name, e.g. `NotFoundException` (the protocol's `__type`).
    pub fn exception(&self) -> &'static str {
        match self {
            KmsError::Validation(_) => "ValidationException",
            KmsError::NotFound(_) => "NotFoundException",
            KmsError::Disabled(_) => "DisabledException",
            KmsError::InvalidState(_) => "KMSInvalidStateException",
            KmsError::InvalidCiphertext(_) => "InvalidCiphertextException",
            KmsError::IncorrectKey(_) => "IncorrectKeyException",
            KmsError::InvalidKeyUsage(_) => "InvalidKeyUsageException",
            KmsError::InvalidGrantToken(_) => "InvalidGrantTokenException",
            KmsError::InvalidGrantId(_) => "InvalidGrantIdException",
            KmsError::InvalidAliasName(_) => "InvalidAliasNameException",
            KmsError::InvalidMarker(_) => "InvalidMarkerException",
            KmsError::AlreadyExists(_) => "AlreadyExistsException",
            KmsError::LimitExceeded(_) => "LimitExceededException",
            KmsError::DryRun(_) => "DryRunOperationException",
            KmsError::Unsupported(_) => "UnsupportedOperationException",
            KmsError::AccessDenied(_) => "AccessDeniedException",
            KmsError::Throttling(_) => "ThrottlingException",
            KmsError::Internal(_) => "KMSInternalException",
            KmsError::KeyUnavailable(_) => "KeyUnavailableException",
            KmsError::DependencyTimeout(_) => "DependencyTimeoutException",
        }
    }

    /// The HTTP status, as AWS's KMS model (`smithy.api#httpError`) gives it; 400 for the
    /// unmodelled `ValidationException`, `AccessDeniedException` and `ThrottlingException`, as KMS
    /// sends them.
    pub fn http_status(&self) -> u16 {
        match self {
            KmsError::NotFound(_) => 404,
            KmsError::Disabled(_) | KmsError::InvalidState(_) | KmsError::AlreadyExists(_) => 409,
            KmsError::DryRun(_) => 412,
            KmsError::Internal(_) | KmsError::KeyUnavailable(_) => 500,
            KmsError::DependencyTimeout(_) => 503,
            _ => 400,
        }
    }

    /// Whether the error is the service's fault (5xx) rather than the caller's.
    pub fn is_server_fault(&self) -> bool {
        self.http_status() >= 500
    }

    /// The JSON body, `{"message": …}` (without `__type`, which the protocol adds).
    pub fn body(&self) -> Value {
        json!({ "message": self.to_string() })
    }
}

impl From<StoreError> for KmsError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Locked { .. } => KmsError::DependencyTimeout(e.to_string()),
            StoreError::Exists(what) => KmsError::AlreadyExists(format!("{what} already exists.")),
            StoreError::NotFound(what) => KmsError::NotFound(format!("{what} does not exist.")),
            other => KmsError::Internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        for name in KmsError::EXCEPTIONS {
            let e = KmsError::injected(name, "m");
            assert_eq!(e.as_ref().map(KmsError::exception), Some(*name));
            assert_eq!(e.map(|e| e.body()), Some(json!({"message": "m"})));
        }
    }

    #[test]
    fn statuses_follow_the_model() {
        assert_eq!(KmsError::NotFound(String::new()).http_status(), 404);
        assert_eq!(KmsError::Disabled(String::new()).http_status(), 409);
        assert_eq!(KmsError::InvalidState(String::new()).http_status(), 409);
        assert_eq!(KmsError::KeyUnavailable(String::new()).http_status(), 500);
        assert_eq!(KmsError::DependencyTimeout(String::new()).http_status(), 503);
        assert_eq!(KmsError::InvalidCiphertext(String::new()).http_status(), 400);
    }
}
