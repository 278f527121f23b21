//! Decryption: parse and check the header, get the data key, check the commitment and the header
//! tag, decrypt the body frame by frame, verify the footer, refuse trailing bytes.

use std::fmt;
use std::io::{BufReader, Read, Write};

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::esdk::body::{Kind, read_frame, read_single_block};
use crate::esdk::context::PUBLIC_KEY_FIELD;
use crate::esdk::footer::Verifier;
use crate::esdk::header::{Header, Source, read_header};
use crate::esdk::suite::derive_keys;
use crate::esdk::{DataKey, EncryptedDataKey, EncryptionContext, EsdkError, Keyring, Suite};

/// Which suites decryption accepts.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub enum CommitmentPolicy {
    /// Only committing suites (0x0478, 0x0578): the SDKs' default.
    #[default]
    RequireEncryptRequireDecrypt,
    /// Committing suites, and the message format 1 suites for messages made before key commitment.
    RequireEncryptAllowDecrypt,
}

/// How to decrypt.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct DecryptOptions {
    /// Which suites are accepted.
    pub commitment_policy: CommitmentPolicy,
    /// The most EDKs a header may list (`None`: no limit), checked before any is read.
    pub max_encrypted_data_keys: Option<u16>,
    /// Pairs the message's encryption context must hold, each with the same value.
    pub required_context: EncryptionContext,
}

/// What a message header says (after it verified, for [`decrypt`] and [`decrypt_stream`]).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct MessageInfo {
    /// The message format version: 1 or 2.
    pub version: u8,
    /// The algorithm suite.
    pub suite: Suite,
    /// The message id: 16 bytes (version 1) or 32 (version 2).
    pub message_id: Vec<u8>,
    /// The encryption context, including `aws-crypto-public-key` for signing suites.
    pub context: EncryptionContext,
    /// The encrypted data keys.
    pub encrypted_data_keys: Vec<EncryptedDataKey>,
    /// Whether the body is framed.
    pub framed: bool,
    /// The frame length (0 for non-framed bodies).
    pub frame_length: u32,
}

impl From<&Header> for MessageInfo {
    fn from(h: &Header) -> Self {
        MessageInfo {
            version: h.version,
            suite: h.suite,
            message_id: h.message_id.clone(),
            context: h.context.clone(),
            encrypted_data_keys: h.edks.clone(),
            framed: h.framed,
            frame_length: h.frame_length,
        }
    }
}

/// A decrypted message: the plaintext (zeroized on drop, not printed by `Debug`) and the header's
/// information.
pub struct Decrypted {
    /// The plaintext.
    pub plaintext: Zeroizing<Vec<u8>>,
    /// What the header says.
    pub info: MessageInfo,
}

impl fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decrypted")
            .field("plaintext", &format_args!("{} bytes", self.plaintext.len()))
            .field("info", &self.info)
            .finish()
    }
}

/// Where the data key comes from.
#[derive(Clone, Copy)]
enum KeySource<'a> {
    Keyring(&'a dyn Keyring),
    DataKey(&'a DataKey),
}

/// Decrypts a whole message in memory with `keyring`. No plaintext is returned unless the whole
/// message verified: header tag, every frame, the footer signature, and nothing after it.
///
/// # Errors
/// The first check that fails, as a typed [`EsdkError`]; every tag or signature failure is
/// [`EsdkError::Authentication`].
///
/// # Examples
/// ```
/// use paycrypt::esdk::{self, DecryptOptions, EncryptOptions, EsdkError, RawAesKeyring};
///
/// let keyring = RawAesKeyring::new("ns", "key", &[7; 32])?;
/// let mut message = esdk::encrypt(b"attack at dawn", &keyring, &EncryptOptions::default())?;
/// assert_eq!(&esdk::decrypt(&message, &keyring, &DecryptOptions::default())?.plaintext[..], b"attack at dawn");
/// let last = message.len() - 1;
/// message[last] ^= 1; // the footer's signature
/// assert!(matches!(esdk::decrypt(&message, &keyring, &DecryptOptions::default()), Err(EsdkError::Authentication)));
/// # Ok::<(), paycrypt::esdk::EsdkError>(())
/// ```
pub fn decrypt(
    message: &[u8],
    keyring: &dyn Keyring,
    options: &DecryptOptions,
) -> Result<Decrypted, EsdkError> {
    decrypt_buffered(message, KeySource::Keyring(keyring), options)
}

/// Decrypts a whole message in memory with its plaintext data key given instead of a keyring: the
/// entry point of known-answer tests (published vectors give the data key). Every check of
/// [`decrypt`] except the keyring's is made.
///
/// # Errors
/// As [`decrypt`]; [`EsdkError::DataKeyLength`] for a key of the wrong length for the suite.
pub fn decrypt_with_data_key(
    message: &[u8],
    data_key: &DataKey,
    options: &DecryptOptions,
) -> Result<Decrypted, EsdkError> {
    decrypt_buffered(message, KeySource::DataKey(data_key), options)
}

/// Decrypts a message read from `input`, writing plaintext to `out` as it verifies: each regular
/// frame once its tag verified; the final frame (or a non-framed body) only after the footer
/// signature verified and the input was seen to end. Returns `Ok` only when the whole message
/// verified.
///
/// # Security
/// For a signing suite, plaintext written before the call returns is authenticated by its frame
/// tag but **not yet signed**: an error means discard everything written. Callers that must not
/// release unverified plaintext write to a temporary file and rename it only on `Ok` (or use
/// [`decrypt`], which releases nothing before the end).
///
/// # Errors
/// As [`decrypt`], and [`EsdkError::Io`] when reading or writing fails.
pub fn decrypt_stream<R: Read, W: Write>(
    input: R,
    mut out: W,
    keyring: &dyn Keyring,
    options: &DecryptOptions,
) -> Result<MessageInfo, EsdkError> {
    let info = run(BufReader::new(input), &mut out, KeySource::Keyring(keyring), options)?;
    out.flush()?;
    Ok(info)
}

/// Parses a message's header without any key: its metadata, unauthenticated. Checks every header
/// field's format (not the commitment policy, not the tag).
///
/// # Errors
/// The typed error of the first bad field; [`EsdkError::Truncated`] when the header is incomplete.
///
/// # Examples
/// ```
/// use paycrypt::esdk::{self, EncryptOptions, RawAesKeyring, Suite};
///
/// let keyring = RawAesKeyring::new("ns", "key", &[7; 32])?;
/// let message = esdk::encrypt(b"x", &keyring, &EncryptOptions::default())?;
/// let info = esdk::parse_header(&message)?;
/// assert_eq!((info.version, info.suite, info.frame_length), (2, Suite::DEFAULT, 4096));
/// assert!(info.context.contains_key("aws-crypto-public-key"));
/// assert!(esdk::parse_header(&message[..20]).is_err());
/// # Ok::<(), paycrypt::esdk::EsdkError>(())
/// ```
pub fn parse_header(message: &[u8]) -> Result<MessageInfo, EsdkError> {
    let header = read_header(&mut Source::new(message), None)?;
    Ok(MessageInfo::from(&header))
}

fn decrypt_buffered(
    message: &[u8],
    keys: KeySource<'_>,
    options: &DecryptOptions,
) -> Result<Decrypted, EsdkError> {
    // The plaintext is shorter than the message: reserving that much up front means the buffer is
    // never reallocated, so no copy of plaintext is left behind unzeroized.
    let mut plaintext = Zeroizing::new(Vec::with_capacity(message.len()));
    let info = run(message, &mut *plaintext, keys, options)?;
    Ok(Decrypted { plaintext, info })
}

/// The decryption steps, in the specification's order.
fn run<R: Read, W: Write>(
    input: R,
    out: &mut W,
    keys: KeySource<'_>,
    options: &DecryptOptions,
) -> Result<MessageInfo, EsdkError> {
    let mut src = Source::new(input);
    let header = read_header(&mut src, options.max_encrypted_data_keys)?;
    let suite = header.suite;
    if !suite.is_committing() && options.commitment_policy == CommitmentPolicy::RequireEncryptRequireDecrypt {
        return Err(EsdkError::SuiteNotAllowed(suite));
    }
    let public_key = header.context.get(PUBLIC_KEY_FIELD);
    let mut verifier = match (suite.signing(), public_key) {
        (Some(signing), Some(key)) => Some(Verifier::new(signing, key)?),
        (Some(_), None) => return Err(EsdkError::MissingPublicKey),
        (None, Some(_)) => return Err(EsdkError::UnexpectedPublicKey),
        (None, None) => None,
    };
    for (key, value) in &options.required_context {
        if header.context.get(key) != Some(value) {
            return Err(EsdkError::RequiredContextMismatch(key.clone()));
        }
    }
    let unwrapped;
    let data_key = match keys {
        KeySource::DataKey(key) => key,
        KeySource::Keyring(keyring) => {
            unwrapped = keyring
                .unwrap(suite, &header.context, &header.edks)?
                .ok_or(EsdkError::NoKeyringUnwrapped { errors: Vec::new() })?;
            &unwrapped
        }
    };
    let derived = derive_keys(suite, data_key, &header.message_id)?;
    if let (Some(expected), Some(got)) = (header.commitment.as_ref(), derived.commitment())
        && !bool::from(expected[..].ct_eq(&got[..]))
    {
        return Err(EsdkError::CommitmentMismatch);
    }
    let key = derived.encryption_key();
    header.verify_tag(key)?;
    if let Some(v) = &mut verifier {
        v.update(&header.bytes);
    }

    // The plaintext released last: the final frame or the non-framed block.
    let last: Zeroizing<Vec<u8>>;
    if header.framed {
        let mut seq = 1u32;
        loop {
            let frame = read_frame(&mut src, header.frame_length, seq)?;
            let plain = frame.open(key, &header.message_id)?;
            if let Some(v) = &mut verifier {
                frame.feed(|b| v.update(b));
            }
            if frame.kind == Kind::Final {
                last = plain;
                break;
            }
            out.write_all(&plain)?;
            // A regular frame's sequence number is below 0xFFFFFFFF (that is the final mark).
            seq = seq.checked_add(1).ok_or(EsdkError::MessageTooLarge)?;
        }
    } else {
        let block = read_single_block(&mut src)?;
        last = block.open(key, &header.message_id)?;
        if let Some(v) = &mut verifier {
            block.feed(|b| v.update(b));
        }
    }
    if let Some(v) = verifier {
        let signature = read_footer(&mut src)?;
        v.verify(&signature)?;
    }
    if !src.at_end()? {
        return Err(EsdkError::TrailingBytes);
    }
    out.write_all(&last)?;
    Ok(MessageInfo::from(&header))
}

/// The footer's signature; a missing or cut footer is [`EsdkError::BadFooter`].
fn read_footer<R: Read>(src: &mut Source<R>) -> Result<Vec<u8>, EsdkError> {
    let bad = |e| match e {
        EsdkError::Truncated => EsdkError::BadFooter,
        other => other,
    };
    let len = src.u16().map_err(bad)?;
    if len == 0 {
        return Err(EsdkError::BadFooter);
    }
    src.bytes(usize::from(len)).map_err(bad)
}
