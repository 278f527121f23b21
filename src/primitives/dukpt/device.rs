//! The terminal's side of DUKPT: a register per counter bit, as X9.24-1 (future key registers, 21 of them)
//! and X9.24-3 (intermediate derivation key registers, 32) describe.
//!
//! The state is the counter of the next transaction and, for every bit position `i` above that counter's
//! lowest one-bit `p` whose bit is zero, the key of the counter made of the bits above `i` plus bit `i`;
//! register `p` holds the key of the counter itself. A transaction takes register `p` (erasing it); if the
//! counter has fewer one-bits than the scheme allows it fills registers `p-1..0` from that key and the
//! next counter is `counter + 1`, else it is `counter + 2^p` (skipping the counters with too many
//! one-bits). The carry lands on a register that already holds the right key. When the next counter no
//! longer fits the counter field, the device is exhausted.
//!
//! Every key the device uses equals the host side's key for the same KSN; the tests check this for random
//! keys and counters.

use std::fmt;

use zeroize::Zeroizing;

use crate::primitives::dukpt::aes::{self as aes_dukpt, KeyBytes, KeyUsage};
use crate::primitives::dukpt::tdes::{self as tdes_dukpt, TdesVariant};
use crate::primitives::dukpt::{AesKsn, Error, Scheme, TdesKsn};
use crate::primitives::{Algorithm, SymmetricKey};

/// A TDES DUKPT terminal: IPEK and KSN loaded, 21 future key registers.
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, SymmetricKey};
/// use paycrypt::dukpt::TdesDevice;
///
/// let ipek = SymmetricKey::new(Algorithm::Tdes2Key, &hex::decode("6AC292FAA1315B4D858AB3A3D7D5933A")?)?;
/// let mut device = TdesDevice::load(&ipek, &"FFFF9876543210E00000".parse()?)?;
/// let first = device.next_transaction()?;
/// assert_eq!(first.ksn().to_string(), "FFFF9876543210E00001");
/// assert_eq!(hex::encode_upper(first.transaction_key()?.as_bytes()), "042666B49184CFA368DE9628D0397BC9");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TdesDevice {
    ksn: TdesKsn,
    registers: Registers<TdesChain>,
}

impl TdesDevice {
    /// Loads an IPEK and the initial KSN; the counter starts at 0 (the KSN's counter bits are ignored)
    /// and the first transaction is counter 1.
    ///
    /// # Errors
    /// [`Error::KeyAlgorithm`] unless `ipek` is TDES_2KEY.
    pub fn load(ipek: &SymmetricKey, ksn: &TdesKsn) -> Result<Self, Error> {
        let chain =
            TdesChain { ipek: tdes_dukpt::key_halves(ipek, "InitialKey")?, base: ksn.register_base() };
        Ok(TdesDevice { ksn: ksn.with_counter(0)?, registers: Registers::load(chain)? })
    }

    /// The state a device loaded with `ipek` has when its next transaction is `ksn`: a simulator's
    /// shortcut to a terminal deep into its life. Counter 0 is [`TdesDevice::load`].
    ///
    /// # Errors
    /// [`Error::KeyAlgorithm`] unless `ipek` is TDES_2KEY.
    pub fn resume_at(ipek: &SymmetricKey, ksn: &TdesKsn) -> Result<Self, Error> {
        let chain =
            TdesChain { ipek: tdes_dukpt::key_halves(ipek, "InitialKey")?, base: ksn.register_base() };
        let registers = match ksn.counter() {
            0 => Registers::load(chain)?,
            c => Registers::resume(chain, c)?,
        };
        Ok(TdesDevice { ksn: ksn.with_counter(0)?, registers })
    }

    /// The KSN of the next transaction, or `None` once the device is exhausted.
    pub fn next_ksn(&self) -> Option<TdesKsn> {
        self.registers.next_counter().and_then(|c| self.ksn.with_counter(c).ok())
    }

    /// Runs one transaction: returns its KSN and key, and moves to the next counter.
    ///
    /// # Errors
    /// [`Error::Exhausted`] after the last counter (`...FFF800` with 10 one-bits at the top).
    pub fn next_transaction(&mut self) -> Result<TdesTransaction, Error> {
        let (counter, key) = self.registers.next()?;
        Ok(TdesTransaction { ksn: self.ksn.with_counter(counter)?, key })
    }
}

impl fmt::Debug for TdesDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TdesDevice").field("next_ksn", &self.next_ksn()).field("registers", &"...").finish()
    }
}

/// One TDES DUKPT transaction of a device: its KSN and transaction key.
pub struct TdesTransaction {
    ksn: TdesKsn,
    key: Zeroizing<[u64; 2]>,
}

impl TdesTransaction {
    /// The transaction's KSN.
    pub fn ksn(&self) -> TdesKsn {
        self.ksn
    }

    /// The transaction key, before any variant.
    ///
    /// # Errors
    /// [`Error::Key`] only as a bug guard.
    pub fn transaction_key(&self) -> Result<SymmetricKey, Error> {
        tdes_dukpt::to_key(&self.key)
    }

    /// The key of `variant`.
    ///
    /// # Errors
    /// [`Error::Key`] only as a bug guard.
    pub fn key(&self, variant: TdesVariant) -> Result<SymmetricKey, Error> {
        tdes_dukpt::to_key(&tdes_dukpt::apply_variant(&self.key, variant))
    }
}

impl fmt::Debug for TdesTransaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TdesTransaction").field("ksn", &self.ksn).field("key", &"...").finish()
    }
}

/// An AES DUKPT terminal: initial key and initial key ID loaded, 32 intermediate derivation key
/// registers.
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, SymmetricKey};
/// use paycrypt::dukpt::{AesDevice, KeyUsage};
///
/// let ik = SymmetricKey::new(Algorithm::Aes128, &hex::decode("1273671EA26AC29AFA4D1084127652A1")?)?;
/// let mut device = AesDevice::load(&ik, &"123456789012345600000000".parse()?)?;
/// let first = device.next_transaction()?;
/// assert_eq!(first.ksn().to_string(), "123456789012345600000001");
/// let key = first.working_key(KeyUsage::DataEncryption, Algorithm::Aes128)?;
/// assert_eq!(hex::encode_upper(key.as_bytes()), "A35C412EFD41FDB98B69797C02DCD08F");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct AesDevice {
    ksn: AesKsn,
    registers: Registers<AesChain>,
}

impl AesDevice {
    /// Loads an initial key and the KSN carrying its initial key ID; the counter starts at 0 (the KSN's
    /// counter is ignored) and the first transaction is counter 1.
    ///
    /// # Errors
    /// [`Error::KeyAlgorithm`] unless `initial_key` is AES.
    pub fn load(initial_key: &SymmetricKey, ksn: &AesKsn) -> Result<Self, Error> {
        let chain = AesChain::new(initial_key, ksn)?;
        Ok(AesDevice { ksn: ksn.with_counter(0)?, registers: Registers::load(chain)? })
    }

    /// The state a device loaded with `initial_key` has when its next transaction is `ksn`. Counter 0 is
    /// [`AesDevice::load`].
    ///
    /// # Errors
    /// [`Error::KeyAlgorithm`] unless `initial_key` is AES.
    pub fn resume_at(initial_key: &SymmetricKey, ksn: &AesKsn) -> Result<Self, Error> {
        let chain = AesChain::new(initial_key, ksn)?;
        let registers = match ksn.counter() {
            0 => Registers::load(chain)?,
            c => Registers::resume(chain, c)?,
        };
        Ok(AesDevice { ksn: ksn.with_counter(0)?, registers })
    }

    /// The KSN of the next transaction, or `None` once the device is exhausted.
    pub fn next_ksn(&self) -> Option<AesKsn> {
        self.registers.next_counter().and_then(|c| self.ksn.with_counter(c).ok())
    }

    /// Runs one transaction: returns its KSN and intermediate key, and moves to the next counter.
    ///
    /// # Errors
    /// [`Error::Exhausted`] after the last counter (`FFFF0000`).
    pub fn next_transaction(&mut self) -> Result<AesTransaction, Error> {
        let (counter, key) = self.registers.next()?;
        Ok(AesTransaction { ksn: self.ksn.with_counter(counter)?, key })
    }
}

impl fmt::Debug for AesDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AesDevice").field("next_ksn", &self.next_ksn()).field("registers", &"...").finish()
    }
}

/// One AES DUKPT transaction of a device: its KSN and intermediate derivation key.
pub struct AesTransaction {
    ksn: AesKsn,
    key: KeyBytes,
}

impl AesTransaction {
    /// The transaction's KSN.
    pub fn ksn(&self) -> AesKsn {
        self.ksn
    }

    /// The intermediate derivation key of the transaction (the supplement's "transaction key").
    ///
    /// # Errors
    /// [`Error::Key`] only as a bug guard.
    pub fn intermediate_key(&self) -> Result<SymmetricKey, Error> {
        self.key.to_key()
    }

    /// The working key for `usage` and `key_type`.
    ///
    /// # Errors
    /// [`Error::DerivedKeyTooStrong`] when `key_type` is stronger than the initial key.
    pub fn working_key(&self, usage: KeyUsage, key_type: Algorithm) -> Result<SymmetricKey, Error> {
        self.key.working_key(&self.ksn, usage, key_type)
    }
}

impl fmt::Debug for AesTransaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AesTransaction").field("ksn", &self.ksn).field("key", &"...").finish()
    }
}

/// One scheme's key chain: how a register key is derived from its parent.
trait Chain {
    /// A register's key; zeroized on drop.
    type Key;
    /// The scheme, for errors.
    const SCHEME: Scheme;
    /// Counter bits.
    const BITS: u32;
    /// The most one-bits a counter may have.
    const MAX_ONES: u32;
    /// The key of `counter` from its parent (the key of `counter` without its lowest one-bit); `None`
    /// for the initial key as parent.
    fn step(&self, parent: Option<&Self::Key>, counter: u32) -> Result<Self::Key, Error>;
}

struct TdesChain {
    ipek: Zeroizing<[u64; 2]>,
    base: u64,
}

impl Chain for TdesChain {
    type Key = Zeroizing<[u64; 2]>;
    const SCHEME: Scheme = Scheme::Tdes;
    const BITS: u32 = 21;
    const MAX_ONES: u32 = TdesKsn::MAX_ONE_BITS;

    fn step(&self, parent: Option<&Self::Key>, counter: u32) -> Result<Self::Key, Error> {
        let parent = parent.unwrap_or(&self.ipek);
        Ok(Zeroizing::new(tdes_dukpt::nrkgp(parent, self.base | u64::from(counter))))
    }
}

struct AesChain {
    initial: KeyBytes,
    id: [u8; 4],
}

impl AesChain {
    fn new(initial_key: &SymmetricKey, ksn: &AesKsn) -> Result<Self, Error> {
        Ok(AesChain { initial: KeyBytes::of(initial_key, "InitialKey")?, id: aes_dukpt::derivation_id(ksn) })
    }
}

impl Chain for AesChain {
    type Key = KeyBytes;
    const SCHEME: Scheme = Scheme::Aes;
    const BITS: u32 = 32;
    const MAX_ONES: u32 = AesKsn::MAX_ONE_BITS;

    fn step(&self, parent: Option<&Self::Key>, counter: u32) -> Result<Self::Key, Error> {
        parent.unwrap_or(&self.initial).child_intermediate(self.id, counter)
    }
}

/// The registers and the next counter (`1 << BITS` or more once exhausted).
struct Registers<C: Chain> {
    chain: C,
    keys: Vec<Option<C::Key>>,
    next: u64,
}

impl<C: Chain> Registers<C> {
    /// After loading the initial key: register `i` holds the key of counter `2^i`; next is 1.
    fn load(chain: C) -> Result<Self, Error> {
        let keys = (0..C::BITS).map(|i| chain.step(None, 1 << i).map(Some)).collect::<Result<_, _>>()?;
        Ok(Registers { chain, keys, next: 1 })
    }

    /// The state whose next counter is `counter` (non-zero, valid), built from host-side walks.
    fn resume(chain: C, counter: u32) -> Result<Self, Error> {
        let low = counter.trailing_zeros();
        let mut keys = Vec::with_capacity(C::BITS as usize);
        for i in 0..C::BITS {
            let above = (u64::from(counter) >> (i + 1)) << (i + 1);
            let target = above | (1u64 << i);
            let wanted = i == low || (i > low && counter & (1 << i) == 0);
            let key = match (wanted, u32::try_from(target)) {
                (true, Ok(target)) => Some(walk(&chain, target)?),
                _ => None,
            };
            keys.push(key);
        }
        Ok(Registers { chain, keys, next: u64::from(counter) })
    }

    /// The next counter, if the device is not exhausted.
    fn next_counter(&self) -> Option<u32> {
        u32::try_from(self.next).ok().filter(|c| u64::from(*c) < (1u64 << C::BITS))
    }

    /// One transaction: the counter used and its key.
    fn next(&mut self) -> Result<(u32, C::Key), Error> {
        let exhausted = Error::Exhausted { scheme: C::SCHEME };
        let counter = self.next_counter().ok_or(exhausted.clone())?;
        let low = counter.trailing_zeros();
        let key = self.keys.get_mut(low as usize).and_then(Option::take).ok_or(exhausted)?;
        if counter.count_ones() < C::MAX_ONES {
            for i in (0..low).rev() {
                let child = self.chain.step(Some(&key), counter | (1 << i))?;
                if let Some(slot) = self.keys.get_mut(i as usize) {
                    *slot = Some(child);
                }
            }
            self.next = u64::from(counter) + 1;
        } else {
            self.next = u64::from(counter) + (1u64 << low);
        }
        Ok((counter, key))
    }
}

/// The host-side walk from the initial key to `counter`'s key (non-zero `counter`).
fn walk<C: Chain>(chain: &C, counter: u32) -> Result<C::Key, Error> {
    let mut rest = counter;
    let mut prefix = 0u32;
    let mut key: Option<C::Key> = None;
    while rest != 0 {
        let bit = 1u32 << (31 - rest.leading_zeros());
        rest ^= bit;
        prefix |= bit;
        key = Some(chain.step(key.as_ref(), prefix)?);
    }
    key.ok_or(Error::CounterZero { scheme: C::SCHEME })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tdes_device_exhausts_after_last_counter() {
        let ipek = SymmetricKey::new(Algorithm::Tdes2Key, &[7; 16]).unwrap();
        let ksn: TdesKsn = "FFFF9876543210FFF800".parse().unwrap();
        let mut device = TdesDevice::resume_at(&ipek, &ksn).unwrap();
        let last = device.next_transaction().unwrap();
        assert_eq!(last.ksn(), ksn);
        assert_eq!(device.next_ksn(), None);
        assert_eq!(device.next_transaction().unwrap_err(), Error::Exhausted { scheme: Scheme::Tdes });
    }

    #[test]
    fn aes_device_exhausts_after_ffff0000() {
        let ik = SymmetricKey::new(Algorithm::Aes128, &[7; 16]).unwrap();
        let ksn: AesKsn = "1234567890123456FFFE8000".parse().unwrap();
        let mut device = AesDevice::resume_at(&ik, &ksn).unwrap();
        assert_eq!(device.next_transaction().unwrap().ksn(), ksn);
        assert_eq!(device.next_transaction().unwrap().ksn().counter(), 0xFFFF_0000);
        assert!(matches!(device.next_transaction(), Err(Error::Exhausted { scheme: Scheme::Aes })));
    }
}
