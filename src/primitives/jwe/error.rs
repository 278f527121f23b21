//! Errors of JWE and of JSON field encryption.

use thiserror::Error;

use crate::rsa::KeyError;

/// A JWE that could not be made or opened, and why.
///
/// Everything about a token's *form* (parts, base64url, header members, sizes) is reported in
/// detail: it is public. Everything that depends on a secret (the key unwrap, the tag) is the one
/// [`JweError::Decryption`], so the two cannot be told apart (RFC 7516 §11.5).
#[derive(Clone, Debug, Eq, PartialEq, Error)]
#[non_exhaustive]
pub enum JweError {
    /// A compact JWE does not have five `.`-separated parts.
    #[error("A compact JWE has 5 parts separated by '.', this one has {got}.")]
    Parts {
        /// The number of parts found.
        got: usize,
    },
    /// A part is not unpadded base64url.
    #[error("The JWE {part} is not unpadded base64url.")]
    Base64 {
        /// Which part (`protected header`, `encrypted key`, `IV`, `ciphertext`, `tag`).
        part: &'static str,
    },
    /// The protected header is not a JSON object.
    #[error("The JWE protected header is not a JSON object: {detail}.")]
    Header {
        /// Why it was rejected.
        detail: String,
    },
    /// A header member is missing or is not a string.
    #[error("The JWE header member '{member}' {problem}.")]
    HeaderMember {
        /// The member name.
        member: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// `alg` is `none`: an unencrypted JWE is never accepted.
    #[error("JWE alg 'none' is never accepted.")]
    AlgNone,
    /// An `alg` paycrypt does not implement.
    #[error("JWE alg '{alg}' is not supported: expected RSA-OAEP-256 or RSA-OAEP.")]
    UnsupportedAlg {
        /// The `alg` found.
        alg: String,
    },
    /// An `alg` outside the caller's allow-list.
    #[error("JWE alg '{alg}' is not allowed here: allowed are {allowed}.")]
    AlgNotAllowed {
        /// The `alg` found.
        alg: String,
        /// The allow-list, comma-separated.
        allowed: String,
    },
    /// An `enc` paycrypt does not implement.
    #[error("JWE enc '{enc}' is not supported: expected A256GCM, A192GCM or A128GCM.")]
    UnsupportedEnc {
        /// The `enc` found.
        enc: String,
    },
    /// An `enc` outside the caller's allow-list.
    #[error("JWE enc '{enc}' is not allowed here: allowed are {allowed}.")]
    EncNotAllowed {
        /// The `enc` found.
        enc: String,
        /// The allow-list, comma-separated.
        allowed: String,
    },
    /// A `zip` member: compressed plaintexts are refused.
    #[error("JWE compression (zip '{zip}') is not supported.")]
    Zip {
        /// The `zip` value.
        zip: String,
    },
    /// A `crit` member naming an extension paycrypt does not understand, or a malformed `crit`.
    #[error("JWE critical header parameter {name} is not understood.")]
    Crit {
        /// The parameter named, quoted, or a description of the bad `crit`.
        name: String,
    },
    /// An IV that is not 96 bits.
    #[error("The JWE IV ({got} bytes) must be 12 bytes for AES-GCM.")]
    IvLength {
        /// The IV length found.
        got: usize,
    },
    /// A tag that is not 128 bits.
    #[error("The JWE authentication tag ({got} bytes) must be 16 bytes for AES-GCM.")]
    TagLength {
        /// The tag length found.
        got: usize,
    },
    /// A key could not be chosen or used (no key with the `kid`, `use`/`key_ops`/`alg` forbid it,
    /// the key is too small or public only).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Decryption failed: the encrypted key did not unwrap under the key, or the tag did not verify.
    /// Deliberately says no more.
    #[error("JWE decryption failed.")]
    Decryption,
    /// The operating system's random number generator failed.
    #[error("The random number generator failed.")]
    Random,
    /// A document for field encryption is not valid JSON.
    #[error("The document is not valid JSON: {detail}.")]
    Json {
        /// The parser's message.
        detail: String,
    },
    /// A field to encrypt is not in the document.
    #[error("Field {field} is not in the document.")]
    FieldNotFound {
        /// The field name or JSON pointer, quoted.
        field: String,
    },
    /// A field to encrypt or decrypt holds something other than a string.
    #[error("Field at {pointer} must be a string to be encrypted or decrypted, not {found}.")]
    FieldNotString {
        /// Where the value is, as a JSON pointer.
        pointer: String,
        /// What it holds (`a number`, `an object`, ...).
        found: &'static str,
    },
    /// A decrypted field's payload is not UTF-8 text, so it cannot go back into a JSON string.
    #[error("The decrypted value at {pointer} is not UTF-8 text.")]
    FieldNotText {
        /// Where the value is, as a JSON pointer.
        pointer: String,
    },
}
