//! Errors of RSA keys and RSA encryption.
//!
//! [`KeyError`] says what was wrong with a key or with the caller's input (a format, a size, a JWK
//! parameter, a `kid`). Decryption failures are the opaque [`DecryptError`](crate::DecryptError).

use thiserror::Error;

use crate::rsa::RsaPadding;

/// A key that could not be read or used, or input that does not fit the key: which value, what was
/// wrong, and what was expected.
#[derive(Clone, Debug, Eq, PartialEq, Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The text or bytes are not a key in any format paycrypt reads.
    #[error("{what} is not a valid {format}: {detail}.")]
    Malformed {
        /// What was being read (`key`, `JWK`, `JWKS`).
        what: &'static str,
        /// The format it was read as (`PEM`, `DER`, `JWK`).
        format: &'static str,
        /// Why it was rejected.
        detail: String,
    },
    /// A PEM block whose label names a key type paycrypt does not read.
    #[error(
        "PEM label '{label}' is not an RSA key: expected PRIVATE KEY, RSA PRIVATE KEY, PUBLIC KEY or RSA PUBLIC KEY."
    )]
    PemLabel {
        /// The label found.
        label: String,
    },
    /// A JWK lacks a member the operation needs, or has one with a bad value.
    #[error("JWK member '{member}' {problem}.")]
    JwkMember {
        /// The member name (`kty`, `n`, `e`, `d`, `p`, ...).
        member: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// An RSA modulus too short for encryption.
    #[error("RSA key ({bits} bits) must be at least {min} bits for encryption.")]
    KeyTooSmall {
        /// The modulus length in bits.
        bits: usize,
        /// The minimum accepted.
        min: usize,
    },
    /// A key length that key generation does not offer.
    #[error("RSA key size {bits} is not offered: expected 2048, 3072 or 4096 bits.")]
    KeySize {
        /// The size asked for.
        bits: usize,
    },
    /// A public key was given where the private key is needed.
    #[error("{what} is a public key; decryption needs the private key.")]
    NotPrivate {
        /// Which key (`key`, or the `kid`).
        what: String,
    },
    /// A JWK's `use`, `key_ops` or `alg` forbids the operation.
    #[error("JWK{} does not allow {operation}: {reason}.", kid.as_ref().map(|k| format!(" '{k}'")).unwrap_or_default())]
    NotAllowed {
        /// The key's `kid`, when it has one.
        kid: Option<String>,
        /// The operation refused (`encryption with RSA-OAEP-256`).
        operation: String,
        /// Which member forbids it and its value.
        reason: String,
    },
    /// No key in the set has the `kid` asked for.
    #[error("No key has kid '{kid}' (the key set has {available}).")]
    KidNotFound {
        /// The `kid` asked for.
        kid: String,
        /// The `kid`s there are, comma-separated, or `no kid`.
        available: String,
    },
    /// A key set holds several usable keys and no `kid` chose one.
    #[error("The key set has {count} keys that could be used; a kid must choose one.")]
    KidRequired {
        /// How many keys could have been used.
        count: usize,
    },
    /// A key set without any key.
    #[error("The key set has no keys.")]
    EmptyKeySet,
    /// A message longer than the padding allows under the key.
    #[error("PlainText ({len} bytes) must be at most {max} bytes for {padding} with a {bits}-bit key.")]
    MessageTooLong {
        /// The message length.
        len: usize,
        /// The longest message the padding allows.
        max: usize,
        /// The padding.
        padding: RsaPadding,
        /// The modulus length in bits.
        bits: usize,
    },
    /// A label was given for PKCS#1 v1.5, which has none.
    #[error("A label is only defined for OAEP paddings, not {padding}.")]
    LabelNotAllowed {
        /// The padding asked for.
        padding: RsaPadding,
    },
    /// The operating system's random number generator, or the RSA library, failed.
    #[error("The RSA operation failed: {detail}.")]
    Operation {
        /// What failed.
        detail: String,
    },
}
