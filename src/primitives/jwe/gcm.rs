//! AES-GCM with a 96-bit IV and a 128-bit tag (NIST SP 800-38D), the content encryption of JWE's
//! `A128GCM`, `A192GCM` and `A256GCM`. With the `aws-lc` feature it runs on AWS-LC.

use zeroize::Zeroizing;

use crate::primitives::{Algorithm, CipherError, DecryptError};

/// The IV length: 96 bits, the only one JWE uses.
pub const IV_LEN: usize = 12;

/// The tag length: 128 bits, the only one JWE uses.
pub const TAG_LEN: usize = 16;

/// Encrypts `plaintext` under `key` (16, 24 or 32 bytes) with `iv` and additional data `aad`;
/// returns the ciphertext (as long as the plaintext) and the tag.
///
/// # Errors
/// [`CipherError::KeyLength`] for a key that is not 16, 24 or 32 bytes.
///
/// # Examples
/// ```
/// use paycrypt::jwe::gcm;
///
/// // NIST GCM test case 3 (the GCM specification's Appendix B), 128-bit key.
/// let key = hex::decode("feffe9928665731c6d6a8f9467308308")?;
/// let iv: [u8; 12] = hex::decode("cafebabefacedbaddecaf888")?.try_into().unwrap();
/// let (ct, tag) = gcm::encrypt(&key, &iv, b"", &[0u8; 0])?;
/// assert!(ct.is_empty());
/// assert_eq!(gcm::decrypt(&key, &iv, b"", &ct, &tag)?.len(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn encrypt(
    key: &[u8],
    iv: &[u8; IV_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, [u8; TAG_LEN]), CipherError> {
    let mut buffer = plaintext.to_vec();
    let tag = engine::seal(key, iv, aad, &mut buffer)
        .ok_or(CipherError::KeyLength { algorithm: Algorithm::Aes256, got: key.len() })?;
    Ok((buffer, tag))
}

/// Decrypts `ciphertext` under `key` with `iv`, `aad` and `tag`.
///
/// # Errors
/// [`DecryptError`], without detail, when the tag does not verify or the key is not 16, 24 or 32
/// bytes.
pub fn decrypt(
    key: &[u8],
    iv: &[u8; IV_LEN],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8; TAG_LEN],
) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    engine::open(key, iv, aad, &mut buffer, tag)?;
    Ok(buffer)
}

#[cfg(not(feature = "aws-lc"))]
mod engine {
    //! The RustCrypto `aes-gcm` crate.

    use aes_gcm::aead::{AeadInOut, KeyInit};
    use aes_gcm::{Aes128Gcm, Aes256Gcm, AesGcm, Nonce, Tag};

    use super::{IV_LEN, TAG_LEN};
    use crate::primitives::DecryptError;

    type Aes192Gcm = AesGcm<aes::Aes192, aes_gcm::aead::consts::U12>;

    /// Encrypts `buffer` in place; `None` for a bad key length.
    pub(super) fn seal(
        key: &[u8],
        iv: &[u8; IV_LEN],
        aad: &[u8],
        buffer: &mut [u8],
    ) -> Option<[u8; TAG_LEN]> {
        let nonce = Nonce::from(*iv);
        let tag = match key.len() {
            16 => Aes128Gcm::new_from_slice(key).ok()?.encrypt_inout_detached(&nonce, aad, buffer.into()),
            24 => Aes192Gcm::new_from_slice(key).ok()?.encrypt_inout_detached(&nonce, aad, buffer.into()),
            32 => Aes256Gcm::new_from_slice(key).ok()?.encrypt_inout_detached(&nonce, aad, buffer.into()),
            _ => return None,
        };
        tag.ok().map(Into::into)
    }

    /// Decrypts `buffer` in place.
    pub(super) fn open(
        key: &[u8],
        iv: &[u8; IV_LEN],
        aad: &[u8],
        buffer: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), DecryptError> {
        let nonce = Nonce::from(*iv);
        let tag = Tag::from(*tag);
        let result = match key.len() {
            16 => Aes128Gcm::new_from_slice(key).map_err(|_| DecryptError)?.decrypt_inout_detached(
                &nonce,
                aad,
                buffer.into(),
                &tag,
            ),
            24 => Aes192Gcm::new_from_slice(key).map_err(|_| DecryptError)?.decrypt_inout_detached(
                &nonce,
                aad,
                buffer.into(),
                &tag,
            ),
            32 => Aes256Gcm::new_from_slice(key).map_err(|_| DecryptError)?.decrypt_inout_detached(
                &nonce,
                aad,
                buffer.into(),
                &tag,
            ),
            _ => return Err(DecryptError),
        };
        result.map_err(|_| DecryptError)
    }
}

#[cfg(feature = "aws-lc")]
mod engine {
    //! AWS-LC through aws-lc-rs.

    use aws_lc_rs::aead::{AES_128_GCM, AES_192_GCM, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};

    use super::{IV_LEN, TAG_LEN};
    use crate::primitives::DecryptError;

    fn key_for(key: &[u8]) -> Option<LessSafeKey> {
        let algorithm = match key.len() {
            16 => &AES_128_GCM,
            24 => &AES_192_GCM,
            32 => &AES_256_GCM,
            _ => return None,
        };
        UnboundKey::new(algorithm, key).ok().map(LessSafeKey::new)
    }

    /// Encrypts `buffer` in place; `None` for a bad key length.
    pub(super) fn seal(
        key: &[u8],
        iv: &[u8; IV_LEN],
        aad: &[u8],
        buffer: &mut [u8],
    ) -> Option<[u8; TAG_LEN]> {
        let key = key_for(key)?;
        let tag =
            key.seal_in_place_separate_tag(Nonce::assume_unique_for_key(*iv), Aad::from(aad), buffer).ok()?;
        tag.as_ref().try_into().ok()
    }

    /// Decrypts `buffer` in place.
    pub(super) fn open(
        key: &[u8],
        iv: &[u8; IV_LEN],
        aad: &[u8],
        buffer: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), DecryptError> {
        let key = key_for(key).ok_or(DecryptError)?;
        key.open_in_place_separate_tag(Nonce::assume_unique_for_key(*iv), Aad::from(aad), tag, buffer)
            .map(|_| ())
            .map_err(|_| DecryptError)
    }
}
