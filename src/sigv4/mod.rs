//! AWS Signature Version 4, header form: [`sign`] a request as an AWS SDK does, [`verify`] one as an
//! AWS endpoint does, and read the AWS credentials file ([`CredentialsFile`]).
//!
//! No HTTP framework: a [`Request`] is a view of method, raw path, raw query, headers and body that
//! any server or client can build. Time is a parameter (unix seconds), so results are reproducible.
//! Errors are [`SigV4Error`], each one AWS exception with AWS's message and HTTP 403.
//!
//! The canonical request follows botocore, which the tests in `tests/sigv4.rs` check bit for bit
//! against requests botocore signed (`vectors/sigv4_botocore.json`): see the notes in the
//! `canonical` module source for the choices that matter (paths are URI-encoded a second time, as
//! for every AWS service but S3).
//!
//! # Examples
//! ```
//! use paycrypt::sigv4::{self, Credentials, CredentialsFile, Payload, Request};
//!
//! let body = br#"{"KeyId":"alias/dek","Plaintext":"AAAA"}"#;
//! let mut request = Request {
//!     method: "POST",
//!     path: "/",
//!     query: "",
//!     headers: vec![
//!         ("Host", "127.0.0.1:8080"),
//!         ("Content-Type", "application/x-amz-json-1.1"),
//!         ("X-Amz-Target", "TrentService.Encrypt"),
//!     ],
//!     payload: Payload::Body(body),
//! };
//! let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None);
//! let added = sigv4::sign(&request, &credentials, "us-east-1", "kms", 1_767_225_600);
//! request.headers.extend(added.iter().map(|(n, v)| (*n, v.as_str())));
//!
//! let file = CredentialsFile::parse(
//!     "[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
//! )?;
//! let verified = sigv4::verify(&request, &file, "us-east-1", &["payment-cryptography", "kms"], 1_767_225_660)?;
//! assert_eq!((verified.access_key_id.as_str(), verified.service.as_str()), ("AKIDEXAMPLE", "kms"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod canonical;
mod credentials;
mod error;
mod sign;
mod time;
mod verify;

use std::fmt;

pub use credentials::{CredentialLookup, CredentialsFile, CredentialsFileError};
pub use error::SigV4Error;
pub use sign::{Credentials, sign};
pub use time::AmzDate;
pub use verify::{MAX_CLOCK_SKEW_SECONDS, Verified, precheck, verify};

/// A view of an HTTP request, as received or about to be sent.
#[derive(Clone)]
pub struct Request<'a> {
    /// The method, upper case (`POST`).
    pub method: &'a str,
    /// The path exactly as on the request line, still percent-encoded
    /// (`/keys/arn%3Aaws%3Apayment-cryptography%3A…/encrypt`).
    pub path: &'a str,
    /// The query string exactly as on the request line, without the `?` (empty when none).
    pub query: &'a str,
    /// Every header as (name, value), in the order received; names in any case, repeats allowed.
    pub headers: Vec<(&'a str, &'a str)>,
    /// The body, or its SHA-256 when the caller has already hashed it.
    pub payload: Payload<'a>,
}

impl<'a> Request<'a> {
    /// The first value of the header `name` (any case).
    fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
    }
}

impl fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|&(n, v)| {
                let secret =
                    n.eq_ignore_ascii_case("authorization") || n.eq_ignore_ascii_case("x-amz-security-token");
                (n, if secret { "..." } else { v })
            })
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("payload", &self.payload)
            .finish()
    }
}

/// What the signature covers of the body.
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    /// The body bytes (empty for no body).
    Body(&'a [u8]),
    /// The SHA-256 of the body, computed by the caller (for a body streamed rather than held).
    Sha256([u8; 32]),
    /// The body is left out of the signature. Signing adds `X-Amz-Content-SHA256: UNSIGNED-PAYLOAD`,
    /// as SDKs do over TLS when payload signing is off; verifying accepts only a request whose
    /// `X-Amz-Content-SHA256` header says `UNSIGNED-PAYLOAD`.
    Unsigned,
}

impl Payload<'_> {
    /// The lower-case hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    fn sha256_hex(&self) -> String {
        match self {
            Payload::Body(bytes) => canonical::sha256_hex(bytes),
            Payload::Sha256(digest) => hex::encode(digest),
            Payload::Unsigned => canonical::UNSIGNED_PAYLOAD.to_owned(),
        }
    }
}

impl fmt::Debug for Payload<'_> {
    /// Shows the length only: a body may hold plaintext.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Body(bytes) => write!(f, "Body({} bytes)", bytes.len()),
            Payload::Sha256(digest) => write!(f, "Sha256({})", hex::encode(digest)),
            Payload::Unsigned => f.write_str("Unsigned"),
        }
    }
}
