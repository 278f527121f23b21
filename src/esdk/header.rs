//! The message header: its body (version 1 or 2), its authentication (IV and tag in version 1, tag
//! only in version 2), how to write it and how to read it back field by field.

use std::io::Read;

use crate::esdk::context::{parse_context, serialize_context};
use crate::esdk::error::read_error;
use crate::esdk::keyring::EncryptedDataKey;
use crate::esdk::suite::COMMITMENT_LEN;
use crate::esdk::{EncryptionContext, EsdkError, Suite};
use crate::primitives::jwe::gcm::{self, IV_LEN, TAG_LEN};

/// The version 1 header's type byte: customer authenticated encrypted data.
const TYPE_CUSTOMER_AED: u8 = 0x80;
/// Content type of non-framed bodies.
pub(crate) const CONTENT_NON_FRAMED: u8 = 0x01;
/// Content type of framed bodies.
pub(crate) const CONTENT_FRAMED: u8 = 0x02;

/// A parsed header.
pub(crate) struct Header {
    pub(crate) version: u8,
    pub(crate) suite: Suite,
    pub(crate) message_id: Vec<u8>,
    pub(crate) context: EncryptionContext,
    pub(crate) edks: Vec<EncryptedDataKey>,
    pub(crate) framed: bool,
    pub(crate) frame_length: u32,
    /// The IV of the header tag: the serialized one in version 1, zeros in version 2.
    pub(crate) iv: [u8; IV_LEN],
    /// The commitment key of version 2 headers.
    pub(crate) commitment: Option<[u8; COMMITMENT_LEN]>,
    pub(crate) tag: [u8; TAG_LEN],
    /// The whole serialized header (body and authentication), as read.
    pub(crate) bytes: Vec<u8>,
    /// How many of `bytes` are the header body.
    pub(crate) body_len: usize,
}

impl Header {
    /// The serialized header body, the header tag's additional data.
    pub(crate) fn body(&self) -> &[u8] {
        self.bytes.get(..self.body_len).unwrap_or_default()
    }

    /// Checks the header tag under the derived `key`.
    ///
    /// # Errors
    /// [`EsdkError::Authentication`] when it does not verify.
    pub(crate) fn verify_tag(&self, key: &[u8]) -> Result<(), EsdkError> {
        gcm::decrypt(key, &self.iv, self.body(), &[], &self.tag)
            .map(|_| ())
            .map_err(|_| EsdkError::Authentication)
    }
}

/// What a version 2 header says.
pub(crate) struct HeaderV2<'a> {
    pub(crate) suite: Suite,
    pub(crate) message_id: &'a [u8],
    pub(crate) context: &'a EncryptionContext,
    pub(crate) edks: &'a [EncryptedDataKey],
    pub(crate) frame_length: u32,
    pub(crate) commitment: &'a [u8; COMMITMENT_LEN],
}

impl HeaderV2<'_> {
    /// The whole header, body and tag, the tag made under the derived `key`.
    ///
    /// # Errors
    /// [`EsdkError::Context`] for a context too long for the header; [`EsdkError::Keyring`] for
    /// more than 65535 EDKs or an EDK field longer than 65535 bytes.
    pub(crate) fn serialize(&self, key: &[u8]) -> Result<Vec<u8>, EsdkError> {
        let mut out = vec![2];
        out.extend_from_slice(&self.suite.id().to_be_bytes());
        out.extend_from_slice(self.message_id);
        let pairs = serialize_context(self.context)?;
        let pairs_len = u16::try_from(pairs.len()).map_err(|_| {
            EsdkError::Context(format!("{} bytes serialized, at most 65535 fit", pairs.len()))
        })?;
        out.extend_from_slice(&pairs_len.to_be_bytes());
        out.extend_from_slice(&pairs);
        let count = u16::try_from(self.edks.len()).map_err(|_| {
            EsdkError::Keyring(format!("{} encrypted data keys, at most 65535", self.edks.len()))
        })?;
        out.extend_from_slice(&count.to_be_bytes());
        for edk in self.edks {
            for field in [edk.provider_id.as_bytes(), &edk.provider_info, &edk.ciphertext] {
                let len = u16::try_from(field.len()).map_err(|_| {
                    EsdkError::Keyring(format!("an encrypted data key field of {} bytes", field.len()))
                })?;
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(field);
            }
        }
        out.push(CONTENT_FRAMED);
        out.extend_from_slice(&self.frame_length.to_be_bytes());
        out.extend_from_slice(self.commitment);
        let (_, tag) = gcm::encrypt(key, &[0; IV_LEN], &out, &[]).map_err(|_| EsdkError::InvalidKey)?;
        out.extend_from_slice(&tag);
        Ok(out)
    }
}

/// The message being read: counts nothing, records the header's bytes while asked to.
pub(crate) struct Source<R> {
    inner: R,
    record: Option<Vec<u8>>,
}

impl<R: Read> Source<R> {
    pub(crate) fn new(inner: R) -> Self {
        Source { inner, record: None }
    }

    /// Exactly `n` bytes, read without trusting `n` for the allocation (memory grows with what
    /// arrives).
    pub(crate) fn bytes(&mut self, n: usize) -> Result<Vec<u8>, EsdkError> {
        let mut out = Vec::with_capacity(n.min(1 << 16));
        let limit = u64::try_from(n).map_err(|_| EsdkError::Truncated)?;
        (&mut self.inner).take(limit).read_to_end(&mut out).map_err(read_error)?;
        if out.len() != n {
            return Err(EsdkError::Truncated);
        }
        if let Some(record) = &mut self.record {
            record.extend_from_slice(&out);
        }
        Ok(out)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], EsdkError> {
        let mut out = [0u8; N];
        self.inner.read_exact(&mut out).map_err(read_error)?;
        if let Some(record) = &mut self.record {
            record.extend_from_slice(&out);
        }
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, EsdkError> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, EsdkError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, EsdkError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, EsdkError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// Whether the input has ended (reads at most one byte to find out).
    pub(crate) fn at_end(&mut self) -> Result<bool, EsdkError> {
        let mut one = [0u8; 1];
        loop {
            match self.inner.read(&mut one) {
                Ok(n) => return Ok(n == 0),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(EsdkError::Io(e)),
            }
        }
    }

    fn u16_field(&mut self) -> Result<Vec<u8>, EsdkError> {
        let len = usize::from(self.u16()?);
        self.bytes(len)
    }
}

/// Reads a header, checking each field as it comes: version, (type,) suite, message id, AAD, EDK
/// count (against `max_edks`) and entries, content type, (reserved, IV length,) frame length,
/// (suite data,) then the authentication fields.
///
/// # Errors
/// The typed error of the first bad field; [`EsdkError::Truncated`] when the input ends first.
pub(crate) fn read_header<R: Read>(src: &mut Source<R>, max_edks: Option<u16>) -> Result<Header, EsdkError> {
    src.record = Some(Vec::new());
    let version = src.u8()?;
    if version != 1 && version != 2 {
        return Err(EsdkError::UnknownVersion(version));
    }
    if version == 1 {
        let kind = src.u8()?;
        if kind != TYPE_CUSTOMER_AED {
            return Err(EsdkError::UnknownType(kind));
        }
    }
    let suite_id = src.u16()?;
    let suite = Suite::from_id(suite_id)
        .filter(|s| s.message_format_version() == version)
        .ok_or(EsdkError::UnknownSuite(suite_id))?;
    let message_id = src.bytes(suite.message_id_len())?;
    let context = parse_context(&src.u16_field()?)?;
    let count = src.u16()?;
    if count == 0 {
        return Err(EsdkError::NoEncryptedDataKeys);
    }
    if let Some(max) = max_edks
        && count > max
    {
        return Err(EsdkError::TooManyEncryptedDataKeys { count, max });
    }
    let mut edks = Vec::with_capacity(usize::from(count.min(16)));
    for _ in 0..count {
        let provider_id = String::from_utf8(src.u16_field()?)
            .map_err(|_| EsdkError::Context("an encrypted data key's provider id is not UTF-8".to_owned()))?;
        let provider_info = src.u16_field()?;
        let ciphertext = src.u16_field()?;
        edks.push(EncryptedDataKey { provider_id, provider_info, ciphertext });
    }
    let content_type = src.u8()?;
    let framed = match content_type {
        CONTENT_FRAMED => true,
        CONTENT_NON_FRAMED => false,
        other => return Err(EsdkError::UnknownContentType(other)),
    };
    if version == 1 {
        if src.array::<4>()? != [0; 4] {
            return Err(EsdkError::ReservedBytes);
        }
        let iv_len = src.u8()?;
        if usize::from(iv_len) != IV_LEN {
            return Err(EsdkError::IvLength(iv_len));
        }
    }
    let frame_length = src.u32()?;
    if framed == (frame_length == 0) {
        return Err(EsdkError::FrameLength(frame_length));
    }
    let commitment = if version == 2 { Some(src.array::<COMMITMENT_LEN>()?) } else { None };
    let body_len = src.record.as_ref().map_or(0, Vec::len);
    let iv = if version == 1 { src.array::<IV_LEN>()? } else { [0; IV_LEN] };
    let tag = src.array::<TAG_LEN>()?;
    let bytes = src.record.take().unwrap_or_default();
    Ok(Header {
        version,
        suite,
        message_id,
        context,
        edks,
        framed,
        frame_length,
        iv,
        commitment,
        tag,
        bytes,
        body_len,
    })
}
