//! Symmetric keys and keyed block ciphers.

use std::fmt;

use aes::{Aes128, Aes192, Aes256};
use cipher::{Key, KeyInit};
use zeroize::Zeroizing;

use crate::primitives::modes::{self, Direction};
use crate::primitives::tdes::{TdesEde2, TdesEde3};
use crate::primitives::{Algorithm, CipherError, Mode};

/// A TDES or AES key: its algorithm and its bytes, the length already checked.
///
/// The bytes are zeroized on drop and never printed.
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, Mode, SymmetricKey};
///
/// let key = SymmetricKey::new(Algorithm::Aes128, &hex::decode("2B7E151628AED2A6ABF7158809CF4F3C")?)?;
/// let iv = hex::decode("000102030405060708090A0B0C0D0E0F")?;
/// let pt = hex::decode("6BC1BEE22E409F96E93D7E117393172A")?;
/// let ct = key.encrypt(Mode::Cbc, Some(&iv), &pt)?;
/// assert_eq!(hex::encode_upper(&ct), "7649ABAC8119B246CEE98E9B12E9197D");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SymmetricKey {
    algorithm: Algorithm,
    bytes: Zeroizing<Vec<u8>>,
}

impl SymmetricKey {
    /// A key for `algorithm` from its bytes.
    ///
    /// TDES keys are taken as given: the DES parity bits are ignored, as every TDES implementation does.
    ///
    /// # Errors
    /// [`CipherError::KeyLength`] when `bytes` is not [`Algorithm::key_len`] long.
    pub fn new(algorithm: Algorithm, bytes: &[u8]) -> Result<Self, CipherError> {
        if bytes.len() != algorithm.key_len() {
            return Err(CipherError::KeyLength { algorithm, got: bytes.len() });
        }
        Ok(SymmetricKey { algorithm, bytes: Zeroizing::new(bytes.to_vec()) })
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The secret key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The keyed cipher, with its key schedule computed once for many operations.
    pub fn cipher(&self) -> Cipher {
        Cipher::from_key(self)
    }

    /// Encrypts `data` under `mode` and returns the ciphertext. See [`Cipher::encrypt_in_place`].
    ///
    /// # Errors
    /// As [`Cipher::encrypt_in_place`].
    pub fn encrypt(&self, mode: Mode, iv: Option<&[u8]>, data: &[u8]) -> Result<Vec<u8>, CipherError> {
        self.cipher().encrypt(mode, iv, data)
    }

    /// Decrypts `data` under `mode` and returns the plaintext. See [`Cipher::decrypt_in_place`].
    ///
    /// # Errors
    /// As [`Cipher::decrypt_in_place`].
    pub fn decrypt(&self, mode: Mode, iv: Option<&[u8]>, data: &[u8]) -> Result<Vec<u8>, CipherError> {
        self.cipher().decrypt(mode, iv, data)
    }
}

impl fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SymmetricKey").field("algorithm", &self.algorithm).field("bytes", &"...").finish()
    }
}

/// A keyed TDES or AES block cipher: the key schedule, zeroized on drop.
pub struct Cipher {
    inner: Inner,
}

enum Inner {
    Tdes2(TdesEde2),
    Tdes3(TdesEde3),
    Aes128(Aes128),
    Aes192(Aes192),
    Aes256(Aes256),
}

/// Runs `$body` with `$c` bound to the concrete cipher inside `$inner`.
macro_rules! with_cipher {
    ($inner:expr, $c:ident => $body:expr) => {
        match $inner {
            Inner::Tdes2($c) => $body,
            Inner::Tdes3($c) => $body,
            Inner::Aes128($c) => $body,
            Inner::Aes192($c) => $body,
            Inner::Aes256($c) => $body,
        }
    };
}

impl Cipher {
    /// The keyed cipher for `key`.
    pub fn from_key(key: &SymmetricKey) -> Self {
        let bytes = key.as_bytes();
        let inner = match key.algorithm {
            Algorithm::Tdes2Key => Inner::Tdes2(keyed(bytes)),
            Algorithm::Tdes3Key => Inner::Tdes3(keyed(bytes)),
            Algorithm::Aes128 => Inner::Aes128(keyed(bytes)),
            Algorithm::Aes192 => Inner::Aes192(keyed(bytes)),
            Algorithm::Aes256 => Inner::Aes256(keyed(bytes)),
        };
        Cipher { inner }
    }

    /// A keyed cipher straight from key bytes.
    ///
    /// # Errors
    /// [`CipherError::KeyLength`] when `bytes` is not [`Algorithm::key_len`] long.
    pub fn new(algorithm: Algorithm, bytes: &[u8]) -> Result<Self, CipherError> {
        SymmetricKey::new(algorithm, bytes).map(|k| Cipher::from_key(&k))
    }

    /// The cipher's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match self.inner {
            Inner::Tdes2(_) => Algorithm::Tdes2Key,
            Inner::Tdes3(_) => Algorithm::Tdes3Key,
            Inner::Aes128(_) => Algorithm::Aes128,
            Inner::Aes192(_) => Algorithm::Aes192,
            Inner::Aes256(_) => Algorithm::Aes256,
        }
    }

    /// Encrypts `buf` in place under `mode`.
    ///
    /// `iv` is the initialization vector, one block long; ECB takes none. ECB and CBC need whole blocks;
    /// the CFB modes and OFB take any length. [`Mode::Cfb`] is the cipher's full-block CFB.
    ///
    /// # Errors
    /// [`CipherError::ModeNotSupported`] (CFB128 with TDES), [`CipherError::IvMissing`], [`CipherError::IvNotAllowed`],
    /// [`CipherError::IvLength`], [`CipherError::PartialBlock`]. On error `buf` is unchanged.
    pub fn encrypt_in_place(&self, mode: Mode, iv: Option<&[u8]>, buf: &mut [u8]) -> Result<(), CipherError> {
        self.run(mode, iv, buf, Direction::Encrypt)
    }

    /// Decrypts `buf` in place under `mode`. The rules are those of [`Cipher::encrypt_in_place`].
    ///
    /// # Errors
    /// As [`Cipher::encrypt_in_place`]. On error `buf` is unchanged.
    pub fn decrypt_in_place(&self, mode: Mode, iv: Option<&[u8]>, buf: &mut [u8]) -> Result<(), CipherError> {
        self.run(mode, iv, buf, Direction::Decrypt)
    }

    /// Encrypts `data` under `mode` into a new buffer.
    ///
    /// # Errors
    /// As [`Cipher::encrypt_in_place`].
    pub fn encrypt(&self, mode: Mode, iv: Option<&[u8]>, data: &[u8]) -> Result<Vec<u8>, CipherError> {
        let mut buf = data.to_vec();
        self.encrypt_in_place(mode, iv, &mut buf)?;
        Ok(buf)
    }

    /// Decrypts `data` under `mode` into a new buffer.
    ///
    /// # Errors
    /// As [`Cipher::encrypt_in_place`].
    pub fn decrypt(&self, mode: Mode, iv: Option<&[u8]>, data: &[u8]) -> Result<Vec<u8>, CipherError> {
        let mut buf = data.to_vec();
        self.decrypt_in_place(mode, iv, &mut buf)?;
        Ok(buf)
    }

    /// CFB with any segment size `segment_bits` (1, or a multiple of 8 up to the block size, as NIST
    /// SP 800-38A §6.3 allows), over the first `bits` bits of `buf` (most significant bit first), in
    /// place. This is the general form behind [`Mode::Cfb1`], [`Mode::Cfb8`], [`Mode::Cfb64`] and
    /// [`Mode::Cfb128`]; for bit strings whose length is not a multiple of 8 use `segment_bits = 1`.
    ///
    /// # Errors
    /// [`CipherError::IvLength`] for an IV that is not one block; [`CipherError::ModeNotSupported`] for a segment
    /// size that is not 1 or a multiple of 8 up to the block, or a `bits` count that is not a multiple
    /// of the segment (the last segment may be partial only in whole bytes) or exceeds `buf`.
    pub fn cfb_in_place(
        &self,
        segment_bits: usize,
        iv: &[u8],
        buf: &mut [u8],
        bits: usize,
        direction: Direction,
    ) -> Result<(), CipherError> {
        let algorithm = self.algorithm();
        let block = algorithm.block_len();
        if iv.len() != block {
            return Err(CipherError::IvLength { algorithm, mode: Mode::Cfb, got: iv.len(), expected: block });
        }
        let bytes_ok = segment_bits.is_multiple_of(8) && bits.is_multiple_of(8);
        let fits = bits <= buf.len() * 8 && (1..=block * 8).contains(&segment_bits);
        if !fits || !(segment_bits == 1 || bytes_ok) {
            return Err(CipherError::ModeNotSupported { algorithm, mode: Mode::Cfb });
        }
        with_cipher!(&self.inner, c => modes::apply_cfb(c, segment_bits, iv, buf, bits, direction));
        Ok(())
    }

    /// Encrypts one block in place with the raw block function.
    ///
    /// # Security Warning
    /// This is ECB on one block: only for building other constructions (KCV, key derivation).
    ///
    /// # Errors
    /// [`CipherError::PartialBlock`] when `block` is not exactly one block long.
    pub fn encrypt_block(&self, block: &mut [u8]) -> Result<(), CipherError> {
        let algorithm = self.algorithm();
        if block.len() != algorithm.block_len() {
            return Err(CipherError::PartialBlock {
                algorithm,
                mode: Mode::Ecb,
                len: block.len(),
                block: algorithm.block_len(),
            });
        }
        self.run(Mode::Ecb, None, block, Direction::Encrypt)
    }

    fn run(
        &self,
        mode: Mode,
        iv: Option<&[u8]>,
        buf: &mut [u8],
        direction: Direction,
    ) -> Result<(), CipherError> {
        let mode = modes::check(self.algorithm(), mode, iv, buf.len())?;
        let iv = iv.unwrap_or_default();
        with_cipher!(&self.inner, c => modes::apply(c, mode, iv, buf, direction));
        Ok(())
    }
}

impl fmt::Debug for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cipher").field("algorithm", &self.algorithm()).field("key", &"...").finish()
    }
}

/// Keys a cipher from bytes whose length [`SymmetricKey::new`] has checked.
fn keyed<C: KeyInit>(bytes: &[u8]) -> C {
    let key = Zeroizing::new(Key::<C>::from_fn(|i| bytes.get(i).copied().unwrap_or(0)));
    C::new(&key)
}
