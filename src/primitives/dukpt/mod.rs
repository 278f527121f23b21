//! DUKPT (derived unique key per transaction): ANSI X9.24-1:2009 TDES DUKPT and ANSI X9.24-3:2017 AES
//! DUKPT, host side and device side.
//!
//! A terminal is loaded with an initial key derived from a base derivation key (BDK) and its key serial
//! number (KSN); every transaction increments the KSN's counter and uses a key derived from the initial
//! key and that counter. The host, holding the BDK, derives the same key from the KSN alone.
//!
//! - [`tdes`] and [`aes`]: the host-side derivations as functions over keys.
//! - [`Deriver`]: the host side for many transactions: BDK keyed once, initial keys cached (bounded,
//!   zeroized on eviction), and [`Deriver::derive_batch`].
//! - [`TdesDevice`] and [`AesDevice`]: the terminal's register state machines.
//! - [`derive()`]: BDK and KSN to initial key and usage key in one call, the scheme chosen by the KSN.
//!
//! # Examples
//! ```
//! use paycrypt::{Algorithm, SymmetricKey};
//! use paycrypt::dukpt;
//!
//! let bdk = SymmetricKey::new(Algorithm::Tdes2Key, &hex::decode("0123456789ABCDEFFEDCBA9876543210")?)?;
//! let out = dukpt::derive(&bdk, &"FFFF9876543210E00001".parse()?, "PIN".parse()?, None)?;
//! assert_eq!(hex::encode_upper(out.initial_key.as_bytes()), "6AC292FAA1315B4D858AB3A3D7D5933A");
//! assert_eq!(hex::encode_upper(out.key.as_bytes()), "042666B49184CF5C68DE9628D0397B36");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod aes;
mod cache;
mod device;
mod error;
mod ksn;
pub mod tdes;

use std::fmt;
use std::str::FromStr;

use crate::primitives::{Algorithm, SymmetricKey};

pub use aes::KeyUsage;
pub use cache::Deriver;
pub use device::{AesDevice, AesTransaction, TdesDevice, TdesTransaction};
pub use error::{Error, Scheme};
pub use ksn::{AesKsn, Ksn, TdesKsn};
pub use tdes::TdesVariant;

/// A key usage of either scheme, parsed from its CLI name.
///
/// # Examples
/// ```
/// use paycrypt::dukpt::{KeyUsage, TdesVariant, Usage};
///
/// assert_eq!("DATA_REQUEST".parse::<Usage>()?, Usage::Tdes(TdesVariant::DataRequest));
/// assert_eq!("mac_both".parse::<Usage>()?, Usage::Aes(KeyUsage::MacBoth));
/// # Ok::<(), paycrypt::dukpt::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum Usage {
    /// A TDES DUKPT variant.
    Tdes(TdesVariant),
    /// An AES DUKPT working key usage.
    Aes(KeyUsage),
}

impl Usage {
    /// Every usage name of both schemes.
    pub const NAMES: &'static str = "PIN, MAC_REQUEST, MAC_RESPONSE, DATA_REQUEST, DATA_RESPONSE (TDES); \
                                     KEY_ENCRYPTION, PIN_ENCRYPTION, MAC_GENERATION, MAC_VERIFICATION, \
                                     MAC_BOTH, DATA_ENCRYPTION, DATA_DECRYPTION, DATA_BOTH, KEY_DERIVATION (AES)";

    /// The CLI name.
    pub const fn name(self) -> &'static str {
        match self {
            Usage::Tdes(v) => v.name(),
            Usage::Aes(u) => u.name(),
        }
    }

    /// The TDES variant.
    ///
    /// # Errors
    /// [`Error::UsageNotSupported`] for an AES usage.
    pub fn tdes(self) -> Result<TdesVariant, Error> {
        match self {
            Usage::Tdes(v) => Ok(v),
            Usage::Aes(u) => Err(Error::UsageNotSupported {
                scheme: Scheme::Tdes,
                usage: u.name(),
                expected: TdesVariant::NAMES,
            }),
        }
    }

    /// The AES key usage.
    ///
    /// # Errors
    /// [`Error::UsageNotSupported`] for a TDES variant.
    pub fn aes(self) -> Result<KeyUsage, Error> {
        match self {
            Usage::Aes(u) => Ok(u),
            Usage::Tdes(v) => Err(Error::UsageNotSupported {
                scheme: Scheme::Aes,
                usage: v.name(),
                expected: KeyUsage::NAMES,
            }),
        }
    }
}

impl FromStr for Usage {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        s.parse()
            .map(Usage::Tdes)
            .or_else(|_| s.parse().map(Usage::Aes))
            .map_err(|_| Error::UnknownUsage { got: s.to_owned(), expected: Self::NAMES })
    }
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The result of [`derive()`]: the terminal's initial key and the usage key.
#[derive(Clone, Debug)]
pub struct Derivation {
    /// The initial key: the IPEK (TDES) or the AES initial key.
    pub initial_key: SymmetricKey,
    /// The key for the usage asked for.
    pub key: SymmetricKey,
}

/// BDK and KSN to initial key and usage key; the KSN's length chooses the scheme. `key_type` defaults to
/// the BDK's algorithm for AES DUKPT and is TDES_2KEY for TDES DUKPT.
///
/// # Errors
/// [`Error::KeyAlgorithm`] when the BDK does not fit the scheme; [`Error::UsageNotSupported`];
/// [`Error::DerivedKeyTooStrong`]; [`Error::DerivedKeyNotSupported`]; [`Error::CounterZero`].
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, SymmetricKey};
/// use paycrypt::dukpt;
///
/// let bdk = SymmetricKey::new(Algorithm::Aes128, &hex::decode("FEDCBA9876543210F1F1F1F1F1F1F1F1")?)?;
/// let out = dukpt::derive(&bdk, &"123456789012345600000001".parse()?, "MAC_GENERATION".parse()?, None)?;
/// assert_eq!(hex::encode_upper(out.key.as_bytes()), "A2DC23DE6FDE0824A2BC321E08E4B8B7");
/// let err = dukpt::derive(&bdk, &"123456789012345600000001".parse()?, "PIN".parse()?, None).unwrap_err();
/// assert_eq!(err.to_string(), "KeyUsage PIN does not exist for AES DUKPT: expected one of \
///     KEY_ENCRYPTION, PIN_ENCRYPTION, MAC_GENERATION, MAC_VERIFICATION, MAC_BOTH, DATA_ENCRYPTION, \
///     DATA_DECRYPTION, DATA_BOTH, KEY_DERIVATION.");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn derive(
    bdk: &SymmetricKey,
    ksn: &Ksn,
    usage: Usage,
    key_type: Option<Algorithm>,
) -> Result<Derivation, Error> {
    let mut deriver = Deriver::new(bdk, 1);
    let key = deriver.derive(ksn, usage, key_type)?;
    Ok(Derivation { initial_key: deriver.initial_key(ksn)?, key })
}

/// A BDK from its bytes, the algorithm chosen by the length the scheme allows: 16 or 24 bytes for TDES
/// DUKPT (TDES_2KEY, TDES_3KEY), 16, 24 or 32 for AES DUKPT (AES_128, AES_192, AES_256).
///
/// # Errors
/// [`Error::BdkLength`] for any other length.
pub fn bdk_from_bytes(scheme: Scheme, bytes: &[u8]) -> Result<SymmetricKey, Error> {
    let (algorithm, expected) = match (scheme, bytes.len()) {
        (Scheme::Tdes, 16) => (Algorithm::Tdes2Key, ""),
        (Scheme::Tdes, 24) => (Algorithm::Tdes3Key, ""),
        (Scheme::Aes, 16) => (Algorithm::Aes128, ""),
        (Scheme::Aes, 24) => (Algorithm::Aes192, ""),
        (Scheme::Aes, 32) => (Algorithm::Aes256, ""),
        (Scheme::Tdes, _) => (Algorithm::Tdes2Key, "32 or 48"),
        (Scheme::Aes, _) => (Algorithm::Aes128, "32, 48 or 64"),
    };
    if !expected.is_empty() {
        return Err(Error::BdkLength { scheme, got: bytes.len() * 2, expected });
    }
    Ok(SymmetricKey::new(algorithm, bytes)?)
}

/// An initial key from its bytes: 16 for TDES DUKPT (TDES_2KEY), 16, 24 or 32 for AES DUKPT.
///
/// # Errors
/// [`Error::InitialKeyLength`] for any other length.
pub fn initial_key_from_bytes(scheme: Scheme, bytes: &[u8]) -> Result<SymmetricKey, Error> {
    let algorithm = match (scheme, bytes.len()) {
        (Scheme::Tdes, 16) => Algorithm::Tdes2Key,
        (Scheme::Aes, 16) => Algorithm::Aes128,
        (Scheme::Aes, 24) => Algorithm::Aes192,
        (Scheme::Aes, 32) => Algorithm::Aes256,
        (Scheme::Tdes, n) => return Err(Error::InitialKeyLength { scheme, got: n * 2, expected: "32" }),
        (Scheme::Aes, n) => {
            return Err(Error::InitialKeyLength { scheme, got: n * 2, expected: "32, 48 or 64" });
        }
    };
    Ok(SymmetricKey::new(algorithm, bytes)?)
}

/// The derived key type for `scheme` and a BDK of algorithm `bdk`: checks `key_type` or picks the default.
///
/// # Errors
/// [`Error::DerivedKeyTooStrong`] for a type stronger than the BDK; [`Error::DerivedKeyNotSupported`] for
/// anything but TDES_2KEY in TDES DUKPT.
pub fn resolve_key_type(
    scheme: Scheme,
    bdk: Algorithm,
    key_type: Option<Algorithm>,
) -> Result<Algorithm, Error> {
    match (scheme, key_type) {
        (Scheme::Tdes, None) => Ok(Algorithm::Tdes2Key),
        (Scheme::Aes, None) => Ok(bdk),
        (Scheme::Tdes, Some(derived)) => {
            aes::check_key_type(bdk, derived)?;
            if derived == Algorithm::Tdes2Key {
                Ok(derived)
            } else {
                Err(Error::DerivedKeyNotSupported { derived })
            }
        }
        (Scheme::Aes, Some(derived)) => aes::check_key_type(bdk, derived).map(|()| derived),
    }
}
