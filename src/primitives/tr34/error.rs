//! Errors of TR-34 key block building and opening.

use thiserror::Error;

use crate::primitives::pki::PkiError;

/// A TR-34 key block that could not be built or opened: which check failed. Everything that happens
/// after the key transport key is decrypted is one opaque [`Tr34Error::Decrypt`].
#[derive(Clone, Debug, Eq, PartialEq, Error)]
#[non_exhaustive]
pub enum Tr34Error {
    /// The block is not DER in the TR-34 layout.
    #[error("TR-34 key block is malformed: cannot read its {what}.")]
    Malformed {
        /// The structure that could not be read.
        what: &'static str,
    },
    /// The block uses an algorithm this implementation does not support.
    #[error("TR-34 key block uses unsupported {role} algorithm {oid}.")]
    UnsupportedAlgorithm {
        /// Where the algorithm appears (`digest`, `signature`, `key transport`, `content encryption`).
        role: &'static str,
        /// The OID, dotted.
        oid: String,
    },
    /// The block is signed by another certificate than the KDH certificate given.
    #[error("TR-34 key block is signed by another certificate than the KDH certificate '{kdh}'.")]
    WrongSigner {
        /// The subject of the KDH certificate given.
        kdh: String,
    },
    /// The KDH signature over the signed attributes does not verify, or the signed digest does not
    /// match the enveloped content.
    #[error("TR-34 key block signature does not verify with the KDH certificate '{kdh}'.")]
    SignatureInvalid {
        /// The subject of the KDH certificate given.
        kdh: String,
    },
    /// The random nonce signed into the block is missing or is not the one expected.
    #[error("TR-34 key block does not carry the expected random nonce.")]
    NonceMismatch,
    /// The key is wrapped for another key receiving device than the KRD certificate given.
    #[error("TR-34 key block is not addressed to the KRD certificate '{krd}'.")]
    NotForThisKrd {
        /// The subject of the KRD certificate given.
        krd: String,
    },
    /// The key block header inside the encrypted content differs from the signed one.
    #[error("TR-34 key block header inside the encrypted content differs from the signed header.")]
    HeaderMismatch,
    /// Decrypting the key, or reading what it decrypts to, failed. Deliberately carries no detail,
    /// so it cannot become a padding or format oracle.
    #[error("TR-34 key block could not be decrypted.")]
    Decrypt,
    /// The key block header is not 16 or more printable ASCII characters.
    #[error("TR-34 key block header '{header}' must be at least 16 printable ASCII characters.")]
    Header {
        /// The header given.
        header: String,
    },
    /// The key or the random nonce given to build a block has a length that cannot be used.
    #[error("{what} ({got} bytes) must be {expected}.")]
    Length {
        /// `key` or `random nonce`.
        what: &'static str,
        /// The length given.
        got: usize,
        /// What is accepted.
        expected: &'static str,
    },
    /// A certificate or key given could not be used.
    #[error(transparent)]
    Certificate(#[from] PkiError),
    /// Building failed in the RSA operation or the random number generator.
    #[error("TR-34 key block could not be built: {detail}.")]
    Build {
        /// Which step failed.
        detail: String,
    },
}
