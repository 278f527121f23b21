//! Errors of DUKPT derivation: which value was wrong, and what the scheme expects.

use std::fmt;

use thiserror::Error;

use crate::primitives::Algorithm;

/// The two DUKPT schemes, told apart by the length of the key serial number.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum Scheme {
    /// TDES DUKPT (ANSI X9.24-1:2009, X9.24-3:2017 Annex C): 10-byte KSN, 21-bit counter.
    Tdes,
    /// AES DUKPT (ANSI X9.24-3:2017): 12-byte KSN, 32-bit counter.
    Aes,
}

impl Scheme {
    /// `TDES DUKPT` or `AES DUKPT`.
    pub const fn name(self) -> &'static str {
        match self {
            Scheme::Tdes => "TDES DUKPT",
            Scheme::Aes => "AES DUKPT",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Bad input to a DUKPT derivation, or a device that has run out of keys.
///
/// Lengths are counted in hex characters, as a user types them.
#[derive(Clone, Debug, Eq, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// A key serial number had a length that is neither scheme's.
    #[error("KeySerialNumber ({got} hex chars) must be {expected} hex characters.")]
    KsnLength {
        /// The length given, in hex characters.
        got: usize,
        /// The lengths accepted, e.g. `20 or 24`.
        expected: &'static str,
    },
    /// A key serial number was not hex.
    #[error("KeySerialNumber is not valid hex.")]
    KsnNotHex,
    /// The transaction counter of a key serial number had more one-bits than the scheme allows.
    #[error("KeySerialNumber counter {counter:#X} has {ones} one-bits; {scheme} allows at most {max}.")]
    CounterBits {
        /// The scheme.
        scheme: Scheme,
        /// The counter.
        counter: u32,
        /// Its number of one-bits.
        ones: u32,
        /// The most the scheme allows.
        max: u32,
    },
    /// A transaction key was asked for counter 0, which names the initial key, not a transaction.
    #[error("KeySerialNumber counter is 0, which no transaction uses; the first {scheme} transaction is 1.")]
    CounterZero {
        /// The scheme.
        scheme: Scheme,
    },
    /// An AES DUKPT counter of `0xFFFFFFFF`, which X9.24-3 reserves.
    #[error("KeySerialNumber counter 0xFFFFFFFF is reserved in AES DUKPT.")]
    CounterReserved,
    /// A base derivation key had a length the scheme does not use.
    #[error("BaseDerivationKey ({got} hex chars) must be {expected} hex characters for {scheme}.")]
    BdkLength {
        /// The scheme.
        scheme: Scheme,
        /// The length given, in hex characters.
        got: usize,
        /// The lengths accepted, e.g. `32 or 48`.
        expected: &'static str,
    },
    /// A key of an algorithm the scheme does not use there (an AES BDK for TDES DUKPT).
    #[error("{key} algorithm {algorithm} does not fit {scheme}: expected {expected}.")]
    KeyAlgorithm {
        /// Which key: `BaseDerivationKey`, `InitialKey` or `TransactionKey`.
        key: &'static str,
        /// The scheme.
        scheme: Scheme,
        /// The key's algorithm.
        algorithm: Algorithm,
        /// The algorithms accepted.
        expected: &'static str,
    },
    /// An initial key (IPEK) of a length the scheme does not use.
    #[error("InitialKey ({got} hex chars) must be {expected} hex characters for {scheme}.")]
    InitialKeyLength {
        /// The scheme.
        scheme: Scheme,
        /// The length given, in hex characters.
        got: usize,
        /// The lengths accepted.
        expected: &'static str,
    },
    /// A derived key type stronger than the base derivation key, which X9.24-3 forbids.
    #[error("DerivedKeyAlgorithm {derived} is stronger than the {bdk} BaseDerivationKey.")]
    DerivedKeyTooStrong {
        /// The derived key type asked for.
        derived: Algorithm,
        /// The BDK's algorithm.
        bdk: Algorithm,
    },
    /// A derived key type other than `TDES_2KEY` for TDES DUKPT, whose keys are all double-length.
    #[error("DerivedKeyAlgorithm {derived} is not defined for TDES DUKPT: its keys are TDES_2KEY.")]
    DerivedKeyNotSupported {
        /// The derived key type asked for.
        derived: Algorithm,
    },
    /// A key usage that exists, but not in this scheme.
    #[error("KeyUsage {usage} does not exist for {scheme}: expected one of {expected}.")]
    UsageNotSupported {
        /// The scheme.
        scheme: Scheme,
        /// The usage asked for.
        usage: &'static str,
        /// The usages of the scheme.
        expected: &'static str,
    },
    /// A key usage name that paycrypt does not know.
    #[error("Unknown KeyUsage '{got}': expected one of {expected}.")]
    UnknownUsage {
        /// The name given.
        got: String,
        /// Every name accepted.
        expected: &'static str,
    },
    /// A device has used its last transaction counter and derives no more keys.
    #[error("The {scheme} device is exhausted: its transaction counter has no valid value left.")]
    Exhausted {
        /// The scheme.
        scheme: Scheme,
    },
    /// A key could not be built from derived bytes; a bug guard, as derived lengths always fit.
    #[error(transparent)]
    Key(#[from] crate::primitives::CipherError),
}
