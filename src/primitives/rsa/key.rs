//! RSA public and private keys: generation, PEM and DER (PKCS#1, PKCS#8, SubjectPublicKeyInfo),
//! encryption and decryption.

use std::fmt;
use std::sync::Arc;

use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs8::der::pem::{self, LineEnding};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use zeroize::Zeroizing;

use crate::primitives::DecryptError;
use crate::rsa::backend::{LcPrivate, LcPublic};
use crate::rsa::private::CrtKey;
use crate::rsa::{KeyError, RsaPadding, backend};

/// The shortest modulus paycrypt encrypts under, in bits. Shorter keys still decrypt (old data).
pub const MIN_ENCRYPTION_BITS: usize = 2048;

/// The key sizes [`RsaPrivateKey::generate`] offers, in bits.
pub const GENERATE_BITS: [usize; 3] = [2048, 3072, 4096];

/// An RSA public key: the modulus `n` and public exponent `e`.
///
/// # Examples
/// ```
/// use paycrypt::rsa::{RsaPadding, RsaPrivateKey};
///
/// let private = RsaPrivateKey::generate(2048)?;
/// let public = private.public_key();
/// let ct = public.encrypt(RsaPadding::OaepSha256, None, b"4111111111111111")?;
/// assert_eq!(ct.len(), 256);
/// assert_eq!(&*private.decrypt(RsaPadding::OaepSha256, None, &ct)?, b"4111111111111111");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct RsaPublicKey {
    pub(crate) inner: rsa::PublicKey,
    pub(crate) lc: LcPublic,
}

impl RsaPublicKey {
    /// Reads a public key from PEM: `PUBLIC KEY` (SubjectPublicKeyInfo) or `RSA PUBLIC KEY` (PKCS#1).
    ///
    /// # Errors
    /// [`KeyError::PemLabel`] for another kind of PEM block (a private key is refused here: take its
    /// [`RsaPrivateKey::public_key`]), [`KeyError::Malformed`] when the block does not decode.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let label = pem_label(text)?;
        let inner = match label.as_str() {
            "PUBLIC KEY" => rsa::PublicKey::from_public_key_pem(text).map_err(|e| malformed("PEM", e)),
            "RSA PUBLIC KEY" => rsa::PublicKey::from_pkcs1_pem(text).map_err(|e| malformed("PEM", e)),
            _ => Err(KeyError::PemLabel { label }),
        }?;
        Ok(Self::from_inner(inner))
    }

    /// Reads a public key from DER: SubjectPublicKeyInfo or PKCS#1 `RSAPublicKey`.
    ///
    /// # Errors
    /// [`KeyError::Malformed`] when the bytes are neither.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let inner = rsa::PublicKey::from_public_key_der(der)
            .or_else(|_| rsa::PublicKey::from_pkcs1_der(der))
            .map_err(|e| malformed("DER", e))?;
        Ok(Self::from_inner(inner))
    }

    pub(crate) fn from_inner(inner: rsa::PublicKey) -> Self {
        let lc = LcPublic::new(&inner);
        RsaPublicKey { inner, lc }
    }

    /// The modulus length in bits.
    pub fn bits(&self) -> usize {
        self.inner.n().as_ref().bit_width() as usize
    }

    /// The modulus length in bytes: the length of every ciphertext.
    pub fn size(&self) -> usize {
        self.inner.size()
    }

    /// The modulus `n`, big-endian, without leading zeros.
    pub fn n(&self) -> Vec<u8> {
        trim(&self.inner.n_bytes())
    }

    /// The public exponent `e`, big-endian, without leading zeros.
    pub fn e(&self) -> Vec<u8> {
        trim(&self.inner.e_bytes())
    }

    /// The key as a PEM `PUBLIC KEY` block (SubjectPublicKeyInfo), LF line endings.
    ///
    /// # Errors
    /// [`KeyError::Operation`] if encoding fails (it does not for a valid key).
    pub fn to_pem(&self) -> Result<String, KeyError> {
        self.inner.to_public_key_pem(LineEnding::LF).map_err(operation)
    }

    /// The key as SubjectPublicKeyInfo DER.
    ///
    /// # Errors
    /// [`KeyError::Operation`] if encoding fails (it does not for a valid key).
    pub fn to_der(&self) -> Result<Vec<u8>, KeyError> {
        Ok(self.inner.to_public_key_der().map_err(operation)?.into_vec())
    }

    /// The key as a PEM `RSA PUBLIC KEY` block (PKCS#1), LF line endings.
    ///
    /// # Errors
    /// [`KeyError::Operation`] if encoding fails (it does not for a valid key).
    pub fn to_pkcs1_pem(&self) -> Result<String, KeyError> {
        self.inner.to_pkcs1_pem(LineEnding::LF).map_err(operation)
    }

    /// Encrypts `message` with `padding` and, for OAEP, an optional `label` (absent and empty are the
    /// same label). The ciphertext is [`size`](Self::size) bytes long.
    ///
    /// # Errors
    /// [`KeyError::KeyTooSmall`] under [`MIN_ENCRYPTION_BITS`], [`KeyError::LabelNotAllowed`] for a
    /// label with PKCS#1 v1.5, [`KeyError::MessageTooLong`] past [`RsaPadding::max_message_len`],
    /// [`KeyError::Operation`] if the random number generator fails.
    pub fn encrypt(
        &self,
        padding: RsaPadding,
        label: Option<&[u8]>,
        message: &[u8],
    ) -> Result<Vec<u8>, KeyError> {
        let bits = self.bits();
        if bits < MIN_ENCRYPTION_BITS {
            return Err(KeyError::KeyTooSmall { bits, min: MIN_ENCRYPTION_BITS });
        }
        if label.is_some() && !padding.is_oaep() {
            return Err(KeyError::LabelNotAllowed { padding });
        }
        let max = padding.max_message_len(self.size()).unwrap_or(0);
        if message.len() > max {
            return Err(KeyError::MessageTooLong { len: message.len(), max, padding, bits });
        }
        backend::encrypt(self, padding, label, message)
    }
}

impl PartialEq for RsaPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

impl Eq for RsaPublicKey {}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPublicKey").field("bits", &self.bits()).field("e", &hex::encode(self.e())).finish()
    }
}

/// An RSA private key (two primes, with its CRT values).
///
/// The secret values are zeroized on drop (by the `rsa` crate's `PrivateKey`, by our CRT values'
/// own drop, and with `aws-lc` by AWS-LC's key free) and never printed. Clones share the CRT values
/// and the cached blinding pair of the private operation.
#[derive(Clone)]
pub struct RsaPrivateKey {
    pub(crate) inner: rsa::PrivateKey,
    public: RsaPublicKey,
    pub(crate) lc: LcPrivate,
    /// The CRT values and blinding cache of the pure-Rust private operation; `None` for keys with
    /// more than two primes, which stay on the `rsa` crate. Shared by clones, which are the same key.
    pub(crate) crt: Option<Arc<CrtKey>>,
}

impl RsaPrivateKey {
    /// Generates a key of `bits` bits (2048, 3072 or 4096) with public exponent 65537, from the
    /// operating system's random number generator.
    ///
    /// # Errors
    /// [`KeyError::KeySize`] for another size, [`KeyError::Operation`] if the random number generator
    /// fails.
    pub fn generate(bits: usize) -> Result<Self, KeyError> {
        if !GENERATE_BITS.contains(&bits) {
            return Err(KeyError::KeySize { bits });
        }
        let inner = rsa::PrivateKey::new(&mut getrandom::SysRng, bits).map_err(operation)?;
        Ok(Self::from_inner(inner))
    }

    /// Reads a private key from PEM: `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1).
    ///
    /// # Errors
    /// [`KeyError::PemLabel`] for another kind of PEM block (encrypted PKCS#8 included),
    /// [`KeyError::Malformed`] when the block does not decode to a consistent RSA key.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let label = pem_label(text)?;
        let inner = match label.as_str() {
            "PRIVATE KEY" => rsa::PrivateKey::from_pkcs8_pem(text).map_err(|e| malformed("PEM", e)),
            "RSA PRIVATE KEY" => rsa::PrivateKey::from_pkcs1_pem(text).map_err(|e| malformed("PEM", e)),
            _ => Err(KeyError::PemLabel { label }),
        }?;
        Ok(Self::from_inner(inner))
    }

    /// Reads a private key from DER: PKCS#8 `PrivateKeyInfo` or PKCS#1 `RSAPrivateKey`.
    ///
    /// # Errors
    /// [`KeyError::Malformed`] when the bytes are neither.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let inner = rsa::PrivateKey::from_pkcs8_der(der)
            .or_else(|_| rsa::PrivateKey::from_pkcs1_der(der))
            .map_err(|e| malformed("DER", e))?;
        Ok(Self::from_inner(inner))
    }

    pub(crate) fn from_inner(inner: rsa::PrivateKey) -> Self {
        let public = RsaPublicKey::from_inner(inner.to_public_key());
        let lc = LcPrivate::new(&inner);
        let crt = CrtKey::new(&inner).map(Arc::new);
        RsaPrivateKey { inner, public, lc, crt }
    }

    /// The public half.
    pub fn public_key(&self) -> RsaPublicKey {
        self.public.clone()
    }

    /// The public half, borrowed.
    pub fn as_public_key(&self) -> &RsaPublicKey {
        &self.public
    }

    /// The modulus length in bits.
    pub fn bits(&self) -> usize {
        self.public.bits()
    }

    /// The key as a PEM `PRIVATE KEY` block (PKCS#8), LF line endings.
    ///
    /// # Errors
    /// [`KeyError::Operation`] if encoding fails (it does not for a valid key).
    pub fn to_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        self.inner.to_pkcs8_pem(LineEnding::LF).map_err(operation)
    }

    /// The key as PKCS#8 DER.
    ///
    /// # Errors
    /// [`KeyError::Operation`] if encoding fails (it does not for a valid key).
    pub fn to_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        Ok(Zeroizing::new(self.inner.to_pkcs8_der().map_err(operation)?.as_bytes().to_vec()))
    }

    /// The key as a PEM `RSA PRIVATE KEY` block (PKCS#1), LF line endings.
    ///
    /// # Errors
    /// [`KeyError::Operation`] if encoding fails (it does not for a valid key).
    pub fn to_pkcs1_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        self.inner.to_pkcs1_pem(LineEnding::LF).map_err(operation)
    }

    /// The key as PKCS#1 `RSAPrivateKey` DER.
    ///
    /// # Errors
    /// [`KeyError::Operation`] if encoding fails (it does not for a valid key).
    pub fn to_pkcs1_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        Ok(Zeroizing::new(self.inner.to_pkcs1_der().map_err(operation)?.as_bytes().to_vec()))
    }

    /// Decrypts `ciphertext` with `padding` and, for OAEP, the `label` it was made with. The private
    /// operation is blinded.
    ///
    /// PKCS#1 v1.5 decryption does *implicit rejection* (draft-irtf-cfrg-rsa-guidance §7.2, as the
    /// `rsa` crate implements it): a ciphertext with bad padding decrypts to a deterministic,
    /// pseudorandom message instead of failing, so that a caller who can submit ciphertexts learns
    /// nothing from errors. `Ok` therefore does not mean the padding was valid; the protocol above
    /// must authenticate the message. This is also a known difference from AWS, which refuses bad
    /// padding with an error.
    ///
    /// # Errors
    /// [`DecryptError`], deliberately without detail, when the ciphertext has the wrong length, is not
    /// below the modulus, or (OAEP) fails the padding or label check.
    pub fn decrypt(
        &self,
        padding: RsaPadding,
        label: Option<&[u8]>,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
        if ciphertext.len() != self.public.size() || (label.is_some() && !padding.is_oaep()) {
            return Err(DecryptError);
        }
        backend::decrypt(self, padding, label, ciphertext)
    }
}

impl fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPrivateKey").field("bits", &self.bits()).field("secret", &"...").finish()
    }
}

/// The label of the first PEM block in `text`.
fn pem_label(text: &str) -> Result<String, KeyError> {
    pem::decode_label(text.trim_start().as_bytes()).map(str::to_owned).map_err(|e| KeyError::Malformed {
        what: "key",
        format: "PEM",
        detail: e.to_string(),
    })
}

fn malformed(format: &'static str, err: impl fmt::Display) -> KeyError {
    KeyError::Malformed { what: "key", format, detail: err.to_string() }
}

fn operation(err: impl fmt::Display) -> KeyError {
    KeyError::Operation { detail: err.to_string() }
}

/// `bytes` without leading zero bytes (at least one byte kept).
fn trim(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len().saturating_sub(1));
    bytes[start..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let key = RsaPrivateKey::generate(2048).unwrap();
        let shown = format!("{key:?}");
        assert_eq!(shown, "RsaPrivateKey { bits: 2048, secret: \"...\" }");
    }

    #[test]
    fn pem_and_der_round_trip() {
        let key = RsaPrivateKey::generate(2048).unwrap();
        let again = RsaPrivateKey::from_pem(&key.to_pem().unwrap()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        let again = RsaPrivateKey::from_pem(&key.to_pkcs1_pem().unwrap()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        let again = RsaPrivateKey::from_der(&key.to_pkcs1_der().unwrap()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        let public = key.public_key();
        assert_eq!(RsaPublicKey::from_pem(&public.to_pem().unwrap()).unwrap(), public);
        assert_eq!(RsaPublicKey::from_pem(&public.to_pkcs1_pem().unwrap()).unwrap(), public);
        assert_eq!(RsaPublicKey::from_der(&public.to_der().unwrap()).unwrap(), public);
        assert!(matches!(
            RsaPublicKey::from_pem(&key.to_pem().unwrap()),
            Err(KeyError::PemLabel { label }) if label == "PRIVATE KEY"
        ));
    }

    #[test]
    fn rejects_bad_sizes() {
        assert_eq!(RsaPrivateKey::generate(1024).unwrap_err(), KeyError::KeySize { bits: 1024 });
    }
}
