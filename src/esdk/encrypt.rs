//! Encryption: a version 2 header, framed body and (for 0x0578) footer, in one call or streamed
//! frame by frame.

use std::io::Write;

use zeroize::Zeroizing;

use crate::esdk::body::seal_frame;
use crate::esdk::context::{PUBLIC_KEY_FIELD, check_no_reserved_keys};
use crate::esdk::footer::Signer;
use crate::esdk::header::HeaderV2;
use crate::esdk::suite::derive_keys;
use crate::esdk::{EncryptionContext, EsdkError, Keyring, Suite};

/// The default frame length, as the SDKs have it.
pub const DEFAULT_FRAME_LENGTH: u32 = 4096;

/// How to encrypt.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct EncryptOptions {
    /// The algorithm suite: 0x0578 ([`Suite::DEFAULT`]) or 0x0478. Non-committing suites are
    /// refused, as the SDKs refuse them under their default commitment policy.
    pub suite: Suite,
    /// The plaintext bytes per frame, 1 to 2^32 - 1 (default 4096).
    pub frame_length: u32,
    /// The caller's encryption context (no key may start with `aws-crypto-`).
    pub context: EncryptionContext,
}

impl Default for EncryptOptions {
    fn default() -> Self {
        EncryptOptions {
            suite: Suite::DEFAULT,
            frame_length: DEFAULT_FRAME_LENGTH,
            context: EncryptionContext::new(),
        }
    }
}

/// Encrypts `plaintext` into one message, its data key wrapped by `keyring`.
///
/// # Errors
/// [`EsdkError::SuiteNotAllowed`] for a non-committing suite; [`EsdkError::FrameLength`] for a
/// frame length of 0; [`EsdkError::ReservedContextKey`]; the keyring's errors.
///
/// # Examples
/// ```
/// use paycrypt::esdk::{self, EncryptOptions, RawAesKeyring, Suite};
///
/// let keyring = RawAesKeyring::new("ns", "key", &[7; 16])?;
/// let options = EncryptOptions { suite: Suite::Aes256GcmHkdfSha512CommitKey, frame_length: 1024, ..Default::default() };
/// let message = esdk::encrypt(&[0u8; 3000], &keyring, &options)?;
/// assert_eq!(message[..3], [0x02, 0x04, 0x78]); // version 2, suite 0x0478
/// # Ok::<(), paycrypt::esdk::EsdkError>(())
/// ```
pub fn encrypt(
    plaintext: &[u8],
    keyring: &dyn Keyring,
    options: &EncryptOptions,
) -> Result<Vec<u8>, EsdkError> {
    let out = Vec::with_capacity(plaintext.len() + plaintext.len() / 64 + 1024);
    let mut encryptor = Encryptor::new(out, keyring, options)?;
    encryptor.update(plaintext)?;
    encryptor.finish()
}

/// A streaming encryptor: writes the header when made, each regular frame as soon as its plaintext is
/// complete, and the final frame (and footer) on [`Encryptor::finish`]. A plaintext that is an exact
/// multiple of the frame length (an empty one included) ends with an empty final frame, as the
/// Python, Java and C SDKs write it: version 3 of the Python SDK refuses a final frame as long as the
/// frame length, which the specification allows. It holds less than one frame of plaintext; its output is the same message [`encrypt`] makes of the concatenated
/// input. A message whose `finish` was never called has no final frame and will not decrypt.
///
/// # Examples
/// ```
/// use paycrypt::esdk::{self, DecryptOptions, EncryptOptions, Encryptor, RawAesKeyring};
///
/// let keyring = RawAesKeyring::new("ns", "key", &[7; 32])?;
/// let mut enc = Encryptor::new(Vec::new(), &keyring, &EncryptOptions::default())?;
/// enc.update(b"hello, ")?;
/// enc.update(b"world")?;
/// let message = enc.finish()?;
/// assert_eq!(&esdk::decrypt(&message, &keyring, &DecryptOptions::default())?.plaintext[..], b"hello, world");
/// # Ok::<(), paycrypt::esdk::EsdkError>(())
/// ```
pub struct Encryptor<W: Write> {
    out: W,
    key: Zeroizing<Vec<u8>>,
    message_id: Vec<u8>,
    frame_length: usize,
    /// Plaintext not yet framed: at most one frame length.
    pending: Zeroizing<Vec<u8>>,
    /// The sequence number of the next frame.
    seq: u32,
    signer: Option<Signer>,
    /// A frame's serialized bytes, reused.
    frame: Vec<u8>,
}

impl<W: Write> Encryptor<W> {
    /// Starts a message on `out`: makes the data key through `keyring` and writes the header.
    ///
    /// # Errors
    /// As [`encrypt`], and [`EsdkError::Io`] when writing fails.
    pub fn new(mut out: W, keyring: &dyn Keyring, options: &EncryptOptions) -> Result<Self, EsdkError> {
        let suite = options.suite;
        if !suite.is_committing() {
            return Err(EsdkError::SuiteNotAllowed(suite));
        }
        if options.frame_length == 0 {
            return Err(EsdkError::FrameLength(0));
        }
        let frame_length = usize::try_from(options.frame_length)
            .map_err(|_| EsdkError::FrameLength(options.frame_length))?;
        check_no_reserved_keys(&options.context)?;
        let mut context = options.context.clone();
        let mut signer = None;
        if let Some(signing) = suite.signing() {
            let (s, public_key) = Signer::generate(signing)?;
            context.insert(PUBLIC_KEY_FIELD.to_owned(), public_key);
            signer = Some(s);
        }
        let mut message_id = vec![0u8; suite.message_id_len()];
        getrandom::fill(&mut message_id).map_err(|e| EsdkError::Random(e.to_string()))?;
        let (data_key, edks) = keyring.wrap(suite, &context, None)?;
        if edks.is_empty() {
            return Err(EsdkError::NoEncryptedDataKeys);
        }
        let keys = derive_keys(suite, &data_key, &message_id)?;
        let commitment = keys.commitment().ok_or(EsdkError::SuiteNotAllowed(suite))?;
        let header = HeaderV2 {
            suite,
            message_id: &message_id,
            context: &context,
            edks: &edks,
            frame_length: options.frame_length,
            commitment,
        }
        .serialize(keys.encryption_key())?;
        if let Some(s) = &mut signer {
            s.update(&header);
        }
        out.write_all(&header)?;
        Ok(Encryptor {
            out,
            key: Zeroizing::new(keys.encryption_key().to_vec()),
            message_id,
            frame_length,
            // Up to a MiB reserved at once, so that frames up to that size never reallocate (and
            // leave unzeroized copies of plaintext behind).
            pending: Zeroizing::new(Vec::with_capacity(frame_length.min(1 << 20))),
            seq: 1,
            signer,
            frame: Vec::new(),
        })
    }

    /// Adds `data` to the plaintext, writing every whole frame it completes as a regular frame.
    ///
    /// # Errors
    /// [`EsdkError::MessageTooLarge`] past 2^32 - 2 regular frames; [`EsdkError::Io`].
    pub fn update(&mut self, mut data: &[u8]) -> Result<(), EsdkError> {
        let fl = self.frame_length;
        if !self.pending.is_empty() {
            let take = (fl - self.pending.len()).min(data.len());
            let (head, rest) = data.split_at(take);
            self.pending.extend_from_slice(head);
            data = rest;
            if self.pending.len() < fl {
                return Ok(());
            }
            let pending = Zeroizing::new(std::mem::take(&mut *self.pending));
            self.write_frame(&pending, false)?;
            self.pending.reserve(fl.min(1 << 20));
        }
        while data.len() >= fl {
            let (frame, rest) = data.split_at(fl);
            self.write_frame(frame, false)?;
            data = rest;
        }
        self.pending.extend_from_slice(data);
        Ok(())
    }

    /// Writes the final frame (what is pending: 0 to one byte less than a frame) and, for signing suites, the
    /// footer; returns the output.
    ///
    /// # Errors
    /// [`EsdkError::Io`] when writing or flushing fails.
    pub fn finish(mut self) -> Result<W, EsdkError> {
        let pending = Zeroizing::new(std::mem::take(&mut *self.pending));
        self.write_frame(&pending, true)?;
        if let Some(signer) = self.signer.take() {
            self.out.write_all(&signer.footer()?)?;
        }
        self.out.flush()?;
        Ok(self.out)
    }

    fn write_frame(&mut self, plaintext: &[u8], is_final: bool) -> Result<(), EsdkError> {
        if self.seq == u32::MAX && !is_final {
            return Err(EsdkError::MessageTooLarge);
        }
        self.frame.clear();
        seal_frame(&self.key, &self.message_id, self.seq, is_final, plaintext, &mut self.frame)?;
        if let Some(s) = &mut self.signer {
            s.update(&self.frame);
        }
        self.out.write_all(&self.frame)?;
        self.seq = self.seq.saturating_add(1);
        Ok(())
    }
}
