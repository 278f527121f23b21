//! The actions' failure output: one of five error types and a message.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why an action took its Failure path: exactly the five reasons the flow's failure output allows.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Hash, Serialize, Deserialize)]
pub enum ActionErrorType {
    /// No KMS key is configured for the organization (none given, or an empty one).
    CustomerKeyNotConfigured,
    /// KMS does not know the key, or it is disabled or pending deletion.
    CustomerKeyNotFound,
    /// Anything else: bad base64, an altered message, another key or organization, not JSON, KMS
    /// unreachable.
    GeneralError,
    /// The encrypted string is over 32,000 characters.
    MaximumDataSizeExceeded,
    /// The data is NOT_SET (or, to decrypt, an empty or blank string).
    NoDataSupplied,
}

impl ActionErrorType {
    /// Every type, in the order of the flow's documentation.
    pub const ALL: [ActionErrorType; 5] = [
        ActionErrorType::CustomerKeyNotConfigured,
        ActionErrorType::CustomerKeyNotFound,
        ActionErrorType::GeneralError,
        ActionErrorType::MaximumDataSizeExceeded,
        ActionErrorType::NoDataSupplied,
    ];

    /// The name in the failure output, e.g. `NoDataSupplied`.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionErrorType::CustomerKeyNotConfigured => "CustomerKeyNotConfigured",
            ActionErrorType::CustomerKeyNotFound => "CustomerKeyNotFound",
            ActionErrorType::GeneralError => "GeneralError",
            ActionErrorType::MaximumDataSizeExceeded => "MaximumDataSizeExceeded",
            ActionErrorType::NoDataSupplied => "NoDataSupplied",
        }
    }
}

impl fmt::Display for ActionErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed action, serialized as the flow's failure output:
/// `{"errorType": "NoDataSupplied", "errorMessage": "No data was supplied to encrypt."}`.
#[derive(Clone, Debug, Eq, PartialEq, Error, Serialize, Deserialize)]
#[error("{error_type}: {message}")]
pub struct ActionError {
    /// Which of the five reasons.
    #[serde(rename = "errorType")]
    pub error_type: ActionErrorType,
    /// What happened, in English; never key material or data.
    #[serde(rename = "errorMessage")]
    pub message: String,
}

impl ActionError {
    /// An error of `error_type` saying `message`.
    pub fn new(error_type: ActionErrorType, message: impl Into<String>) -> Self {
        ActionError { error_type, message: message.into() }
    }

    /// A `GeneralError`.
    pub(crate) fn general(message: impl Into<String>) -> Self {
        Self::new(ActionErrorType::GeneralError, message)
    }

    /// A `NoDataSupplied`.
    pub(crate) fn no_data(message: impl Into<String>) -> Self {
        Self::new(ActionErrorType::NoDataSupplied, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_the_failure_output() {
        let e = ActionError::new(ActionErrorType::CustomerKeyNotFound, "gone");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"errorType":"CustomerKeyNotFound","errorMessage":"gone"}"#
        );
        for t in ActionErrorType::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), serde_json::Value::String(t.as_str().into()));
        }
        assert_eq!(e.to_string(), "CustomerKeyNotFound: gone");
    }
}
