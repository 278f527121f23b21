//! Why a key block could not be built, parsed or opened.
//!
//! Problems anyone can see without the key block protection key (a field's format, a length, an
//! optional block) are typed and name the field. Everything checked under the key (the MAC, the
//! payload's length field, the padding) is one opaque [`Tr31Error::Invalid`], so that unwrapping cannot
//! become an oracle.

use thiserror::Error;

/// A TR-31 key block error.
#[derive(Clone, Debug, Eq, PartialEq, Error)]
#[non_exhaustive]
pub enum Tr31Error {
    /// The key block could not be unwrapped: the MAC did not verify, or the decrypted payload was not
    /// well formed. Deliberately carries no detail.
    #[error("The key block could not be unwrapped: it is corrupt or the key block protection key is wrong.")]
    Invalid,
    /// The text is shorter than the 16-character fixed header.
    #[error("The key block header ({got} characters) must be at least 16 characters.")]
    HeaderTooShort {
        /// The length given.
        got: usize,
    },
    /// The version ID is not one of A, B, C, D.
    #[error("Version ID ({got}) must be A, B, C or D.")]
    UnsupportedVersion {
        /// The character found.
        got: char,
    },
    /// A fixed header field has the wrong form (length, character set).
    #[error("{field} ({got}) must be {expected}.")]
    Field {
        /// The field, e.g. `KeyVersionNumber`.
        field: &'static str,
        /// What was found (printable characters only).
        got: String,
        /// The rule it broke.
        expected: &'static str,
    },
    /// The key usage is not one ANSI X9.143 defines (numeric usages, for proprietary use, are accepted).
    #[error("KeyUsage ({got}) is not a key usage of ANSI X9.143.")]
    UnknownKeyUsage {
        /// The two characters found.
        got: String,
    },
    /// The algorithm is not one ANSI X9.143 defines (a digit, for proprietary use, is accepted).
    #[error("Algorithm ({got}) must be one of A, D, E, H, R, S, T.")]
    UnknownAlgorithm {
        /// The character found.
        got: char,
    },
    /// The mode of use is not one ANSI X9.143 defines (a digit, for proprietary use, is accepted).
    #[error("ModeOfUse ({got}) must be one of B, C, D, E, G, N, S, T, V, X, Y.")]
    UnknownModeOfUse {
        /// The character found.
        got: char,
    },
    /// The exportability is not E, N or S (a digit, for proprietary use, is accepted).
    #[error("Exportability ({got}) must be E, N or S.")]
    UnknownExportability {
        /// The character found.
        got: char,
    },
    /// The mode of use is not one that TR-31:2018 Table 6 allows with the key usage.
    #[error(
        "ModeOfUse ({mode_of_use}) is not allowed with KeyUsage {key_usage}; it must be one of {allowed}."
    )]
    ModeNotAllowed {
        /// The key usage.
        key_usage: String,
        /// The mode of use.
        mode_of_use: char,
        /// The modes the key usage allows.
        allowed: &'static str,
    },
    /// An optional block is malformed or breaks its block's rule.
    #[error("Optional block {id}: {reason}.")]
    OptionalBlock {
        /// The block ID (or its position when the ID itself is unreadable).
        id: String,
        /// What is wrong, e.g. `data must be hex digits`.
        reason: String,
    },
    /// More optional blocks than the two-digit count can hold.
    #[error("A key block holds at most 99 optional blocks; this header has {got}.")]
    TooManyBlocks {
        /// The number of blocks.
        got: usize,
    },
    /// The length field does not match the key block's length, or the length is not whole cipher blocks.
    #[error("The key block is {got} characters but {expected}.")]
    KeyBlockLength {
        /// The key block's length.
        got: usize,
        /// What the length should have been, in words.
        expected: String,
    },
    /// The key block would be longer than the 4-digit length field can say.
    #[error("The key block would be {got} characters; the limit is 9999.")]
    TooLong {
        /// The length it would have.
        got: usize,
    },
    /// The encrypted payload or the MAC is not upper-case hex.
    #[error("The key block's {part} must be upper-case hex digits.")]
    NotHex {
        /// `encrypted key` or `MAC`.
        part: &'static str,
    },
    /// The key block protection key has the wrong length for the version.
    #[error("The key block protection key ({got} bytes) must be {expected} bytes for version {version}.")]
    KbpkLength {
        /// The version ID.
        version: char,
        /// The length given.
        got: usize,
        /// The lengths the version takes.
        expected: &'static str,
    },
    /// The key to wrap has the wrong length for the header's algorithm.
    #[error("The key ({got} bytes) must be {expected} bytes for algorithm {algorithm}.")]
    KeyLength {
        /// The header's algorithm.
        algorithm: char,
        /// The length given.
        got: usize,
        /// The lengths the algorithm takes.
        expected: &'static str,
    },
    /// The operating system's random number generator failed (padding could not be drawn).
    #[error("The system's random number generator failed.")]
    Random,
}
