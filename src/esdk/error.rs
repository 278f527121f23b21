//! The one error type of the message format, and the error a KMS client reports.

use std::fmt;

use thiserror::Error;

use crate::esdk::Suite;

/// A failed ESDK operation. Every failed tag or signature check is the one opaque
/// [`EsdkError::Authentication`], so that no check can become an oracle; structural problems, which
/// anyone can see in the bytes, say what they are.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EsdkError {
    /// The message ended before a field it announces.
    #[error("The message is truncated: it ends inside a field.")]
    Truncated,
    /// The version byte is neither 01 nor 02.
    #[error("Unknown message format version 0x{0:02x}: expected 0x01 or 0x02.")]
    UnknownVersion(u8),
    /// The type byte of a version 1 header is not 0x80 (customer authenticated encrypted data).
    #[error("Unknown message type 0x{0:02x}: expected 0x80.")]
    UnknownType(u8),
    /// The algorithm suite id is not an ESDK suite, or does not belong to the header version.
    #[error("Unknown algorithm suite 0x{0:04x} for this message format version.")]
    UnknownSuite(u16),
    /// The suite is not allowed: a non-committing suite under
    /// [`CommitmentPolicy::RequireEncryptRequireDecrypt`](crate::esdk::CommitmentPolicy), or any
    /// non-committing suite for encryption.
    #[error("The algorithm suite {} (0x{:04x}) is not allowed by the commitment policy.", .0.name(), .0.id())]
    SuiteNotAllowed(Suite),
    /// The content type is neither 01 (non-framed) nor 02 (framed).
    #[error("Unknown content type 0x{0:02x}: expected 0x01 (non-framed) or 0x02 (framed).")]
    UnknownContentType(u8),
    /// The four reserved bytes of a version 1 header are not zero.
    #[error("The reserved bytes of the header are not 00000000.")]
    ReservedBytes,
    /// The IV length of a version 1 header is not 12.
    #[error("The header's IV length is {0}: expected 12.")]
    IvLength(u8),
    /// The header lists no encrypted data keys.
    #[error("The message has no encrypted data keys.")]
    NoEncryptedDataKeys,
    /// The header lists more encrypted data keys than allowed.
    #[error("The message has {count} encrypted data keys: at most {max} are allowed.")]
    TooManyEncryptedDataKeys {
        /// How many the header lists.
        count: u16,
        /// The configured maximum.
        max: u16,
    },
    /// The encryption context holds the same key twice.
    #[error("The encryption context holds the key {0:?} twice.")]
    DuplicateContextKey(String),
    /// A caller-supplied encryption context key starts with `aws-crypto-`, which the SDK reserves.
    #[error(
        "The encryption context key {0:?} is reserved: keys starting with \"aws-crypto-\" are the SDK's."
    )]
    ReservedContextKey(String),
    /// The encryption context cannot be serialized or parsed: bad UTF-8, or too long.
    #[error("Invalid encryption context: {0}.")]
    Context(String),
    /// The commitment key derived from the data key differs from the one in the header: the data
    /// key is not the one the message was made with.
    #[error("Key commitment does not match: the data key is not the one this message was encrypted with.")]
    CommitmentMismatch,
    /// A tag (header, frame, data key) or the signature did not verify. Deliberately carries no
    /// detail.
    #[error("Authentication failed.")]
    Authentication,
    /// A signing suite's message has no `aws-crypto-public-key` in its encryption context.
    #[error("The algorithm suite signs, but the encryption context holds no aws-crypto-public-key.")]
    MissingPublicKey,
    /// A non-signing suite's message has an `aws-crypto-public-key` in its encryption context.
    #[error("The algorithm suite does not sign, but the encryption context holds aws-crypto-public-key.")]
    UnexpectedPublicKey,
    /// The `aws-crypto-public-key` value is not base64 of a compressed point on the suite's curve.
    #[error("aws-crypto-public-key is not a base64 compressed point on the suite's curve.")]
    BadPublicKey,
    /// The footer is missing, or its signature is not a DER ECDSA signature.
    #[error("The message footer is missing or malformed.")]
    BadFooter,
    /// A final frame is longer than the frame length, or non-framed content longer than 2^36 - 32.
    #[error("Encrypted content of {got} bytes is longer than the {max} allowed.")]
    FrameTooLong {
        /// The length the message gives.
        got: u64,
        /// The most allowed.
        max: u64,
    },
    /// A frame's sequence number is not the one after the previous frame's.
    #[error("Frame sequence number {got} where {expected} was expected.")]
    SequenceGap {
        /// The sequence number due.
        expected: u32,
        /// The one found.
        got: u32,
    },
    /// Bytes follow the end of the message.
    #[error("Bytes follow the end of the message.")]
    TrailingBytes,
    /// The frame length is invalid: 0 as an option or for framed content, non-zero for non-framed.
    #[error("Invalid frame length {0}: framed content needs 1 to 4294967295, non-framed content 0.")]
    FrameLength(u32),
    /// The message would need more than 2^32 - 2 frames.
    #[error("The plaintext needs more than 4294967294 frames of this length.")]
    MessageTooLarge,
    /// A pair the caller requires is missing from the message's encryption context, or differs.
    #[error("The encryption context does not hold the required pair for key {0:?}.")]
    RequiredContextMismatch(String),
    /// No keyring could decrypt any encrypted data key; `errors` says what each attempt gave.
    #[error("No keyring could decrypt an encrypted data key{}", fmt_errors(.errors))]
    NoKeyringUnwrapped {
        /// One line per failed attempt (none when no data key was for the keyrings given).
        errors: Vec<String>,
    },
    /// A keyring produced a data key of the wrong length for the suite.
    #[error("The data key is {got} bytes: the suite needs {expected}.")]
    DataKeyLength {
        /// Its length.
        got: usize,
        /// The suite's key derivation input length.
        expected: usize,
    },
    /// A KMS call made to wrap a data key failed.
    #[error("KMS: {0}")]
    Kms(KmsCallError),
    /// A raw AES wrapping key is not 16, 24 or 32 bytes.
    #[error("A raw AES wrapping key must be 16, 24 or 32 bytes.")]
    InvalidKey,
    /// A keyring's configuration is invalid (no key ids, a reserved namespace, a response that is
    /// not a key ARN).
    #[error("Invalid keyring configuration: {0}.")]
    Keyring(String),
    /// The operating system's random number generator failed.
    #[error("No randomness: {0}.")]
    Random(String),
    /// ECDSA signing failed (a valid key over a hash does not fail).
    #[error("ECDSA signing failed.")]
    Signing,
    /// Reading the message or writing the output failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

fn fmt_errors(errors: &[String]) -> String {
    if errors.is_empty() { ".".to_owned() } else { format!(": {}.", errors.join("; ")) }
}

/// A KMS call's failure, as the AWS exception name and message (`NotFoundException`, `Key '…' does
/// not exist`).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct KmsCallError {
    /// The AWS exception name, e.g. `NotFoundException`.
    pub exception: String,
    /// KMS's message.
    pub message: String,
}

impl KmsCallError {
    /// An error named `exception` saying `message`.
    pub fn new(exception: impl Into<String>, message: impl Into<String>) -> Self {
        KmsCallError { exception: exception.into(), message: message.into() }
    }
}

impl fmt::Display for KmsCallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.exception, self.message)
    }
}

impl std::error::Error for KmsCallError {}

/// Reading `n` bytes: end of input is [`EsdkError::Truncated`], other failures [`EsdkError::Io`].
pub(crate) fn read_error(e: std::io::Error) -> EsdkError {
    if e.kind() == std::io::ErrorKind::UnexpectedEof { EsdkError::Truncated } else { EsdkError::Io(e) }
}
