//! Errors of the primitives layer.
//!
//! [`CipherError`] says what was wrong with a caller's input (a length, a name, a mode that does not fit the
//! cipher). Checks that would become an oracle if they said more, padding and decryption checks, return
//! the opaque [`UnpadError`] or [`DecryptError`] instead.

use thiserror::Error;

use crate::primitives::{Algorithm, Mode};

/// Bad input to a primitive (a cipher, a mode, a padding, a KCV, a name): which value, what it was,
/// and the rule it broke.
#[derive(Clone, Debug, Eq, PartialEq, Error)]
#[non_exhaustive]
pub enum CipherError {
    /// A key had the wrong length for its algorithm.
    #[error("Key ({got} bytes) must be {} bytes for {algorithm}.", algorithm.key_len())]
    KeyLength {
        /// The algorithm the key was for.
        algorithm: Algorithm,
        /// The length given.
        got: usize,
    },
    /// An initialization vector had the wrong length for the cipher's block.
    #[error("InitializationVector ({got} bytes) must be {expected} bytes for {algorithm} {mode}.")]
    IvLength {
        /// The cipher.
        algorithm: Algorithm,
        /// The mode.
        mode: Mode,
        /// The length given.
        got: usize,
        /// The length the mode needs.
        expected: usize,
    },
    /// A mode that needs an initialization vector got none.
    #[error("InitializationVector is required for {mode} mode.")]
    IvMissing {
        /// The mode.
        mode: Mode,
    },
    /// ECB got an initialization vector, which it does not use.
    #[error("InitializationVector must not be given for ECB mode.")]
    IvNotAllowed,
    /// ECB or CBC data was not a whole number of blocks.
    #[error(
        "Data ({len} bytes) must be a multiple of {block} bytes for {algorithm} {mode}; \
         use a padding or a stream mode (CFB, OFB)."
    )]
    PartialBlock {
        /// The cipher.
        algorithm: Algorithm,
        /// The mode.
        mode: Mode,
        /// The data length given.
        len: usize,
        /// The block length.
        block: usize,
    },
    /// The mode does not exist for the cipher (CFB128 needs a 128-bit block).
    #[error("Mode {mode} is not defined for {algorithm}: its block is {} bits.", algorithm.block_len() * 8)]
    ModeNotSupported {
        /// The cipher.
        algorithm: Algorithm,
        /// The mode asked for.
        mode: Mode,
    },
    /// A KCV algorithm that is not defined for the key's algorithm.
    #[error("KeyCheckValueAlgorithm {kcv} is not defined for {algorithm} keys.")]
    KcvNotSupported {
        /// The key's algorithm.
        algorithm: Algorithm,
        /// The KCV algorithm asked for.
        kcv: &'static str,
    },
    /// A name (algorithm, mode, padding) that paycrypt does not know.
    #[error("Unknown {what} '{got}': expected one of {expected}.")]
    UnknownName {
        /// What kind of name it was.
        what: &'static str,
        /// The name given.
        got: String,
        /// The names accepted.
        expected: &'static str,
    },
}

/// Removing padding failed. Deliberately carries no detail, so it cannot become a padding oracle.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Error)]
#[error("Padding is invalid.")]
pub struct UnpadError;

/// Decryption failed. Deliberately carries no detail.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Error)]
#[error("Decryption failed.")]
pub struct DecryptError;
