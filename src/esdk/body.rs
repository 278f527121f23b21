//! The message body: frames (regular and final) or one non-framed block, each AES-GCM under the
//! derived key with IV = sequence number left-padded with zeros and additional data = message id ‖
//! content string ‖ sequence number (u32) ‖ content length (u64).

use std::io::Read;

use zeroize::Zeroizing;

use crate::esdk::EsdkError;
use crate::esdk::header::Source;
use crate::primitives::jwe::gcm::{self, IV_LEN, TAG_LEN};

/// The first four bytes of a final frame.
pub(crate) const FINAL_FRAME_MARK: u32 = 0xFFFF_FFFF;
/// The longest non-framed content: 2^36 - 32 bytes (GCM's limit).
pub(crate) const MAX_NON_FRAMED: u64 = (1 << 36) - 32;

/// What a piece of body is, for its additional data.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Kind {
    Regular,
    Final,
    SingleBlock,
}

impl Kind {
    fn aad_content(self) -> &'static [u8] {
        match self {
            Kind::Regular => b"AWSKMSEncryptionClient Frame",
            Kind::Final => b"AWSKMSEncryptionClient Final Frame",
            Kind::SingleBlock => b"AWSKMSEncryptionClient Single Block",
        }
    }
}

/// The body additional data of one frame or block.
pub(crate) fn body_aad(message_id: &[u8], kind: Kind, seq: u32, len: u64) -> Vec<u8> {
    let content = kind.aad_content();
    let mut aad = Vec::with_capacity(message_id.len() + content.len() + 12);
    aad.extend_from_slice(message_id);
    aad.extend_from_slice(content);
    aad.extend_from_slice(&seq.to_be_bytes());
    aad.extend_from_slice(&len.to_be_bytes());
    aad
}

/// The IV of frame `seq`: the sequence number, big-endian, left-padded with zeros.
pub(crate) fn frame_iv(seq: u32) -> [u8; IV_LEN] {
    let mut iv = [0u8; IV_LEN];
    iv[IV_LEN - 4..].copy_from_slice(&seq.to_be_bytes());
    iv
}

/// Appends frame `seq` of `plaintext` (a regular frame of exactly the frame length, or the final
/// frame) to `out`.
pub(crate) fn seal_frame(
    key: &[u8],
    message_id: &[u8],
    seq: u32,
    is_final: bool,
    plaintext: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), EsdkError> {
    let len = u32::try_from(plaintext.len()).map_err(|_| EsdkError::FrameLength(u32::MAX))?;
    let kind = if is_final { Kind::Final } else { Kind::Regular };
    let iv = frame_iv(seq);
    let aad = body_aad(message_id, kind, seq, u64::from(len));
    let (ciphertext, tag) = gcm::encrypt(key, &iv, &aad, plaintext).map_err(|_| EsdkError::InvalidKey)?;
    if is_final {
        out.extend_from_slice(&FINAL_FRAME_MARK.to_be_bytes());
    }
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&iv);
    if is_final {
        out.extend_from_slice(&len.to_be_bytes());
    }
    out.extend_from_slice(&ciphertext);
    out.extend_from_slice(&tag);
    Ok(())
}

/// One frame or block read from the message, still encrypted.
pub(crate) struct Sealed {
    pub(crate) kind: Kind,
    pub(crate) seq: u32,
    iv: [u8; IV_LEN],
    content: Vec<u8>,
    tag: [u8; TAG_LEN],
}

impl Sealed {
    /// Hands the frame's bytes, as serialized, to `f` in order (for the signature).
    pub(crate) fn feed(&self, mut f: impl FnMut(&[u8])) {
        match self.kind {
            Kind::Final => {
                f(&FINAL_FRAME_MARK.to_be_bytes());
                f(&self.seq.to_be_bytes());
                f(&self.iv);
                f(&u32::try_from(self.content.len()).unwrap_or(u32::MAX).to_be_bytes());
            }
            Kind::Regular => {
                f(&self.seq.to_be_bytes());
                f(&self.iv);
            }
            Kind::SingleBlock => {
                f(&self.iv);
                f(&u64::try_from(self.content.len()).unwrap_or(u64::MAX).to_be_bytes());
            }
        }
        f(&self.content);
        f(&self.tag);
    }

    /// Decrypts and authenticates the frame under `key`, with the IV the frame carries (the SDKs
    /// write the sequence number there, but decrypt with whatever IV is serialized, and the
    /// published vectors hold frames with other IVs; GCM authenticates the IV either way).
    ///
    /// # Errors
    /// [`EsdkError::Authentication`] when the tag does not verify.
    pub(crate) fn open(&self, key: &[u8], message_id: &[u8]) -> Result<Zeroizing<Vec<u8>>, EsdkError> {
        let len = u64::try_from(self.content.len()).map_err(|_| EsdkError::Authentication)?;
        let aad = body_aad(message_id, self.kind, self.seq, len);
        gcm::decrypt(key, &self.iv, &aad, &self.content, &self.tag).map_err(|_| EsdkError::Authentication)
    }
}

/// Reads the next frame of a framed body; `expected` is the sequence number due.
///
/// # Errors
/// [`EsdkError::SequenceGap`], [`EsdkError::FrameTooLong`] for a final frame longer than
/// `frame_length`, [`EsdkError::Truncated`].
pub(crate) fn read_frame<R: Read>(
    src: &mut Source<R>,
    frame_length: u32,
    expected: u32,
) -> Result<Sealed, EsdkError> {
    let first = src.u32()?;
    let (kind, seq) =
        if first == FINAL_FRAME_MARK { (Kind::Final, src.u32()?) } else { (Kind::Regular, first) };
    if seq != expected {
        return Err(EsdkError::SequenceGap { expected, got: seq });
    }
    let iv = src.array::<IV_LEN>()?;
    let len = if kind == Kind::Final {
        let len = src.u32()?;
        if len > frame_length {
            return Err(EsdkError::FrameTooLong { got: u64::from(len), max: u64::from(frame_length) });
        }
        len
    } else {
        frame_length
    };
    let content = src.bytes(usize::try_from(len).map_err(|_| EsdkError::Truncated)?)?;
    let tag = src.array::<TAG_LEN>()?;
    Ok(Sealed { kind, seq, iv, content, tag })
}

/// Reads a non-framed body.
///
/// # Errors
/// [`EsdkError::FrameTooLong`] for content over 2^36 - 32 bytes, [`EsdkError::Truncated`].
pub(crate) fn read_single_block<R: Read>(src: &mut Source<R>) -> Result<Sealed, EsdkError> {
    let iv = src.array::<IV_LEN>()?;
    let len = src.u64()?;
    if len > MAX_NON_FRAMED {
        return Err(EsdkError::FrameTooLong { got: len, max: MAX_NON_FRAMED });
    }
    let content = src.bytes(usize::try_from(len).map_err(|_| EsdkError::Truncated)?)?;
    let tag = src.array::<TAG_LEN>()?;
    Ok(Sealed { kind: Kind::SingleBlock, seq: 1, iv, content, tag })
}
