//! AES DUKPT, host side (ANSI X9.24-3:2017 §6).
//!
//! Every key is one derivation: AES-encrypt a 16-byte derivation data block under the parent key, once per
//! 128 bits of the child key (block counter 1, 2), and keep the child key's length. The block is
//!
//! | bytes | value |
//! |---|---|
//! | 0 | version `01` |
//! | 1 | block counter `01`, `02` |
//! | 2-3 | key usage (`8001` initial key, `8000` intermediate key, else the working key's usage) |
//! | 4-5 | child key type: `0000` 2TDEA, `0001` 3TDEA, `0002` AES-128, `0003` AES-192, `0004` AES-256 |
//! | 6-7 | child key length in bits |
//! | 8-15 | the initial key ID (initial key), else the derivation ID (KSN bytes 4-7) and a counter |
//!
//! The initial key comes from the BDK; the intermediate key of a counter walks its one-bits from the most
//! significant, each step deriving (usage `8000`, the BDK's type) with the counter bits so far; a working
//! key is derived from the intermediate key with the full counter.

use std::fmt;
use std::str::FromStr;

use aes::{Aes128Enc, Aes192Enc, Aes256Enc};
use cipher::array::Array;
use cipher::consts::U16;
use cipher::{BlockCipherEncrypt, Key, KeyInit};
use zeroize::{Zeroize, Zeroizing};

use crate::primitives::dukpt::{AesKsn, Error, Scheme};
use crate::primitives::{Algorithm, SymmetricKey};

mod tree;

pub(crate) use tree::working_keys;

/// Key usage of the initial key's derivation data.
pub(crate) const USAGE_INITIAL_KEY: u16 = 0x8001;
/// Key usage of an intermediate derivation key's derivation data.
pub(crate) const USAGE_INTERMEDIATE: u16 = 0x8000;
/// The counter of the update key's derivation data.
const UPDATE_KEY_COUNTER: u32 = 0xFFFF_FFFF;

/// An AES DUKPT working key usage (X9.24-3:2017 Table 2), spelled as the CLI spells it.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum KeyUsage {
    /// Key encryption key, `0002` (also the usage of the update key).
    KeyEncryption,
    /// PIN encryption, `1000`.
    PinEncryption,
    /// MAC generation, `2000`.
    MacGeneration,
    /// MAC verification, `2001`.
    MacVerification,
    /// MAC generation and verification, `2002`.
    MacBoth,
    /// Data encryption, encrypt, `3000`.
    DataEncryption,
    /// Data encryption, decrypt, `3001`.
    DataDecryption,
    /// Data encryption, both directions, `3002`.
    DataBoth,
    /// Key derivation, `8000`.
    KeyDerivation,
}

impl KeyUsage {
    /// Every usage.
    pub const ALL: [KeyUsage; 9] = [
        KeyUsage::KeyEncryption,
        KeyUsage::PinEncryption,
        KeyUsage::MacGeneration,
        KeyUsage::MacVerification,
        KeyUsage::MacBoth,
        KeyUsage::DataEncryption,
        KeyUsage::DataDecryption,
        KeyUsage::DataBoth,
        KeyUsage::KeyDerivation,
    ];

    /// The names, as the CLI lists them.
    pub const NAMES: &'static str = "KEY_ENCRYPTION, PIN_ENCRYPTION, MAC_GENERATION, MAC_VERIFICATION, \
                                     MAC_BOTH, DATA_ENCRYPTION, DATA_DECRYPTION, DATA_BOTH, KEY_DERIVATION";

    /// The CLI name, e.g. `DATA_ENCRYPTION`.
    pub const fn name(self) -> &'static str {
        match self {
            KeyUsage::KeyEncryption => "KEY_ENCRYPTION",
            KeyUsage::PinEncryption => "PIN_ENCRYPTION",
            KeyUsage::MacGeneration => "MAC_GENERATION",
            KeyUsage::MacVerification => "MAC_VERIFICATION",
            KeyUsage::MacBoth => "MAC_BOTH",
            KeyUsage::DataEncryption => "DATA_ENCRYPTION",
            KeyUsage::DataDecryption => "DATA_DECRYPTION",
            KeyUsage::DataBoth => "DATA_BOTH",
            KeyUsage::KeyDerivation => "KEY_DERIVATION",
        }
    }

    /// The 2-byte key usage indicator of the derivation data.
    pub const fn value(self) -> u16 {
        match self {
            KeyUsage::KeyEncryption => 0x0002,
            KeyUsage::PinEncryption => 0x1000,
            KeyUsage::MacGeneration => 0x2000,
            KeyUsage::MacVerification => 0x2001,
            KeyUsage::MacBoth => 0x2002,
            KeyUsage::DataEncryption => 0x3000,
            KeyUsage::DataDecryption => 0x3001,
            KeyUsage::DataBoth => 0x3002,
            KeyUsage::KeyDerivation => 0x8000,
        }
    }
}

impl FromStr for KeyUsage {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        KeyUsage::ALL
            .into_iter()
            .find(|u| u.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::UnknownUsage { got: s.to_owned(), expected: Self::NAMES })
    }
}

impl fmt::Display for KeyUsage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Evaluates `$body` with the type `$c` bound to the `aes` crate's encrypt-only cipher for `$algorithm`,
/// or `$not_aes` for a TDES algorithm: the one dispatch of a derivation, every step after it monomorphic.
macro_rules! with_aes_type {
    ($algorithm:expr, $c:ident => $body:expr, $not_aes:expr) => {
        match $algorithm {
            Algorithm::Aes128 => {
                type $c = ::aes::Aes128Enc;
                $body
            }
            Algorithm::Aes192 => {
                type $c = ::aes::Aes192Enc;
                $body
            }
            Algorithm::Aes256 => {
                type $c = ::aes::Aes256Enc;
                $body
            }
            Algorithm::Tdes2Key | Algorithm::Tdes3Key => $not_aes,
        }
    };
}

/// The initial key of the terminal whose initial key ID is `initial_key_id`; of the BDK's type.
///
/// # Errors
/// [`Error::KeyAlgorithm`] unless `bdk` is an AES key.
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, SymmetricKey};
/// use paycrypt::dukpt::aes;
///
/// let bdk = SymmetricKey::new(Algorithm::Aes128, &hex::decode("FEDCBA9876543210F1F1F1F1F1F1F1F1")?)?;
/// let ik = aes::derive_initial_key(&bdk, &[0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56])?;
/// assert_eq!(hex::encode_upper(ik.as_bytes()), "1273671EA26AC29AFA4D1084127652A1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn derive_initial_key(bdk: &SymmetricKey, initial_key_id: &[u8; 8]) -> Result<SymmetricKey, Error> {
    KeyBytes::of(bdk, "BaseDerivationKey")?.initial_key(initial_key_id)?.to_key()
}

/// The intermediate derivation key of `ksn`'s counter (the supplement's "transaction key").
///
/// # Errors
/// [`Error::KeyAlgorithm`] unless `initial_key` is AES; [`Error::CounterZero`] for counter 0.
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, SymmetricKey};
/// use paycrypt::dukpt::aes;
///
/// let ik = SymmetricKey::new(Algorithm::Aes128, &hex::decode("1273671EA26AC29AFA4D1084127652A1")?)?;
/// let key = aes::derive_intermediate_key(&ik, &"123456789012345600000001".parse()?)?;
/// assert_eq!(hex::encode_upper(key.as_bytes()), "4F21B565BAD9835E112B6465635EAE44");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn derive_intermediate_key(initial_key: &SymmetricKey, ksn: &AesKsn) -> Result<SymmetricKey, Error> {
    let ik = KeyBytes::of(initial_key, "InitialKey")?;
    nonzero(ksn)?;
    ik.intermediate(derivation_id(ksn), ksn.counter())?.to_key()
}

/// The intermediate derivation key of any 32-bit counter, including those no valid KSN carries (more than
/// 16 one-bits, `FFFFFFFF`): the X9.24-3 supplement publishes such values, and this reproduces them.
///
/// # Security Warning
/// No device uses these counters; a host that derived keys for them would accept KSNs the standard
/// forbids. This is for checking published values and for diagnostics only: derive transaction keys with
/// [`derive_intermediate_key`] or [`derive_working_key`], whose [`AesKsn`] rejects such counters.
///
/// # Errors
/// [`Error::KeyAlgorithm`] unless `initial_key` is AES; [`Error::CounterZero`] for counter 0.
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, SymmetricKey};
/// use paycrypt::dukpt::aes;
///
/// let ik = SymmetricKey::new(Algorithm::Aes128, &hex::decode("1273671EA26AC29AFA4D1084127652A1")?)?;
/// let id = [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56];
/// let key = aes::dangerous_intermediate_key_any_counter(&ik, &id, 0x1FFFF)?;
/// assert_eq!(hex::encode_upper(key.as_bytes()), "1FE368988089CDD76DA18A3458E113BA");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn dangerous_intermediate_key_any_counter(
    initial_key: &SymmetricKey,
    initial_key_id: &[u8; 8],
    counter: u32,
) -> Result<SymmetricKey, Error> {
    let ik = KeyBytes::of(initial_key, "InitialKey")?;
    ik.intermediate(id_of(initial_key_id), counter)?.to_key()
}

/// The working key for `usage` and `key_type` at `ksn`, from the terminal's initial key.
///
/// # Errors
/// [`Error::KeyAlgorithm`] unless `initial_key` is AES; [`Error::DerivedKeyTooStrong`] when `key_type`
/// is stronger than the initial key; [`Error::CounterZero`] for counter 0.
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, SymmetricKey};
/// use paycrypt::dukpt::{aes, KeyUsage};
///
/// let ik = SymmetricKey::new(Algorithm::Aes128, &hex::decode("1273671EA26AC29AFA4D1084127652A1")?)?;
/// let ksn = "123456789012345600000001".parse()?;
/// let key = aes::derive_working_key(&ik, &ksn, KeyUsage::DataEncryption, Algorithm::Aes128)?;
/// assert_eq!(hex::encode_upper(key.as_bytes()), "A35C412EFD41FDB98B69797C02DCD08F");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn derive_working_key(
    initial_key: &SymmetricKey,
    ksn: &AesKsn,
    usage: KeyUsage,
    key_type: Algorithm,
) -> Result<SymmetricKey, Error> {
    check_key_type(initial_key.algorithm(), key_type)?;
    nonzero(ksn)?;
    let ik = KeyBytes::of(initial_key, "InitialKey")?;
    ik.intermediate(derivation_id(ksn), ksn.counter())?.working_key(ksn, usage, key_type)
}

/// The working key for `usage` and `key_type` from an intermediate key (as a device holds it).
///
/// # Errors
/// As [`derive_working_key`], for `intermediate_key` in place of the initial key.
pub fn working_key_from_intermediate(
    intermediate_key: &SymmetricKey,
    ksn: &AesKsn,
    usage: KeyUsage,
    key_type: Algorithm,
) -> Result<SymmetricKey, Error> {
    check_key_type(intermediate_key.algorithm(), key_type)?;
    KeyBytes::of(intermediate_key, "TransactionKey")?.working_key(ksn, usage, key_type)
}

/// The update key, under which a host sends a terminal its next initial key: the key encryption key
/// (usage `0002`) of the reserved counter `FFFFFFFF`, whose intermediate key walks all 32 counter bits
/// (the one place the 16-bit limit does not apply).
///
/// # Errors
/// As [`derive_working_key`].
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, SymmetricKey};
/// use paycrypt::dukpt::aes;
///
/// let ik = SymmetricKey::new(Algorithm::Aes128, &hex::decode("1273671EA26AC29AFA4D1084127652A1")?)?;
/// let id = [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56];
/// let key = aes::derive_update_key(&ik, &id, Algorithm::Aes128)?;
/// assert_eq!(hex::encode_upper(key.as_bytes()), "9A9770AEE1ACD1B13473D0463A1883B9");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn derive_update_key(
    initial_key: &SymmetricKey,
    initial_key_id: &[u8; 8],
    key_type: Algorithm,
) -> Result<SymmetricKey, Error> {
    check_key_type(initial_key.algorithm(), key_type)?;
    let ik = KeyBytes::of(initial_key, "InitialKey")?;
    let id = id_of(initial_key_id);
    let intermediate = ik.intermediate(id, UPDATE_KEY_COUNTER)?;
    let data = derivation_data(KeyUsage::KeyEncryption.value(), key_type, ksn_data(id, UPDATE_KEY_COUNTER));
    intermediate.derive(&data, key_type)?.to_key()
}

/// BDK to working key in one call. `key_type` defaults to the BDK's algorithm.
///
/// # Errors
/// As [`derive_initial_key`] and [`derive_working_key`].
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, SymmetricKey};
/// use paycrypt::dukpt::{aes, KeyUsage};
///
/// let bdk = SymmetricKey::new(Algorithm::Aes128, &hex::decode("FEDCBA9876543210F1F1F1F1F1F1F1F1")?)?;
/// let ksn = "123456789012345600000001".parse()?;
/// let key = aes::derive_key(&bdk, &ksn, KeyUsage::PinEncryption, None)?;
/// assert_eq!(hex::encode_upper(key.as_bytes()), "AF8CB133A78F8DC2D1359F18527593FB");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn derive_key(
    bdk: &SymmetricKey,
    ksn: &AesKsn,
    usage: KeyUsage,
    key_type: Option<Algorithm>,
) -> Result<SymmetricKey, Error> {
    let algorithm = bdk.algorithm();
    let key_type = key_type.unwrap_or(algorithm);
    with_aes_type!(
        algorithm,
        C => {
            check_key_type(algorithm, key_type)?;
            nonzero(ksn)?;
            derive_key_typed::<C>(bdk.as_bytes(), ksn, usage, key_type)
        },
        Err(not_aes("BaseDerivationKey", algorithm))
    )
}

/// [`derive_key`] for one BDK type: the key bytes carried from step to step in one zeroized stack buffer,
/// each step keying `C` from them and encrypting one derivation data block (two for keys longer than a
/// block) back into them.
fn derive_key_typed<C: AesType>(
    bdk: &[u8],
    ksn: &AesKsn,
    usage: KeyUsage,
    key_type: Algorithm,
) -> Result<SymmetricKey, Error> {
    let mut key = Zeroizing::new(load(bdk));
    step::<C>(&mut key, &derivation_data(USAGE_INITIAL_KEY, C::ALGORITHM, ksn.initial_key_id()));
    let id = derivation_id(ksn);
    walk_in_place::<C>(&mut key, id, ksn.counter())?;
    let data = derivation_data(usage.value(), key_type, ksn_data(id, ksn.counter()));
    derive_to_key(&schedule::<C>(&key), &data, key_type)
}

/// Checks that a derived key type is no stronger than the BDK (X9.24-3:2017 §6.2.2).
///
/// # Errors
/// [`Error::DerivedKeyTooStrong`].
pub fn check_key_type(bdk: Algorithm, derived: Algorithm) -> Result<(), Error> {
    let rank = |a: Algorithm| Algorithm::ALL.iter().position(|x| *x == a);
    if rank(derived) > rank(bdk) {
        return Err(Error::DerivedKeyTooStrong { derived, bdk });
    }
    Ok(())
}

/// An AES key type as DUKPT derives it: the `aes` crate's encrypt-only cipher of that size.
pub(crate) trait AesType: KeyInit + BlockCipherEncrypt<BlockSize = U16> {
    /// The algorithm.
    const ALGORITHM: Algorithm;
    /// Derivation data blocks per key: 1 for AES-128, 2 for the longer keys.
    const BLOCKS: usize;
}

impl AesType for Aes128Enc {
    const ALGORITHM: Algorithm = Algorithm::Aes128;
    const BLOCKS: usize = 1;
}

impl AesType for Aes192Enc {
    const ALGORITHM: Algorithm = Algorithm::Aes192;
    const BLOCKS: usize = 2;
}

impl AesType for Aes256Enc {
    const ALGORITHM: Algorithm = Algorithm::Aes256;
    const BLOCKS: usize = 2;
}

/// Key bytes as a derivation produces them: up to two AES blocks, the key in the first `key_len` bytes.
pub(crate) type Blocks = [[u8; 16]; 2];

/// `data` with block counters 1..=`blocks` (1 or 2) encrypted under `key` into `out`, in one call.
#[inline]
pub(crate) fn encrypt_into<C: AesType>(key: &C, data: &[u8; 16], blocks: usize, out: &mut Blocks) {
    if blocks <= 1 {
        key.encrypt_block_b2b(data.into(), (&mut out[0]).into());
    } else {
        out[0] = *data;
        out[1] = *data;
        out[1][1] = 2;
        key.encrypt_blocks(Array::cast_slice_from_core_mut(&mut out[..]));
    }
}

/// `C` keyed from the first `C::key_size()` bytes of `key`, through a zeroized copy of them.
///
/// Infallible and returned by value, so the caller's binding is built in place: a key schedule (700-odd
/// bytes with the `aes` crate's software fallback) is never moved.
#[inline]
pub(crate) fn schedule<C: AesType>(key: &Blocks) -> C {
    let mut bytes = Key::<C>::default();
    for (b, k) in bytes.iter_mut().zip(key.as_flattened()) {
        *b = *k;
    }
    let cipher = C::new(&bytes);
    bytes.as_mut_slice().zeroize();
    cipher
}

/// One derivation step in place: `key` (of `C`'s type) replaced by the key of `C`'s type derived under it
/// from `data`.
#[inline]
fn step<C: AesType>(key: &mut Blocks, data: &[u8; 16]) {
    let parent = schedule::<C>(key);
    encrypt_into(&parent, data, C::BLOCKS, key);
}

/// The walk in place: `key` goes in as the initial key and comes out as the intermediate key of `counter`,
/// one derivation (usage `8000`, `C`'s type) per one-bit, most significant first, the derivation data
/// built once and its counter bytes rewritten at each step.
///
/// # Errors
/// [`Error::CounterZero`] for counter 0.
pub(crate) fn walk_in_place<C: AesType>(key: &mut Blocks, id: [u8; 4], counter: u32) -> Result<(), Error> {
    if counter == 0 {
        return Err(Error::CounterZero { scheme: Scheme::Aes });
    }
    let mut data = intermediate_data(C::ALGORITHM, id);
    let mut rest = counter;
    let mut prefix = 0u32;
    while rest != 0 {
        let bit = 1u32 << (31 - rest.leading_zeros());
        rest ^= bit;
        prefix |= bit;
        set_counter(&mut data, prefix);
        step::<C>(key, &data);
    }
    Ok(())
}

/// The key of type `key_type` derived under `parent` from `data`, as a [`SymmetricKey`].
#[inline]
pub(crate) fn derive_to_key<C: AesType>(
    parent: &C,
    data: &[u8; 16],
    key_type: Algorithm,
) -> Result<SymmetricKey, Error> {
    let mut out = Zeroizing::new([[0u8; 16]; 2]);
    encrypt_into(parent, data, key_type.key_len().div_ceil(16), &mut out);
    to_key(key_type, &out)
}

/// The first `algorithm.key_len()` bytes of `bytes` as a [`SymmetricKey`].
pub(crate) fn to_key(algorithm: Algorithm, bytes: &Blocks) -> Result<SymmetricKey, Error> {
    Ok(SymmetricKey::new(algorithm, bytes.as_flattened().get(..algorithm.key_len()).unwrap_or(&[]))?)
}

/// Key bytes (at most 32) into a `Blocks` buffer, the rest zero.
fn load(bytes: &[u8]) -> Blocks {
    let mut out = [[0u8; 16]; 2];
    for (o, b) in out.as_flattened_mut().iter_mut().zip(bytes) {
        *o = *b;
    }
    out
}

/// Derived or given AES DUKPT key bytes and their type, zeroized on drop: what a device keeps in its
/// registers, and the slow path's currency (each use keys the cipher from the bytes).
pub(crate) struct KeyBytes {
    algorithm: Algorithm,
    bytes: Zeroizing<Blocks>,
}

impl KeyBytes {
    /// The bytes of an AES [`SymmetricKey`]; `which` names it in the error.
    pub(crate) fn of(key: &SymmetricKey, which: &'static str) -> Result<Self, Error> {
        let algorithm = key.algorithm();
        if algorithm.is_tdes() {
            return Err(not_aes(which, algorithm));
        }
        Ok(KeyBytes { algorithm, bytes: Zeroizing::new(load(key.as_bytes())) })
    }

    /// The initial key for `initial_key_id`, this being the BDK.
    pub(crate) fn initial_key(&self, initial_key_id: &[u8; 8]) -> Result<KeyBytes, Error> {
        self.derive(&derivation_data(USAGE_INITIAL_KEY, self.algorithm, *initial_key_id), self.algorithm)
    }

    /// The intermediate key of `counter`, this being the initial key.
    ///
    /// # Errors
    /// [`Error::CounterZero`] for counter 0.
    pub(crate) fn intermediate(&self, id: [u8; 4], counter: u32) -> Result<KeyBytes, Error> {
        let mut bytes = self.bytes.clone();
        with_aes_type!(
            self.algorithm,
            C => walk_in_place::<C>(&mut bytes, id, counter)?,
            return Err(not_aes("InitialKey", self.algorithm))
        );
        Ok(KeyBytes { algorithm: self.algorithm, bytes })
    }

    /// The child intermediate key for the counter `prefix`, this being its parent's.
    pub(crate) fn child_intermediate(&self, id: [u8; 4], prefix: u32) -> Result<KeyBytes, Error> {
        let mut data = intermediate_data(self.algorithm, id);
        set_counter(&mut data, prefix);
        self.derive(&data, self.algorithm)
    }

    /// The working key at `ksn`, this being the KSN's intermediate key.
    ///
    /// # Errors
    /// [`Error::DerivedKeyTooStrong`] when `key_type` is stronger than this key.
    pub(crate) fn working_key(
        &self,
        ksn: &AesKsn,
        usage: KeyUsage,
        key_type: Algorithm,
    ) -> Result<SymmetricKey, Error> {
        check_key_type(self.algorithm, key_type)?;
        let data = derivation_data(usage.value(), key_type, ksn_data(derivation_id(ksn), ksn.counter()));
        self.derive(&data, key_type)?.to_key()
    }

    /// The key of type `key_type` derived under this key from `data`.
    fn derive(&self, data: &[u8; 16], key_type: Algorithm) -> Result<KeyBytes, Error> {
        let mut bytes = Zeroizing::new([[0u8; 16]; 2]);
        let blocks = key_type.key_len().div_ceil(16);
        with_aes_type!(
            self.algorithm,
            C => encrypt_into(&schedule::<C>(&self.bytes), data, blocks, &mut bytes),
            return Err(not_aes("InitialKey", self.algorithm))
        );
        Ok(KeyBytes { algorithm: key_type, bytes })
    }

    /// As a [`SymmetricKey`].
    pub(crate) fn to_key(&self) -> Result<SymmetricKey, Error> {
        to_key(self.algorithm, &self.bytes)
    }
}

/// An AES key with its key schedule: a host's BDK, keyed once.
pub(crate) enum AesKey {
    /// AES-128.
    Aes128(Aes128Enc),
    /// AES-192.
    Aes192(Aes192Enc),
    /// AES-256.
    Aes256(Aes256Enc),
}

impl AesKey {
    /// Keys an AES [`SymmetricKey`]; `which` names it in the error.
    pub(crate) fn new(key: &SymmetricKey, which: &'static str) -> Result<Self, Error> {
        let bytes = Zeroizing::new(load(key.as_bytes()));
        Ok(match key.algorithm() {
            Algorithm::Aes128 => AesKey::Aes128(schedule(&bytes)),
            Algorithm::Aes192 => AesKey::Aes192(schedule(&bytes)),
            Algorithm::Aes256 => AesKey::Aes256(schedule(&bytes)),
            Algorithm::Tdes2Key | Algorithm::Tdes3Key => return Err(not_aes(which, key.algorithm())),
        })
    }
}

/// The not-an-AES-key error for the key `which`.
pub(crate) fn not_aes(which: &'static str, algorithm: Algorithm) -> Error {
    Error::KeyAlgorithm {
        key: which,
        scheme: Scheme::Aes,
        algorithm,
        expected: "AES_128, AES_192 or AES_256",
    }
}

/// The 16-byte derivation data block, block counter 1 (X9.24-3:2017 §6.3.2).
pub(crate) fn derivation_data(usage: u16, key_type: Algorithm, data: [u8; 8]) -> [u8; 16] {
    let (kind, bits): (u8, u16) = match key_type {
        Algorithm::Tdes2Key => (0, 128),
        Algorithm::Tdes3Key => (1, 192),
        Algorithm::Aes128 => (2, 128),
        Algorithm::Aes192 => (3, 192),
        Algorithm::Aes256 => (4, 256),
    };
    let [u0, u1] = usage.to_be_bytes();
    let [b0, b1] = bits.to_be_bytes();
    let d = data;
    [1, 1, u0, u1, 0, kind, b0, b1, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]
}

/// The intermediate derivation data of a key of type `algorithm` (usage `8000`), counter bytes zero.
pub(crate) fn intermediate_data(algorithm: Algorithm, id: [u8; 4]) -> [u8; 16] {
    derivation_data(USAGE_INTERMEDIATE, algorithm, ksn_data(id, 0))
}

/// Sets the counter bytes (12-15) of derivation data.
#[inline]
pub(crate) fn set_counter(data: &mut [u8; 16], counter: u32) {
    let [c0, c1, c2, c3] = counter.to_be_bytes();
    data[12] = c0;
    data[13] = c1;
    data[14] = c2;
    data[15] = c3;
}

/// The derivation ID: KSN bytes 4-7.
pub(crate) fn derivation_id(ksn: &AesKsn) -> [u8; 4] {
    let b = ksn.as_bytes();
    [b[4], b[5], b[6], b[7]]
}

/// The derivation ID of an initial key ID: its bytes 4-7.
fn id_of(initial_key_id: &[u8; 8]) -> [u8; 4] {
    [initial_key_id[4], initial_key_id[5], initial_key_id[6], initial_key_id[7]]
}

/// Derivation data bytes 8-15: derivation ID, then the counter.
pub(crate) fn ksn_data(id: [u8; 4], counter: u32) -> [u8; 8] {
    let c = counter.to_be_bytes();
    [id[0], id[1], id[2], id[3], c[0], c[1], c[2], c[3]]
}

/// Rejects counter 0 for a transaction key.
pub(crate) fn nonzero(ksn: &AesKsn) -> Result<(), Error> {
    if ksn.counter() == 0 { Err(Error::CounterZero { scheme: Scheme::Aes }) } else { Ok(()) }
}
