//! TDES DUKPT, host side (ANSI X9.24-1:2009 Annex A; X9.24-3:2017 Annex C).
//!
//! - The initial key (IPEK) is the BDK-encryption of the leftmost 8 bytes of the initial KSN, once under
//!   the BDK (left half) and once under the BDK XOR `C0C0C0C000000000C0C0C0C000000000` (right half).
//! - The transaction key for a counter walks its one-bits from the most significant: each bit sets that
//!   bit in an 8-byte register (the rightmost 8 KSN bytes, counter zeroed) and replaces the key by the
//!   non-reversible key generation process (NRKGP) of the register under it.
//! - A usage is a variant: the transaction key XOR a constant; the two data variants then encrypt each
//!   half of the variant key under the variant key itself (a one-way step).
//!
//! A 3-key (TDES_3KEY) BDK is paycrypt's extension, not part of X9.24-1: both IPEK halves are TDES-3KEY
//! encryptions of the same 8 bytes, the second under the BDK XOR `C0C0C0C000000000` on each third. The
//! IPEK and every key after it are still TDES_2KEY.

use std::fmt;
use std::str::FromStr;

use zeroize::Zeroizing;

use crate::primitives::dukpt::{Error, Scheme, TdesKsn};
use crate::primitives::tdes::{self, TdesEde2, TdesEde3};
use crate::primitives::{Algorithm, SymmetricKey};

/// The mask of the IPEK's right half and of the NRKGP's second half, per 8-byte half.
const C0_MASK: u64 = 0xC0C0_C0C0_0000_0000;

/// A TDES DUKPT usage: which variant of the transaction key (X9.24-1:2009 A.6, Table A-1).
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum TdesVariant {
    /// PIN encryption: XOR `00000000000000FF` on each half.
    Pin,
    /// MAC of a request: XOR `000000000000FF00` on each half.
    MacRequest,
    /// MAC of a response: XOR `00000000FF000000` on each half.
    MacResponse,
    /// Data encryption of a request: XOR `0000000000FF0000` on each half, then the one-way step.
    DataRequest,
    /// Data encryption of a response: XOR `000000FF00000000` on each half, then the one-way step.
    DataResponse,
}

impl TdesVariant {
    /// Every variant.
    pub const ALL: [TdesVariant; 5] = [
        TdesVariant::Pin,
        TdesVariant::MacRequest,
        TdesVariant::MacResponse,
        TdesVariant::DataRequest,
        TdesVariant::DataResponse,
    ];

    /// The names, as the CLI lists them.
    pub const NAMES: &'static str = "PIN, MAC_REQUEST, MAC_RESPONSE, DATA_REQUEST, DATA_RESPONSE";

    /// The CLI name, e.g. `DATA_REQUEST`.
    pub const fn name(self) -> &'static str {
        match self {
            TdesVariant::Pin => "PIN",
            TdesVariant::MacRequest => "MAC_REQUEST",
            TdesVariant::MacResponse => "MAC_RESPONSE",
            TdesVariant::DataRequest => "DATA_REQUEST",
            TdesVariant::DataResponse => "DATA_RESPONSE",
        }
    }

    /// The variant constant XORed into each 8-byte half of the transaction key.
    pub const fn mask(self) -> u64 {
        match self {
            TdesVariant::Pin => 0xFF,
            TdesVariant::MacRequest => 0xFF00,
            TdesVariant::MacResponse => 0xFF00_0000,
            TdesVariant::DataRequest => 0xFF_0000,
            TdesVariant::DataResponse => 0xFF_0000_0000,
        }
    }

    /// Whether the variant ends with the one-way step (the data variants).
    pub const fn is_data(self) -> bool {
        matches!(self, TdesVariant::DataRequest | TdesVariant::DataResponse)
    }
}

impl FromStr for TdesVariant {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        TdesVariant::ALL
            .into_iter()
            .find(|v| v.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::UnknownUsage { got: s.to_owned(), expected: Self::NAMES })
    }
}

impl fmt::Display for TdesVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The initial key (IPEK) of the terminal whose KSN is `ksn` (its counter is ignored).
///
/// # Errors
/// [`Error::KeyAlgorithm`] unless `bdk` is TDES_2KEY or TDES_3KEY.
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, SymmetricKey};
/// use paycrypt::dukpt::tdes;
///
/// let bdk = SymmetricKey::new(Algorithm::Tdes2Key, &hex::decode("0123456789ABCDEFFEDCBA9876543210")?)?;
/// let ipek = tdes::derive_ipek(&bdk, &"FFFF9876543210E00000".parse()?)?;
/// assert_eq!(hex::encode_upper(ipek.as_bytes()), "6AC292FAA1315B4D858AB3A3D7D5933A");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn derive_ipek(bdk: &SymmetricKey, ksn: &TdesKsn) -> Result<SymmetricKey, Error> {
    let ipek = TdesBdk::new(bdk)?.ipek(ksn.initial_key_id());
    to_key(&ipek)
}

/// The transaction key (the future key before any variant) for `ksn`, from the terminal's IPEK.
///
/// # Errors
/// [`Error::KeyAlgorithm`] unless `ipek` is TDES_2KEY; [`Error::CounterZero`] for counter 0.
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, SymmetricKey};
/// use paycrypt::dukpt::tdes;
///
/// let ipek = SymmetricKey::new(Algorithm::Tdes2Key, &hex::decode("6AC292FAA1315B4D858AB3A3D7D5933A")?)?;
/// let key = tdes::derive_transaction_key(&ipek, &"FFFF9876543210E00001".parse()?)?;
/// assert_eq!(hex::encode_upper(key.as_bytes()), "042666B49184CFA368DE9628D0397BC9");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn derive_transaction_key(ipek: &SymmetricKey, ksn: &TdesKsn) -> Result<SymmetricKey, Error> {
    let ipek = key_halves(ipek, "InitialKey")?;
    nonzero(ksn)?;
    to_key(&walk(&ipek, ksn.register_base(), ksn.counter()))
}

/// The key of `variant` from a transaction key.
///
/// # Errors
/// [`Error::KeyAlgorithm`] unless `transaction_key` is TDES_2KEY.
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, SymmetricKey};
/// use paycrypt::dukpt::{tdes, TdesVariant};
///
/// let key = SymmetricKey::new(Algorithm::Tdes2Key, &hex::decode("042666B49184CFA368DE9628D0397BC9")?)?;
/// let pin = tdes::variant_key(&key, TdesVariant::Pin)?;
/// assert_eq!(hex::encode_upper(pin.as_bytes()), "042666B49184CF5C68DE9628D0397B36");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn variant_key(transaction_key: &SymmetricKey, variant: TdesVariant) -> Result<SymmetricKey, Error> {
    let key = key_halves(transaction_key, "TransactionKey")?;
    to_key(&apply_variant(&key, variant))
}

/// BDK to usage key in one call: IPEK, transaction key, variant.
///
/// # Errors
/// [`Error::KeyAlgorithm`] unless `bdk` is TDES; [`Error::CounterZero`] for counter 0.
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, SymmetricKey};
/// use paycrypt::dukpt::{tdes, TdesVariant};
///
/// let bdk = SymmetricKey::new(Algorithm::Tdes2Key, &hex::decode("0123456789ABCDEFFEDCBA9876543210")?)?;
/// let key = tdes::derive_key(&bdk, &"FFFF9876543210E00001".parse()?, TdesVariant::DataRequest)?;
/// assert_eq!(hex::encode_upper(key.as_bytes()), "448D3F076D8304036A55A3D7E0055A78");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn derive_key(bdk: &SymmetricKey, ksn: &TdesKsn, variant: TdesVariant) -> Result<SymmetricKey, Error> {
    let bdk = TdesBdk::new(bdk)?;
    nonzero(ksn)?;
    let ipek = bdk.ipek(ksn.initial_key_id());
    let key = walk(&ipek, ksn.register_base(), ksn.counter());
    to_key(&apply_variant(&key, variant))
}

/// A TDES BDK keyed twice, plain and masked, ready to derive many IPEKs. A TDES_2KEY BDK is keyed as
/// the three-key cipher with K3 = K1, which is the same function.
pub(crate) struct TdesBdk {
    plain: TdesEde3,
    masked: TdesEde3,
}

impl TdesBdk {
    /// Keys the BDK.
    pub(crate) fn new(bdk: &SymmetricKey) -> Result<Self, Error> {
        let wrong = || Error::KeyAlgorithm {
            key: "BaseDerivationKey",
            scheme: Scheme::Tdes,
            algorithm: bdk.algorithm(),
            expected: "TDES_2KEY or TDES_3KEY",
        };
        let mut parts = Zeroizing::new([0u64; 3]);
        for (part, chunk) in parts.iter_mut().zip(bdk.as_bytes().chunks_exact(8)) {
            let mut eight = Zeroizing::new([0u8; 8]);
            eight.copy_from_slice(chunk);
            *part = u64::from_be_bytes(*eight);
        }
        let masked = Zeroizing::new(parts.map(|p| p ^ C0_MASK));
        match bdk.algorithm() {
            Algorithm::Tdes2Key => Ok(TdesBdk {
                plain: TdesEde3::from_two_key_halves([parts[0], parts[1]]),
                masked: TdesEde3::from_two_key_halves([masked[0], masked[1]]),
            }),
            Algorithm::Tdes3Key => {
                Ok(TdesBdk { plain: TdesEde3::from_parts(*parts), masked: TdesEde3::from_parts(*masked) })
            }
            _ => Err(wrong()),
        }
    }

    /// The IPEK for the initial KSN whose leftmost 8 bytes are `iksn8`.
    pub(crate) fn ipek(&self, iksn8: [u8; 8]) -> Zeroizing<[u64; 2]> {
        let block = u64::from_be_bytes(iksn8);
        Zeroizing::new(TdesEde3::encrypt_u64_under([&self.plain, &self.masked], [block, block]))
    }
}

/// The transaction key for `counter`: one NRKGP per one-bit, most significant first.
pub(crate) fn walk(ipek: &[u64; 2], base: u64, counter: u32) -> Zeroizing<[u64; 2]> {
    let mut key = Zeroizing::new(*ipek);
    let mut register = base;
    let mut rest = counter & crate::primitives::dukpt::ksn::TDES_COUNTER_MASK;
    while rest != 0 {
        let bit = 1u32 << (31 - rest.leading_zeros());
        rest ^= bit;
        register |= u64::from(bit);
        *key = nrkgp(&key, register);
    }
    key
}

/// The non-reversible key generation process (X9.24-1:2009 A.2): a new key from `key` and the
/// 8-byte `register`.
pub(crate) fn nrkgp(key: &[u64; 2], register: u64) -> [u64; 2] {
    let [left, right] = *key;
    let (ml, mr) = (left ^ C0_MASK, right ^ C0_MASK);
    let [new_right, new_left] = tdes::des_encrypt_pair([left, ml], [register ^ right, register ^ mr]);
    [new_left ^ mr, new_right ^ right]
}

/// The variant key: XOR the mask, then for the data variants encrypt each half under the key itself.
pub(crate) fn apply_variant(key: &[u64; 2], variant: TdesVariant) -> Zeroizing<[u64; 2]> {
    let mask = variant.mask();
    let mut out = Zeroizing::new([key[0] ^ mask, key[1] ^ mask]);
    if variant.is_data() {
        *out = TdesEde2::from_halves(*out).encrypt_u64_pair(*out);
    }
    out
}

/// The two 8-byte halves of a TDES_2KEY key, as numbers.
pub(crate) fn key_halves(key: &SymmetricKey, which: &'static str) -> Result<Zeroizing<[u64; 2]>, Error> {
    let bytes = key.as_bytes();
    match (key.algorithm(), <[u8; 16]>::try_from(bytes)) {
        (Algorithm::Tdes2Key, Ok(b)) => {
            let b = Zeroizing::new(b);
            let mut halves = Zeroizing::new([0u64; 2]);
            for (half, chunk) in halves.iter_mut().zip(b.chunks_exact(8)) {
                let mut eight = [0u8; 8];
                eight.copy_from_slice(chunk);
                *half = u64::from_be_bytes(eight);
            }
            Ok(halves)
        }
        _ => Err(Error::KeyAlgorithm {
            key: which,
            scheme: Scheme::Tdes,
            algorithm: key.algorithm(),
            expected: "TDES_2KEY",
        }),
    }
}

/// A TDES_2KEY [`SymmetricKey`] from two halves.
pub(crate) fn to_key(halves: &[u64; 2]) -> Result<SymmetricKey, Error> {
    let mut bytes = Zeroizing::new([0u8; 16]);
    bytes[..8].copy_from_slice(&halves[0].to_be_bytes());
    bytes[8..].copy_from_slice(&halves[1].to_be_bytes());
    Ok(SymmetricKey::new(Algorithm::Tdes2Key, &bytes[..])?)
}

/// Rejects counter 0 for a transaction key.
pub(crate) fn nonzero(ksn: &TdesKsn) -> Result<(), Error> {
    if ksn.counter() == 0 { Err(Error::CounterZero { scheme: Scheme::Tdes }) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BDK: &str = "0123456789ABCDEFFEDCBA9876543210";

    #[test]
    fn annex_a_first_keys() {
        let bdk = SymmetricKey::new(Algorithm::Tdes2Key, &hex::decode(BDK).unwrap()).unwrap();
        let ksn: TdesKsn = "FFFF9876543210E00001".parse().unwrap();
        let ipek = derive_ipek(&bdk, &ksn).unwrap();
        assert_eq!(hex::encode_upper(ipek.as_bytes()), "6AC292FAA1315B4D858AB3A3D7D5933A");
        let key = derive_transaction_key(&ipek, &ksn).unwrap();
        assert_eq!(hex::encode_upper(key.as_bytes()), "042666B49184CFA368DE9628D0397BC9");
    }

    #[test]
    fn wrong_keys_are_typed_errors() {
        let aes = SymmetricKey::new(Algorithm::Aes128, &[0; 16]).unwrap();
        let ksn: TdesKsn = "FFFF9876543210E00001".parse().unwrap();
        assert!(matches!(derive_ipek(&aes, &ksn), Err(Error::KeyAlgorithm { .. })));
        assert!(matches!(derive_transaction_key(&aes, &ksn), Err(Error::KeyAlgorithm { .. })));
        let tdes = SymmetricKey::new(Algorithm::Tdes2Key, &[0; 16]).unwrap();
        let zero = ksn.with_counter(0).unwrap();
        assert_eq!(
            derive_transaction_key(&tdes, &zero).unwrap_err().to_string(),
            "KeySerialNumber counter is 0, which no transaction uses; the first TDES DUKPT transaction is 1."
        );
    }
}
