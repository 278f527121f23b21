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
use cipher::consts::U16;
use cipher::{Block, BlockCipherEncrypt, Key, KeyInit};
use zeroize::{Zeroize, Zeroizing};

use crate::primitives::dukpt::{AesKsn, Error, Scheme};
use crate::primitives::{Algorithm, SymmetricKey};

/// Key usage of the initial key's derivation data.
const USAGE_INITIAL_KEY: u16 = 0x8001;
/// Key usage of an intermediate derivation key's derivation data.
const USAGE_INTERMEDIATE: u16 = 0x8000;
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
    let bdk = AesKey::new(bdk, "BaseDerivationKey")?;
    bdk.initial_key(initial_key_id)?.to_key()
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
    nonzero(ksn)?;
    let ik = AesKey::new(initial_key, "InitialKey")?;
    walk(&ik, derivation_id(ksn), ksn.counter())?.to_key()
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
    let ik = AesKey::new(initial_key, "InitialKey")?;
    let id = [initial_key_id[4], initial_key_id[5], initial_key_id[6], initial_key_id[7]];
    walk(&ik, id, counter)?.to_key()
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
    let ik = AesKey::new(initial_key, "InitialKey")?;
    let intermediate = walk_keys(&ik, derivation_id(ksn), ksn.counter())?;
    intermediate.working_key(ksn, usage, key_type)?.to_key()
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
    AesKey::new(intermediate_key, "TransactionKey")?.working_key(ksn, usage, key_type)?.to_key()
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
    let ik = AesKey::new(initial_key, "InitialKey")?;
    let id = [initial_key_id[4], initial_key_id[5], initial_key_id[6], initial_key_id[7]];
    let intermediate = walk_keys(&ik, id, UPDATE_KEY_COUNTER)?;
    let data = ksn_data(id, UPDATE_KEY_COUNTER);
    KeyBytes::derive(&intermediate, KeyUsage::KeyEncryption.value(), key_type, data).to_key()
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
    let key_type = key_type.unwrap_or(bdk.algorithm());
    let bdk_key = AesKey::new(bdk, "BaseDerivationKey")?;
    check_key_type(bdk.algorithm(), key_type)?;
    nonzero(ksn)?;
    let ik = bdk_key.initial_key_schedule(&ksn.initial_key_id());
    let intermediate = walk_keys(&ik, derivation_id(ksn), ksn.counter())?;
    intermediate.working_key(ksn, usage, key_type)?.to_key()
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

/// An AES key with its key schedule, the parent of a derivation.
pub(crate) struct AesKey {
    algorithm: Algorithm,
    cipher: AesCipher,
}

enum AesCipher {
    Aes128(Aes128Enc),
    Aes192(Aes192Enc),
    Aes256(Aes256Enc),
}

impl AesKey {
    /// Keys an AES [`SymmetricKey`]; `which` names it in the error.
    pub(crate) fn new(key: &SymmetricKey, which: &'static str) -> Result<Self, Error> {
        Self::from_bytes(key.algorithm(), key.as_bytes()).ok_or(Error::KeyAlgorithm {
            key: which,
            scheme: Scheme::Aes,
            algorithm: key.algorithm(),
            expected: "AES_128, AES_192 or AES_256",
        })
    }

    /// Keys AES from bytes; `None` unless `algorithm` is AES and `bytes` has its length.
    pub(crate) fn from_bytes(algorithm: Algorithm, bytes: &[u8]) -> Option<Self> {
        let cipher = match algorithm {
            Algorithm::Aes128 => AesCipher::Aes128(Aes128Enc::new_from_slice(bytes).ok()?),
            Algorithm::Aes192 => AesCipher::Aes192(Aes192Enc::new_from_slice(bytes).ok()?),
            Algorithm::Aes256 => AesCipher::Aes256(Aes256Enc::new_from_slice(bytes).ok()?),
            _ => return None,
        };
        Some(AesKey { algorithm, cipher })
    }

    /// The initial key for `initial_key_id`, this key being the BDK.
    pub(crate) fn initial_key(&self, initial_key_id: &[u8; 8]) -> Result<KeyedBytes, Error> {
        KeyedBytes::new(KeyBytes::derive(self, USAGE_INITIAL_KEY, self.algorithm, *initial_key_id))
    }

    /// The working key at `ksn`, this key being the KSN's intermediate key.
    pub(crate) fn working_key(
        &self,
        ksn: &AesKsn,
        usage: KeyUsage,
        key_type: Algorithm,
    ) -> Result<KeyBytes, Error> {
        check_key_type(self.algorithm, key_type)?;
        Ok(KeyBytes::derive(self, usage.value(), key_type, ksn_data(derivation_id(ksn), ksn.counter())))
    }

    /// The child intermediate key for `counter` (usage `8000`, this key's type).
    pub(crate) fn intermediate(&self, id: [u8; 4], counter: u32) -> Result<KeyedBytes, Error> {
        KeyedBytes::new(KeyBytes::derive(self, USAGE_INTERMEDIATE, self.algorithm, ksn_data(id, counter)))
    }

    /// The child intermediate key for `counter`, keyed, without its bytes: the hot step of a walk.
    /// Its type is this key's (intermediate keys keep the BDK's type), so no check can fail.
    pub(crate) fn child_intermediate(&self, id: [u8; 4], counter: u32) -> AesKey {
        self.child(&derivation_data(USAGE_INTERMEDIATE, self.algorithm, ksn_data(id, counter)))
    }

    /// The initial key for `initial_key_id`, keyed, without its bytes (this key being the BDK).
    pub(crate) fn initial_key_schedule(&self, initial_key_id: &[u8; 8]) -> AesKey {
        self.child(&derivation_data(USAGE_INITIAL_KEY, self.algorithm, *initial_key_id))
    }

    /// The key of this key's type derived under this key from the derivation data `data` (block counter
    /// 1; the second block, when the type needs one, is derived here), keyed.
    fn child(&self, data: &[u8; 16]) -> AesKey {
        let cipher = match &self.cipher {
            AesCipher::Aes128(c) => AesCipher::Aes128(child(c, data)),
            AesCipher::Aes192(c) => AesCipher::Aes192(child(c, data)),
            AesCipher::Aes256(c) => AesCipher::Aes256(child(c, data)),
        };
        AesKey { algorithm: self.algorithm, cipher }
    }

    /// The intermediate key of `counter`, this key being the initial key: one derivation per one-bit,
    /// most significant first, the derivation data built once and its counter updated in place, each
    /// step keyed straight from the previous one's output. `None` for counter 0.
    fn walk(&self, id: [u8; 4], counter: u32) -> Option<AesKey> {
        let mut data = derivation_data(USAGE_INTERMEDIATE, self.algorithm, ksn_data(id, 0));
        let cipher = match &self.cipher {
            AesCipher::Aes128(c) => AesCipher::Aes128(walk_typed(c, &mut data, counter)?),
            AesCipher::Aes192(c) => AesCipher::Aes192(walk_typed(c, &mut data, counter)?),
            AesCipher::Aes256(c) => AesCipher::Aes256(walk_typed(c, &mut data, counter)?),
        };
        Some(AesKey { algorithm: self.algorithm, cipher })
    }

    /// Encrypts `data` with block counter 1, and 2 when `blocks` is 2, into `out` (16 bytes a block),
    /// in one call.
    fn encrypt_blocks_into(&self, data: &[u8; 16], blocks: usize, out: &mut [u8; 32]) {
        match &self.cipher {
            AesCipher::Aes128(c) => encrypt_counter_blocks(c, data, blocks, out),
            AesCipher::Aes192(c) => encrypt_counter_blocks(c, data, blocks, out),
            AesCipher::Aes256(c) => encrypt_counter_blocks(c, data, blocks, out),
        }
    }
}

/// `data` with block counter 1 (and 2 when `blocks` is 2) encrypted under `c` into `out`, one call.
fn encrypt_counter_blocks<C>(c: &C, data: &[u8; 16], blocks: usize, out: &mut [u8; 32])
where
    C: BlockCipherEncrypt<BlockSize = U16>,
{
    if blocks <= 1 {
        let mut b = Zeroizing::new(Block::<C>::default());
        c.encrypt_block_b2b(data.into(), &mut b);
        out[..16].copy_from_slice(&b[..]);
    } else {
        let mut second = *data;
        second[1] = 2;
        let mut pair = Zeroizing::new([Block::<C>::from(*data), Block::<C>::from(second)]);
        c.encrypt_blocks(&mut pair[..]);
        out[..16].copy_from_slice(&pair[0]);
        out[16..].copy_from_slice(&pair[1]);
    }
}

/// The key of `C`'s type derived under `parent` from the derivation data `data` (block counter 1, and 2
/// for keys longer than a block, encrypted in one call), keyed; the raw output is zeroized.
fn child<C>(parent: &C, data: &[u8; 16]) -> C
where
    C: KeyInit + BlockCipherEncrypt<BlockSize = U16>,
{
    let mut out = Zeroizing::new([[0u8; 16]; 2]);
    if C::key_size() <= 16 {
        parent.encrypt_block_b2b(data.into(), (&mut out[0]).into());
    } else {
        let mut second = *data;
        second[1] = 2;
        let mut blocks = Zeroizing::new([Block::<C>::from(*data), Block::<C>::from(second)]);
        parent.encrypt_blocks(&mut blocks[..]);
        for (o, b) in out.iter_mut().zip(blocks.iter()) {
            o.copy_from_slice(b);
        }
    }
    let key = Zeroizing::new(Key::<C>::from_fn(|i| out[i / 16][i % 16]));
    C::new(&key)
}

/// [`AesKey::walk`] for one key type: `data` is the intermediate derivation data, its counter bytes
/// (12-15) overwritten at each step.
fn walk_typed<C>(initial: &C, data: &mut [u8; 16], counter: u32) -> Option<C>
where
    C: KeyInit + BlockCipherEncrypt<BlockSize = U16>,
{
    let mut rest = counter;
    let mut prefix = 0u32;
    let mut current: Option<C> = None;
    while rest != 0 {
        let bit = 1u32 << (31 - rest.leading_zeros());
        rest ^= bit;
        prefix |= bit;
        data[12..].copy_from_slice(&prefix.to_be_bytes());
        let next = child(current.as_ref().unwrap_or(initial), data);
        current = Some(next);
    }
    current
}

/// Derived key bytes and their type, zeroized on drop.
pub(crate) struct KeyBytes {
    algorithm: Algorithm,
    bytes: Zeroizing<[u8; 32]>,
}

impl KeyBytes {
    /// The key of type `key_type` derived under `parent` with `usage` and the 8 KSN data bytes.
    pub(crate) fn derive(parent: &AesKey, usage: u16, key_type: Algorithm, data: [u8; 8]) -> KeyBytes {
        let len = key_type.key_len();
        let block = derivation_data(usage, key_type, data);
        let mut bytes = Zeroizing::new([0u8; 32]);
        parent.encrypt_blocks_into(&block, len.div_ceil(16), &mut bytes);
        for byte in bytes.iter_mut().skip(len) {
            *byte = 0;
        }
        KeyBytes { algorithm: key_type, bytes }
    }

    /// The bytes, as long as the key type.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.algorithm.key_len()).unwrap_or(&[])
    }

    /// As a [`SymmetricKey`].
    pub(crate) fn to_key(&self) -> Result<SymmetricKey, Error> {
        Ok(SymmetricKey::new(self.algorithm, self.as_bytes())?)
    }

    /// Keyed, to derive further (an AES type only).
    fn keyed(&self) -> Result<AesKey, Error> {
        AesKey::from_bytes(self.algorithm, self.as_bytes()).ok_or(Error::KeyAlgorithm {
            key: "InitialKey",
            scheme: Scheme::Aes,
            algorithm: self.algorithm,
            expected: "AES_128, AES_192 or AES_256",
        })
    }
}

/// The intermediate key of `counter`: one derivation per one-bit, most significant first.
pub(crate) fn walk(initial_key: &AesKey, id: [u8; 4], counter: u32) -> Result<KeyedBytes, Error> {
    let mut rest = counter;
    let mut prefix = 0u32;
    let mut current: Option<KeyedBytes> = None;
    while rest != 0 {
        let bit = 1u32 << (31 - rest.leading_zeros());
        rest ^= bit;
        prefix |= bit;
        let parent = current.as_ref().map_or(initial_key, |k| &k.key);
        current = Some(parent.intermediate(id, prefix)?);
    }
    current.ok_or(Error::CounterZero { scheme: Scheme::Aes })
}

/// The intermediate key of `counter` as a key schedule only (no bytes kept): the fast walk behind the
/// working keys.
pub(crate) fn walk_keys(initial_key: &AesKey, id: [u8; 4], counter: u32) -> Result<AesKey, Error> {
    initial_key.walk(id, counter).ok_or(Error::CounterZero { scheme: Scheme::Aes })
}

/// Derived key bytes together with their key schedule.
pub(crate) struct KeyedBytes {
    /// The bytes.
    pub(crate) bytes: KeyBytes,
    /// The keyed cipher.
    pub(crate) key: AesKey,
}

impl KeyedBytes {
    /// Keys the bytes.
    pub(crate) fn new(bytes: KeyBytes) -> Result<Self, Error> {
        let key = bytes.keyed()?;
        Ok(KeyedBytes { bytes, key })
    }

    /// As a [`SymmetricKey`].
    pub(crate) fn to_key(&self) -> Result<SymmetricKey, Error> {
        self.bytes.to_key()
    }

    /// The working key at `ksn`, this being its intermediate key.
    pub(crate) fn working_key(
        &self,
        ksn: &AesKsn,
        usage: KeyUsage,
        key_type: Algorithm,
    ) -> Result<KeyBytes, Error> {
        self.key.working_key(ksn, usage, key_type)
    }
}

/// The 16-byte derivation data block, block counter 1 (X9.24-3:2017 §6.3.2).
fn derivation_data(usage: u16, key_type: Algorithm, data: [u8; 8]) -> [u8; 16] {
    let (kind, bits): (u16, u16) = match key_type {
        Algorithm::Tdes2Key => (0, 128),
        Algorithm::Tdes3Key => (1, 192),
        Algorithm::Aes128 => (2, 128),
        Algorithm::Aes192 => (3, 192),
        Algorithm::Aes256 => (4, 256),
    };
    let mut block = [0u8; 16];
    block[0] = 1;
    block[1] = 1;
    block[2..4].copy_from_slice(&usage.to_be_bytes());
    block[4..6].copy_from_slice(&kind.to_be_bytes());
    block[6..8].copy_from_slice(&bits.to_be_bytes());
    block[8..].copy_from_slice(&data);
    block
}

/// The derivation ID: KSN bytes 4-7.
pub(crate) fn derivation_id(ksn: &AesKsn) -> [u8; 4] {
    let b = ksn.as_bytes();
    [b[4], b[5], b[6], b[7]]
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

/// The most children whose intermediate keys a [`working_keys_tree`] visit derives in one call (a key
/// with more, at most 32, takes more calls; consecutive counters give one or two on average).
const TREE_CHILDREN: usize = 8;
/// The most blocks of one such call: a working key and `TREE_CHILDREN` intermediate keys, two blocks each.
const TREE_BLOCKS: usize = 2 + 2 * TREE_CHILDREN;

/// The working keys for `usage` and `key_type` at many counters of one terminal, from its initial key:
/// `counters` sorted ascending, none 0 (duplicates allowed); `emit(i, key)` receives the key of
/// `counters[i]`.
///
/// The counters' walks form a tree (a counter's parent is the counter without its lowest one-bit), and
/// this visits it once: every intermediate key is derived once, and everything derived under one key (the
/// working key of its counter and the intermediate keys of its children) is encrypted in one block-cipher
/// call, so a batch of consecutive counters costs about one key schedule and one call per key.
///
/// # Errors
/// [`Error::DerivedKeyTooStrong`] when `key_type` is stronger than the initial key (before any work).
pub(crate) fn working_keys_tree(
    initial_key: &AesKey,
    id: [u8; 4],
    counters: &[u32],
    usage: KeyUsage,
    key_type: Algorithm,
    emit: &mut dyn FnMut(usize, KeyBytes),
) -> Result<(), Error> {
    check_key_type(initial_key.algorithm, key_type)?;
    let tree = Tree { id, algorithm: initial_key.algorithm, usage: usage.value(), key_type };
    match &initial_key.cipher {
        AesCipher::Aes128(c) => tree.visit(c, 0, counters, 0, emit),
        AesCipher::Aes192(c) => tree.visit(c, 0, counters, 0, emit),
        AesCipher::Aes256(c) => tree.visit(c, 0, counters, 0, emit),
    }
    Ok(())
}

/// What a [`working_keys_tree`] derives.
struct Tree {
    id: [u8; 4],
    algorithm: Algorithm,
    usage: u16,
    key_type: Algorithm,
}

impl Tree {
    /// The node `prefix` keyed by `key` (the initial key for prefix 0): `counters` (indices from
    /// `base`) are those whose walk passes through `prefix`, sorted, `prefix` itself first if present.
    fn visit<C>(
        &self,
        key: &C,
        prefix: u32,
        counters: &[u32],
        base: usize,
        emit: &mut dyn FnMut(usize, KeyBytes),
    ) where
        C: KeyInit + BlockCipherEncrypt<BlockSize = U16>,
    {
        let here = if prefix == 0 { 0 } else { counters.iter().take_while(|&&c| c == prefix).count() };
        let key_len = self.key_type.key_len();
        let mut working = if here > 0 { key_len.div_ceil(16) } else { 0 };
        let per_child = C::key_size().div_ceil(16);
        let mut start = here;
        // One call per key, unless it has more than `TREE_CHILDREN` children (then one per that many).
        loop {
            let mut blocks = [Block::<C>::default(); TREE_BLOCKS];
            let mut n = 0;
            if working > 0 {
                let data = derivation_data(self.usage, self.key_type, ksn_data(self.id, prefix));
                n = push_blocks(&mut blocks, n, &data, working);
            }
            // Children: runs of counters sharing the next walk step (their highest bit below `prefix`'s).
            let mut runs = [(0u32, 0usize, 0usize); TREE_CHILDREN];
            let mut run_count = 0;
            while let (Some(&c), Some(run)) = (counters.get(start), runs.get_mut(run_count)) {
                let shift = 31 - (c ^ prefix).leading_zeros();
                let len = counters[start..].iter().take_while(|&&d| (d ^ prefix) >> shift == 1).count();
                let child = prefix | (1 << shift);
                *run = (child, start, start + len);
                let data = derivation_data(USAGE_INTERMEDIATE, self.algorithm, ksn_data(self.id, child));
                n = push_blocks(&mut blocks, n, &data, per_child);
                run_count += 1;
                start += len.max(1);
            }
            key.encrypt_blocks(&mut blocks[..n]);
            if working > 0 {
                for i in 0..here {
                    let mut bytes = Zeroizing::new([0u8; 32]);
                    for (j, b) in bytes.iter_mut().take(key_len).enumerate() {
                        *b = blocks[j / 16][j % 16];
                    }
                    emit(base + i, KeyBytes { algorithm: self.key_type, bytes });
                }
            }
            for (r, &(child, from, to)) in runs.iter().take(run_count).enumerate() {
                let first = working + r * per_child;
                let child_key = {
                    let k = Zeroizing::new(Key::<C>::from_fn(|i| blocks[first + i / 16][i % 16]));
                    C::new(&k)
                };
                if let Some(members) = counters.get(from..to) {
                    self.visit(&child_key, child, members, base + from, emit);
                }
            }
            blocks[..n].iter_mut().for_each(Zeroize::zeroize);
            working = 0;
            if start >= counters.len() {
                break;
            }
        }
    }
}

/// Writes `data` with block counters 1..=`count` at `blocks[at..]`; returns the next free index.
fn push_blocks<B: From<[u8; 16]>>(blocks: &mut [B], at: usize, data: &[u8; 16], count: usize) -> usize {
    let mut next = at;
    for (i, slot) in blocks.iter_mut().skip(at).take(count).enumerate() {
        let mut d = *data;
        d[1] = u8::try_from(i + 1).unwrap_or(1);
        *slot = B::from(d);
        next += 1;
    }
    next
}
