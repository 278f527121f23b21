//! paycrypt's ciphertext blob for SYMMETRIC_DEFAULT keys, and the canonical encoding of an encryption
//! context.
//!
//! ```text
//! blob = version (1 byte, 0x01) || arn length (1 byte) || key ARN || nonce (12 bytes) || ciphertext || tag (16 bytes)
//! aad  = version || arn length || key ARN || context
//! context = count (u32 BE) || for each pair, sorted by key: len(key) (u32 BE) || key || len(value) (u32 BE) || value
//! ```
//!
//! Every length is explicit, so no two different contexts encode alike (`{"ab":"c"}` and `{"a":"bc"}`
//! differ), and an empty context encodes as no context. The header is authenticated too, so a blob
//! cannot be moved to another key by editing the ARN.

use crate::keys::KmsKeyArn;
use crate::primitives::jwe::gcm::{self, IV_LEN, TAG_LEN};
use crate::service::kms::wire::EncryptionContext;

/// The blob format's version byte.
const VERSION: u8 = 0x01;

/// The canonical encoding of `context` (see the module docs).
pub(crate) fn encode_context(context: Option<&EncryptionContext>) -> Vec<u8> {
    let mut out = Vec::new();
    let pairs = context.map_or(0, EncryptionContext::len);
    out.extend_from_slice(&u32::try_from(pairs).unwrap_or(u32::MAX).to_be_bytes());
    for (k, v) in context.into_iter().flatten() {
        for part in [k, v] {
            out.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
            out.extend_from_slice(part.as_bytes());
        }
    }
    out
}

/// The header (`version || arn length || arn`) for `arn`; `None` if the ARN is over 255 bytes.
fn header(arn: &str) -> Option<Vec<u8>> {
    let len = u8::try_from(arn.len()).ok()?;
    let mut out = Vec::with_capacity(2 + arn.len());
    out.push(VERSION);
    out.push(len);
    out.extend_from_slice(arn.as_bytes());
    Some(out)
}

/// The key ARN a blob names, and where its header ends; `None` for a blob not in this format.
pub(crate) fn key_arn(blob: &[u8]) -> Option<(KmsKeyArn, usize)> {
    let (&version, rest) = blob.split_first()?;
    let (&len, rest) = rest.split_first()?;
    if version != VERSION {
        return None;
    }
    let arn = rest.get(..usize::from(len))?;
    let arn = KmsKeyArn::parse(std::str::from_utf8(arn).ok()?).ok()?;
    Some((arn, 2 + usize::from(len)))
}

/// Seals `plaintext` under the 32-byte `key` of `arn`, binding `context`, with a fresh random nonce.
/// `None` when no randomness is available.
pub(crate) fn seal(
    key: &[u8; 32],
    arn: &KmsKeyArn,
    context: Option<&EncryptionContext>,
    plaintext: &[u8],
) -> Option<Vec<u8>> {
    let mut blob = header(arn.as_str())?;
    let mut nonce = [0u8; IV_LEN];
    getrandom::fill(&mut nonce).ok()?;
    let mut aad = blob.clone();
    aad.extend_from_slice(&encode_context(context));
    let (ct, tag) = gcm::encrypt(key, &nonce, &aad, plaintext).ok()?;
    blob.reserve(IV_LEN + ct.len() + TAG_LEN);
    blob.extend_from_slice(&nonce);
    blob.extend_from_slice(&ct);
    blob.extend_from_slice(&tag);
    Some(blob)
}

/// Opens a blob [`seal`] made under `key`, whose header ends at `body_at` (from [`key_arn`]), checking
/// `context`. `None`, without detail, on any mismatch.
pub(crate) fn open(
    key: &[u8; 32],
    blob: &[u8],
    body_at: usize,
    context: Option<&EncryptionContext>,
) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    let (head, body) = blob.split_at_checked(body_at)?;
    let (nonce, rest) = body.split_at_checked(IV_LEN)?;
    let tag_at = rest.len().checked_sub(TAG_LEN)?;
    let (ct, tag) = rest.split_at(tag_at);
    let nonce: &[u8; IV_LEN] = nonce.try_into().ok()?;
    let tag: &[u8; TAG_LEN] = tag.try_into().ok()?;
    let mut aad = head.to_vec();
    aad.extend_from_slice(&encode_context(context));
    gcm::decrypt(key, nonce, &aad, ct, tag).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(pairs: &[(&str, &str)]) -> EncryptionContext {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn context_encoding_is_unambiguous() {
        assert_ne!(encode_context(Some(&ctx(&[("ab", "c")]))), encode_context(Some(&ctx(&[("a", "bc")]))));
        assert_eq!(encode_context(Some(&ctx(&[]))), encode_context(None));
        assert_eq!(
            encode_context(Some(&ctx(&[("b", "2"), ("a", "1")]))),
            [
                &[0, 0, 0, 2][..],
                &[0, 0, 0, 1],
                b"a",
                &[0, 0, 0, 1],
                b"1",
                &[0, 0, 0, 1],
                b"b",
                &[0, 0, 0, 1],
                b"2"
            ]
            .concat()
        );
    }

    #[test]
    fn seal_open() {
        let Ok(arn) =
            KmsKeyArn::parse("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        else {
            panic!("arn")
        };
        let key = [7u8; 32];
        let c = ctx(&[("ab", "c")]);
        let blob = seal(&key, &arn, Some(&c), b"hello").unwrap_or_default();
        let (got, at) = key_arn(&blob).unwrap_or((arn.clone(), 0));
        assert_eq!(got, arn);
        assert_eq!(open(&key, &blob, at, Some(&c)).map(|p| p.to_vec()), Some(b"hello".to_vec()));
        assert!(open(&key, &blob, at, Some(&ctx(&[("a", "bc")]))).is_none());
        assert!(open(&key, &blob, at, None).is_none());
    }
}
