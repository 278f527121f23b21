//! Errors of certificate reading, issuance and checks.

use thiserror::Error;

/// A certificate that could not be read, issued or trusted: which one, and what was wrong.
#[derive(Clone, Debug, Eq, PartialEq, Error)]
#[non_exhaustive]
pub enum PkiError {
    /// The text is not base64, or not a PEM `CERTIFICATE` block.
    #[error("Certificate text is not valid {format}: {detail}.")]
    Encoding {
        /// The encoding expected (`base64`, `PEM`).
        format: &'static str,
        /// Why it was rejected.
        detail: String,
    },
    /// The text or bytes hold no certificate at all.
    #[error("No certificate was found in the input.")]
    Empty,
    /// The DER is not an X.509 certificate.
    #[error("Certificate is not valid DER X.509: {detail}.")]
    Malformed {
        /// What could not be read.
        detail: String,
    },
    /// The certificate's public key is not an RSA key (or not a usable one).
    #[error(
        "Certificate '{subject}' has a public key of algorithm {oid}; only RSA (1.2.840.113549.1.1.1) is supported."
    )]
    UnsupportedKey {
        /// The certificate's subject.
        subject: String,
        /// The key algorithm OID found.
        oid: String,
    },
    /// The certificate is signed with an algorithm we do not verify.
    #[error(
        "Certificate '{subject}' is signed with algorithm {oid}; expected sha256/384/512WithRSAEncryption."
    )]
    UnsupportedSignature {
        /// The certificate's subject.
        subject: String,
        /// The signature algorithm OID found.
        oid: String,
    },
    /// The certificate's issuer name is not the would-be issuer's subject name.
    #[error("Certificate '{subject}' names issuer '{issuer}', not '{candidate}'.")]
    IssuerMismatch {
        /// The certificate's subject.
        subject: String,
        /// The issuer it names.
        issuer: String,
        /// The subject of the certificate offered as its issuer.
        candidate: String,
    },
    /// A certificate used to issue others is not a CA (basicConstraints cA, keyCertSign).
    #[error("Certificate '{subject}' is not a certificate authority, so it cannot issue certificates.")]
    NotCa {
        /// The subject of the would-be issuer.
        subject: String,
    },
    /// The signature over the certificate does not verify under the issuer's key.
    #[error("The signature on certificate '{subject}' does not verify with the key of '{issuer}'.")]
    BadSignature {
        /// The certificate's subject.
        subject: String,
        /// The issuer whose key was used.
        issuer: String,
    },
    /// The certificate's validity period does not include the time of the check.
    #[error(
        "Certificate '{subject}' is not valid at {now} (valid from {not_before} to {not_after}, Unix seconds)."
    )]
    OutsideValidity {
        /// The certificate's subject.
        subject: String,
        /// The time checked, Unix seconds.
        now: i64,
        /// Start of validity, Unix seconds.
        not_before: i64,
        /// End of validity, Unix seconds.
        not_after: i64,
    },
    /// A certificate could not be issued with the parameters given.
    #[error("Certificate could not be issued: {detail}.")]
    Issue {
        /// Which parameter or step failed.
        detail: String,
    },
}
