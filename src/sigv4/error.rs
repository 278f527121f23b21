//! Why a request's signature was refused, as AWS says it: each variant is one AWS exception with
//! AWS's message, sent with HTTP 403.

use thiserror::Error;

/// A request that failed authentication. [`SigV4Error::exception`], [`SigV4Error::message`] and
/// [`SigV4Error::http_status`] give what the server sends. Messages never carry a secret or the
/// signature the server computed.
#[derive(Clone, Debug, Eq, PartialEq, Error)]
#[non_exhaustive]
pub enum SigV4Error {
    /// The request carries no `Authorization` header (`UnrecognizedClientException`, as the server
    /// contract asks; some AWS services answer `MissingAuthenticationTokenException` instead).
    #[error("The request has no Authorization header: it must be signed with AWS Signature Version 4.")]
    MissingAuthentication,
    /// The access key id is not one the server knows (`UnrecognizedClientException`).
    #[error("The security token included in the request is invalid.")]
    UnknownAccessKey,
    /// The `Authorization` header is malformed, or a header that must be signed is not
    /// (`IncompleteSignatureException`); the message says which.
    #[error("{0}")]
    Incomplete(String),
    /// The signature does not match the request (`InvalidSignatureException`).
    #[error(
        "The request signature we calculated does not match the signature you provided. Check your \
         AWS Secret Access Key and signing method. Consult the service documentation for details."
    )]
    SignatureMismatch,
    /// The signing time is more than five minutes before now (`InvalidSignatureException`).
    #[error("Signature expired: {signed} is now earlier than {earliest} ({now} - 5 min.)")]
    Expired {
        /// The request's signing time, `YYYYMMDD'T'HHMMSS'Z'`.
        signed: String,
        /// The earliest time accepted.
        earliest: String,
        /// The server's time.
        now: String,
    },
    /// The signing time is more than five minutes after now (`InvalidSignatureException`).
    #[error("Signature not yet current: {signed} is still later than {latest} ({now} + 5 min.)")]
    NotYetCurrent {
        /// The request's signing time, `YYYYMMDD'T'HHMMSS'Z'`.
        signed: String,
        /// The latest time accepted.
        latest: String,
        /// The server's time.
        now: String,
    },
    /// The credential scope names another region, another service, another day than the signing
    /// time, or a terminator other than `aws4_request` (`InvalidSignatureException`).
    #[error("{0}")]
    Scope(String),
    /// `x-amz-content-sha256` is not the SHA-256 of the body received (`InvalidSignatureException`).
    #[error("The provided 'x-amz-content-sha256' header does not match what was computed.")]
    PayloadHashMismatch,
}

impl SigV4Error {
    /// The AWS exception name, sent as `__type` and `x-amzn-ErrorType`.
    ///
    /// # Examples
    /// ```
    /// use paycrypt::sigv4::SigV4Error;
    /// assert_eq!(SigV4Error::SignatureMismatch.exception(), "InvalidSignatureException");
    /// ```
    pub fn exception(&self) -> &'static str {
        match self {
            SigV4Error::MissingAuthentication => "UnrecognizedClientException",
            SigV4Error::UnknownAccessKey => "UnrecognizedClientException",
            SigV4Error::Incomplete(_) => "IncompleteSignatureException",
            SigV4Error::SignatureMismatch
            | SigV4Error::Expired { .. }
            | SigV4Error::NotYetCurrent { .. }
            | SigV4Error::Scope(_)
            | SigV4Error::PayloadHashMismatch => "InvalidSignatureException",
        }
    }

    /// The message, as AWS words it.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The HTTP status: 403 for every authentication failure.
    pub fn http_status(&self) -> u16 {
        403
    }
}
