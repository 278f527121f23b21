//! `dukpt`: deriving a working key from a BDK and a KSN, for AES-128 (X9.24-3, a DATA_ENCRYPTION AES-128
//! key) and TDES (X9.24-1, the DATA_REQUEST key from a TDES_2KEY BDK): one-shot, through the
//! [`Deriver`]'s cache, over a terminal's consecutive KSNs, and as a batch.

use std::hint::black_box;

use crate::dukpt::{self, AesKsn, Deriver, KeyUsage, Ksn, TdesKsn, TdesVariant, Usage};
use crate::perf::workload::{Workload, WorkloadError};
use crate::{Algorithm, SymmetricKey};

/// A counter with 10 one-bits, spread out: bits 0, 2, 4, ..., 18.
pub const TEN_BITS: u32 = 0x5_5555;
/// Another, sharing no walk step with [`TEN_BITS`]: bits 1, 3, ..., 19.
pub const OTHER_TEN_BITS: u32 = 0xA_AAAA;
/// The AES DUKPT initial key ID of the terminal.
pub const AES_ID: [u8; 8] = [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56];
/// The AES BDK.
pub const AES_BDK: [u8; 16] = [0x42; 16];
/// The X9.24-1 Annex A BDK (also `benches/peers/dukpt_npm.js`'s).
pub const TDES_BDK: [u8; 16] =
    [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10];
/// The TDES KSN with a zero counter (X9.24-1 Annex A's).
pub const TDES_KSN: &str = "FFFF9876543210E00000";
/// KSNs in a batch, and in a run of consecutive KSNs.
pub const BATCH: u32 = 1000;

/// How a derivation is done.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Derivation {
    /// The one-shot function, from the BDK each time (the initial key included).
    OneShot,
    /// The [`Deriver`] with the initial key cached, alternating two 10-one-bit counters that share no
    /// walk step (so every step after the initial key runs).
    Cached,
    /// The [`Deriver`] over a terminal's consecutive KSNs 1..=1000, as a host sees them; one call is
    /// 1,000 derivations.
    NextKsn,
    /// [`Deriver::derive_batch`] over the same 1,000 KSNs; one call is 1,000 derivations.
    Batch,
}

impl Derivation {
    /// Every way, in this order.
    pub const ALL: [Derivation; 4] =
        [Derivation::OneShot, Derivation::Cached, Derivation::NextKsn, Derivation::Batch];

    const fn name(self) -> &'static str {
        match self {
            Derivation::OneShot => "one-shot",
            Derivation::Cached => "cached",
            Derivation::NextKsn => "next KSN",
            Derivation::Batch => "batch of 1000",
        }
    }

    const fn per_call(self) -> u64 {
        match self {
            Derivation::OneShot | Derivation::Cached => 1,
            Derivation::NextKsn | Derivation::Batch => BATCH as u64,
        }
    }
}

/// The terminal's KSNs: the 10-one-bit pair and the consecutive 1..=1000.
struct Ksns {
    pair: [Ksn; 2],
    run: Vec<Ksn>,
}

/// AES-128 DUKPT: the DATA_ENCRYPTION AES-128 key under [`AES_BDK`], the way `derivation` says.
pub fn aes(derivation: Derivation) -> Workload {
    let name = format!("AES-128 DUKPT derive ({})", derivation.name());
    Workload::new("dukpt", name, None, move || {
        let bdk = SymmetricKey::new(Algorithm::Aes128, &AES_BDK).map_err(WorkloadError::because("BDK"))?;
        let ksn = AesKsn::from_parts(AES_ID, TEN_BITS).map_err(WorkloadError::because("KSN"))?;
        let ksns = ksns(|c| ksn.with_counter(c).map(Ksn::Aes))?;
        Ok(derive(bdk, derivation, ksns, Usage::Aes(KeyUsage::DataEncryption), move |bdk| {
            dukpt::aes::derive_key(bdk, black_box(&ksn), KeyUsage::DataEncryption, None).map(drop)
        }))
    })
    .per_call(derivation.per_call())
}

/// TDES DUKPT: the DATA_REQUEST key under [`TDES_BDK`], the way `derivation` says.
pub fn tdes(derivation: Derivation) -> Workload {
    let name = format!("TDES DUKPT derive ({})", derivation.name());
    Workload::new("dukpt", name, None, move || {
        let bdk = SymmetricKey::new(Algorithm::Tdes2Key, &TDES_BDK).map_err(WorkloadError::because("BDK"))?;
        let ksn = TDES_KSN
            .parse::<TdesKsn>()
            .and_then(|k| k.with_counter(TEN_BITS))
            .map_err(WorkloadError::because("KSN"))?;
        let ksns = ksns(|c| ksn.with_counter(c).map(Ksn::Tdes))?;
        Ok(derive(bdk, derivation, ksns, Usage::Tdes(TdesVariant::DataRequest), move |bdk| {
            dukpt::tdes::derive_key(bdk, black_box(&ksn), TdesVariant::DataRequest).map(drop)
        }))
    })
    .per_call(derivation.per_call())
}

/// Every DUKPT workload: AES-128, then TDES, each every way.
pub fn all() -> Vec<Workload> {
    let mut out: Vec<Workload> = Derivation::ALL.into_iter().map(aes).collect();
    out.extend(Derivation::ALL.into_iter().map(tdes));
    out
}

/// The pair and the run, from a KSN with a given counter.
fn ksns(with_counter: impl Fn(u32) -> Result<Ksn, dukpt::Error>) -> Result<Ksns, WorkloadError> {
    let why = WorkloadError::because("KSN");
    let pair = [with_counter(TEN_BITS).map_err(&why)?, with_counter(OTHER_TEN_BITS).map_err(&why)?];
    let run = (1..=BATCH).map(&with_counter).collect::<Result<_, _>>().map_err(&why)?;
    Ok(Ksns { pair, run })
}

/// The op for `derivation`: `one_shot` for [`Derivation::OneShot`], a [`Deriver`] otherwise.
fn derive(
    bdk: SymmetricKey,
    derivation: Derivation,
    ksns: Ksns,
    usage: Usage,
    one_shot: impl Fn(&SymmetricKey) -> Result<(), dukpt::Error> + 'static,
) -> super::Op {
    let failed = WorkloadError::because("derive");
    let mut deriver = Deriver::new(&bdk, 1024);
    let mut i = 0;
    match derivation {
        Derivation::OneShot => Box::new(move || one_shot(&bdk).map_err(&failed)),
        Derivation::Cached => Box::new(move || {
            i ^= 1;
            deriver.derive(black_box(&ksns.pair[i]), usage, None).map(drop).map_err(&failed)
        }),
        Derivation::NextKsn => Box::new(move || {
            for ksn in &ksns.run {
                deriver.derive(black_box(ksn), usage, None).map_err(&failed)?;
            }
            Ok(())
        }),
        Derivation::Batch => Box::new(move || {
            let keys = deriver.derive_batch(black_box(&ksns.run), usage, None);
            match keys.into_iter().find_map(Result::err) {
                Some(e) => Err(failed(e)),
                None => Ok(()),
            }
        }),
    }
}
