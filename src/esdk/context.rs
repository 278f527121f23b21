//! The encryption context and its serialization: a count, then (key length, key, value length,
//! value) entries sorted by key bytes, every number a big-endian u16; the empty context serializes
//! to nothing.

use std::collections::BTreeMap;

use crate::esdk::EsdkError;

/// An encryption context: non-secret key/value pairs bound to a message. Sorted by key bytes, as
/// the serialization needs.
pub type EncryptionContext = BTreeMap<String, String>;

/// The context key under which signing suites carry the message's ECDSA public key.
pub const PUBLIC_KEY_FIELD: &str = "aws-crypto-public-key";

/// The prefix of context keys reserved for the SDK.
pub const RESERVED_PREFIX: &str = "aws-crypto-";

/// Serializes `context`: empty for the empty context, else a u16 count and the sorted entries.
///
/// # Errors
/// [`EsdkError::Context`] when there are more than 65535 pairs or a key or value is longer than
/// 65535 bytes.
pub fn serialize_context(context: &EncryptionContext) -> Result<Vec<u8>, EsdkError> {
    let mut out = Vec::new();
    if context.is_empty() {
        return Ok(out);
    }
    let count = u16::try_from(context.len())
        .map_err(|_| EsdkError::Context(format!("{} pairs, at most 65535 allowed", context.len())))?;
    out.extend_from_slice(&count.to_be_bytes());
    for (key, value) in context {
        for field in [key, value] {
            let len = u16::try_from(field.len()).map_err(|_| {
                EsdkError::Context(format!("a key or value of {} bytes, at most 65535 allowed", field.len()))
            })?;
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(field.as_bytes());
        }
    }
    Ok(out)
}

/// Parses a serialized context (the header's key-value pairs field, whose length the header
/// gives): empty input is the empty context. Entries are accepted in any order, as the SDKs accept
/// them (the header tag covers the bytes as they are).
///
/// # Errors
/// [`EsdkError::Context`] for a count of 0, entries that overrun or fall short of `bytes`, or
/// text that is not UTF-8; [`EsdkError::DuplicateContextKey`] for a key seen twice.
pub(crate) fn parse_context(bytes: &[u8]) -> Result<EncryptionContext, EsdkError> {
    let mut context = EncryptionContext::new();
    if bytes.is_empty() {
        return Ok(context);
    }
    let mut cursor = Cursor(bytes);
    let count = cursor.u16()?;
    if count == 0 {
        return Err(EsdkError::Context("the key-value pairs field has a count of 0".to_owned()));
    }
    for _ in 0..count {
        let key = cursor.text()?;
        let value = cursor.text()?;
        if context.contains_key(&key) {
            return Err(EsdkError::DuplicateContextKey(key));
        }
        context.insert(key, value);
    }
    if !cursor.0.is_empty() {
        return Err(EsdkError::Context(format!("{} bytes follow the last key-value pair", cursor.0.len())));
    }
    Ok(context)
}

/// Refuses caller-supplied keys in the SDK's reserved `aws-crypto-` space.
pub(crate) fn check_no_reserved_keys(context: &EncryptionContext) -> Result<(), EsdkError> {
    match context.keys().find(|k| k.starts_with(RESERVED_PREFIX)) {
        Some(key) => Err(EsdkError::ReservedContextKey(key.clone())),
        None => Ok(()),
    }
}

/// Reads the key-value pairs field.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], EsdkError> {
        if self.0.len() < n {
            return Err(EsdkError::Context("a key-value pair overruns the field's length".to_owned()));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn u16(&mut self) -> Result<u16, EsdkError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn text(&mut self) -> Result<String, EsdkError> {
        let len = usize::from(self.u16()?);
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| EsdkError::Context("a key or value is not UTF-8".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_sorted_and_parses_back() {
        let ctx: EncryptionContext =
            [("b".to_owned(), "2".to_owned()), ("a".to_owned(), "1".to_owned())].into_iter().collect();
        let bytes = serialize_context(&ctx).unwrap();
        assert_eq!(hex::encode(&bytes), "0002000161000131000162000132");
        assert_eq!(parse_context(&bytes).unwrap(), ctx);
        assert!(serialize_context(&EncryptionContext::new()).unwrap().is_empty());
    }

    #[test]
    fn rejects_malformed_fields() {
        assert!(matches!(parse_context(&[0, 0]), Err(EsdkError::Context(_))));
        assert!(matches!(parse_context(&[0, 1, 0, 1, b'a']), Err(EsdkError::Context(_))));
        assert!(matches!(parse_context(&[0, 1, 0, 1, b'a', 0, 0, 9]), Err(EsdkError::Context(_))));
        assert!(matches!(parse_context(&[0, 1, 0, 1, 0xff, 0, 0]), Err(EsdkError::Context(_))));
        let dup = [0, 2, 0, 1, b'a', 0, 0, 0, 1, b'a', 0, 0];
        assert!(matches!(parse_context(&dup), Err(EsdkError::DuplicateContextKey(k)) if k == "a"));
    }
}
