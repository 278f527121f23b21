//! Key serial numbers (KSN): the terminal's identity and its transaction counter.
//!
//! - TDES DUKPT (X9.24-1:2009): 10 bytes; the rightmost 21 bits are the counter, the 59 bits to their
//!   left identify the initial key (the IKSN, with the counter zeroed). A counter has at most 10 one-bits.
//! - AES DUKPT (X9.24-3:2017): 12 bytes, the 8-byte initial key ID (4-byte BDK ID, 4-byte derivation ID)
//!   then the 4-byte counter. A counter has at most 16 one-bits; `0xFFFFFFFF` is reserved.
//!
//! The constructors check these rules, so the derivations behind them never re-check.

use std::fmt;
use std::str::FromStr;

use crate::primitives::dukpt::{Error, Scheme};

/// The 21 counter bits of a TDES KSN.
pub(crate) const TDES_COUNTER_MASK: u32 = 0x1F_FFFF;

/// A TDES DUKPT key serial number: 10 bytes, a 21-bit counter with at most 10 one-bits.
///
/// # Examples
/// ```
/// use paycrypt::dukpt::TdesKsn;
///
/// let ksn: TdesKsn = "FFFF9876543210E00008".parse()?;
/// assert_eq!(ksn.counter(), 8);
/// assert_eq!(ksn.with_counter(0)?.to_string(), "FFFF9876543210E00000");
/// # Ok::<(), paycrypt::dukpt::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub struct TdesKsn([u8; 10]);

impl TdesKsn {
    /// The most one-bits a counter may have.
    pub const MAX_ONE_BITS: u32 = 10;

    /// A KSN from its 10 bytes.
    ///
    /// # Errors
    /// [`Error::CounterBits`] when the counter has more than 10 one-bits.
    pub fn new(bytes: [u8; 10]) -> Result<Self, Error> {
        let ksn = TdesKsn(bytes);
        check_ones(Scheme::Tdes, ksn.counter(), Self::MAX_ONE_BITS)?;
        Ok(ksn)
    }

    /// A KSN from a byte slice.
    ///
    /// # Errors
    /// [`Error::KsnLength`] unless `bytes` is 10 long; [`Error::CounterBits`] as [`TdesKsn::new`].
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        let array = <[u8; 10]>::try_from(bytes)
            .map_err(|_| Error::KsnLength { got: bytes.len() * 2, expected: "20" })?;
        Self::new(array)
    }

    /// The KSN bytes.
    pub const fn as_bytes(&self) -> &[u8; 10] {
        &self.0
    }

    /// The 21-bit transaction counter.
    pub fn counter(&self) -> u32 {
        u32::from_be_bytes([0, self.0[7], self.0[8], self.0[9]]) & TDES_COUNTER_MASK
    }

    /// The same KSN with another counter.
    ///
    /// # Errors
    /// [`Error::CounterBits`] when `counter` has more than 10 one-bits or does not fit in 21 bits.
    pub fn with_counter(&self, counter: u32) -> Result<Self, Error> {
        if counter > TDES_COUNTER_MASK {
            return Err(Error::CounterBits {
                scheme: Scheme::Tdes,
                counter,
                ones: counter.count_ones(),
                max: Self::MAX_ONE_BITS,
            });
        }
        Self::new(self.with_counter_unchecked(counter))
    }

    /// The leftmost 8 bytes of the initial KSN (counter zeroed): what the IPEK is derived from, and
    /// what names the initial key in a cache.
    pub fn initial_key_id(&self) -> [u8; 8] {
        let b = self.with_counter_unchecked(0);
        [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]
    }

    /// The rightmost 8 bytes with the counter zeroed, as a big-endian number: the base of the
    /// derivation register of the non-reversible key generation.
    pub(crate) fn register_base(&self) -> u64 {
        let b = self.with_counter_unchecked(0);
        u64::from_be_bytes([b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9]])
    }

    fn with_counter_unchecked(&self, counter: u32) -> [u8; 10] {
        let mut b = self.0;
        let c = (counter & TDES_COUNTER_MASK).to_be_bytes();
        b[7] = (b[7] & 0xE0) | c[1];
        b[8] = c[2];
        b[9] = c[3];
        b
    }
}

impl FromStr for TdesKsn {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        if s.len() != 20 {
            return Err(Error::KsnLength { got: s.len(), expected: "20" });
        }
        Self::from_slice(&hex::decode(s).map_err(|_| Error::KsnNotHex)?)
    }
}

impl fmt::Display for TdesKsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode_upper(self.0))
    }
}

/// An AES DUKPT key serial number: 8-byte initial key ID, 4-byte counter (at most 16 one-bits, not
/// `0xFFFFFFFF`).
///
/// # Examples
/// ```
/// use paycrypt::dukpt::AesKsn;
///
/// let ksn: AesKsn = "123456789012345600000001".parse()?;
/// assert_eq!(ksn.counter(), 1);
/// assert_eq!(hex::encode_upper(ksn.initial_key_id()), "1234567890123456");
/// # Ok::<(), paycrypt::dukpt::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub struct AesKsn([u8; 12]);

impl AesKsn {
    /// The most one-bits a counter may have.
    pub const MAX_ONE_BITS: u32 = 16;

    /// A KSN from its 12 bytes.
    ///
    /// # Errors
    /// [`Error::CounterReserved`] for counter `0xFFFFFFFF`; [`Error::CounterBits`] for a counter with more
    /// than 16 one-bits.
    pub fn new(bytes: [u8; 12]) -> Result<Self, Error> {
        let ksn = AesKsn(bytes);
        if ksn.counter() == u32::MAX {
            return Err(Error::CounterReserved);
        }
        check_ones(Scheme::Aes, ksn.counter(), Self::MAX_ONE_BITS)?;
        Ok(ksn)
    }

    /// A KSN from the initial key ID and a counter.
    ///
    /// # Errors
    /// As [`AesKsn::new`].
    pub fn from_parts(initial_key_id: [u8; 8], counter: u32) -> Result<Self, Error> {
        let mut b = [0u8; 12];
        b[..8].copy_from_slice(&initial_key_id);
        b[8..].copy_from_slice(&counter.to_be_bytes());
        Self::new(b)
    }

    /// A KSN from a byte slice.
    ///
    /// # Errors
    /// [`Error::KsnLength`] unless `bytes` is 12 long; otherwise as [`AesKsn::new`].
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        let array = <[u8; 12]>::try_from(bytes)
            .map_err(|_| Error::KsnLength { got: bytes.len() * 2, expected: "24" })?;
        Self::new(array)
    }

    /// The KSN bytes.
    pub const fn as_bytes(&self) -> &[u8; 12] {
        &self.0
    }

    /// The 8-byte initial key ID: BDK ID then derivation ID.
    pub fn initial_key_id(&self) -> [u8; 8] {
        let b = &self.0;
        [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]
    }

    /// The 32-bit transaction counter.
    pub fn counter(&self) -> u32 {
        u32::from_be_bytes([self.0[8], self.0[9], self.0[10], self.0[11]])
    }

    /// The same KSN with another counter.
    ///
    /// # Errors
    /// As [`AesKsn::new`].
    pub fn with_counter(&self, counter: u32) -> Result<Self, Error> {
        Self::from_parts(self.initial_key_id(), counter)
    }
}

impl FromStr for AesKsn {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        if s.len() != 24 {
            return Err(Error::KsnLength { got: s.len(), expected: "24" });
        }
        Self::from_slice(&hex::decode(s).map_err(|_| Error::KsnNotHex)?)
    }
}

impl fmt::Display for AesKsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode_upper(self.0))
    }
}

/// A KSN of either scheme; its length says which.
///
/// # Examples
/// ```
/// use paycrypt::dukpt::{Ksn, Scheme};
///
/// assert_eq!("FFFF9876543210E00001".parse::<Ksn>()?.scheme(), Scheme::Tdes);
/// assert_eq!("123456789012345600000001".parse::<Ksn>()?.scheme(), Scheme::Aes);
/// let err = "FFFF9876543210E000".parse::<Ksn>().unwrap_err();
/// assert_eq!(err.to_string(), "KeySerialNumber (18 hex chars) must be 20 or 24 hex characters.");
/// # Ok::<(), paycrypt::dukpt::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum Ksn {
    /// A 10-byte TDES DUKPT KSN.
    Tdes(TdesKsn),
    /// A 12-byte AES DUKPT KSN.
    Aes(AesKsn),
}

impl Ksn {
    /// A KSN from its bytes: 10 for TDES DUKPT, 12 for AES DUKPT.
    ///
    /// # Errors
    /// [`Error::KsnLength`] for any other length; the counter errors of [`TdesKsn::new`] and
    /// [`AesKsn::new`].
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        match bytes.len() {
            10 => TdesKsn::from_slice(bytes).map(Ksn::Tdes),
            12 => AesKsn::from_slice(bytes).map(Ksn::Aes),
            n => Err(Error::KsnLength { got: n * 2, expected: "20 or 24" }),
        }
    }

    /// The scheme the KSN belongs to.
    pub const fn scheme(&self) -> Scheme {
        match self {
            Ksn::Tdes(_) => Scheme::Tdes,
            Ksn::Aes(_) => Scheme::Aes,
        }
    }

    /// The transaction counter.
    pub fn counter(&self) -> u32 {
        match self {
            Ksn::Tdes(k) => k.counter(),
            Ksn::Aes(k) => k.counter(),
        }
    }

    /// The 8 bytes that name the initial key: the initial key ID (AES) or the IKSN's leftmost 8 bytes
    /// (TDES).
    pub fn initial_key_id(&self) -> [u8; 8] {
        match self {
            Ksn::Tdes(k) => k.initial_key_id(),
            Ksn::Aes(k) => k.initial_key_id(),
        }
    }
}

impl FromStr for Ksn {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.len() {
            20 => s.parse().map(Ksn::Tdes),
            24 => s.parse().map(Ksn::Aes),
            n => Err(Error::KsnLength { got: n, expected: "20 or 24" }),
        }
    }
}

impl fmt::Display for Ksn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ksn::Tdes(k) => k.fmt(f),
            Ksn::Aes(k) => k.fmt(f),
        }
    }
}

impl From<TdesKsn> for Ksn {
    fn from(ksn: TdesKsn) -> Self {
        Ksn::Tdes(ksn)
    }
}

impl From<AesKsn> for Ksn {
    fn from(ksn: AesKsn) -> Self {
        Ksn::Aes(ksn)
    }
}

fn check_ones(scheme: Scheme, counter: u32, max: u32) -> Result<(), Error> {
    let ones = counter.count_ones();
    if ones > max {
        return Err(Error::CounterBits { scheme, counter, ones, max });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tdes_counter_round_trips() {
        let ksn: TdesKsn = "FFFF9876543210E00000".parse().unwrap();
        for c in [0, 1, 0x1F, 0x1FF800, 0x100000] {
            assert_eq!(ksn.with_counter(c).unwrap().counter(), c);
        }
        assert_eq!(ksn.with_counter(0x1FF800).unwrap().to_string(), "FFFF9876543210FFF800");
        assert_eq!(ksn.initial_key_id(), [0xFF, 0xFF, 0x98, 0x76, 0x54, 0x32, 0x10, 0xE0]);
    }

    #[test]
    fn counter_rules() {
        let err = "FFFF9876543210E007FF".parse::<TdesKsn>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "KeySerialNumber counter 0x7FF has 11 one-bits; TDES DUKPT allows at most 10."
        );
        assert_eq!("1234567890123456FFFFFFFF".parse::<AesKsn>(), Err(Error::CounterReserved));
        assert!(matches!(
            "12345678901234560001FFFF".parse::<AesKsn>(),
            Err(Error::CounterBits { ones: 17, max: 16, .. })
        ));
        assert!(TdesKsn::from_slice(&[0; 10]).unwrap().with_counter(0x20_0000).is_err());
    }

    #[test]
    fn lengths_and_hex() {
        assert_eq!("12".parse::<Ksn>(), Err(Error::KsnLength { got: 2, expected: "20 or 24" }));
        assert_eq!("FFFF9876543210E0000G".parse::<Ksn>(), Err(Error::KsnNotHex));
        assert!(Ksn::from_slice(&[0; 11]).is_err());
        assert_eq!(Ksn::from_slice(&[0; 12]).unwrap().scheme(), Scheme::Aes);
    }
}
