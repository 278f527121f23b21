//! DUKPT properties: host and device agree for random BDKs and KSN sequences; the batch and cached paths
//! agree with the one-shot functions; every derived key's KCV equals the KCV computed from the raw block
//! cipher crates; KSNs round-trip through their text form.
#![allow(clippy::unwrap_used)] // a test: a panic with the value is the report

use aes::{Aes128, Aes192, Aes256};
use cipher::{BlockCipherEncrypt, KeyInit};
use cmac::{Cmac, Mac};
use des::TdesEde2;
use des::TdesEde3;
use proptest::prelude::*;

use paycrypt::dukpt::{
    self, AesDevice, AesKsn, Deriver, KeyUsage, Ksn, TdesDevice, TdesKsn, TdesVariant, Usage,
};
use paycrypt::kcv::{KcvAlgorithm, kcv};
use paycrypt::{Algorithm, SymmetricKey};

/// A counter with at most `max_ones` one-bits among the low `bits`, not zero.
fn counter(bits: u32, max_ones: u32) -> impl Strategy<Value = u32> {
    let mask = if bits == 32 { u32::MAX } else { (1u32 << bits) - 1 };
    any::<u32>().prop_map(move |mut c| {
        c &= mask;
        while c.count_ones() > max_ones {
            c &= c - 1;
        }
        if c == 0 { 1 } else { c }
    })
}

/// The X9.24-3 derivation straight from the `aes` crate, as the standard reads (§6.3): the key of type
/// `key_type` derived under `parent` (of `parent_type`) from usage and the 8 data bytes.
fn reference_derive(
    parent_type: Algorithm,
    parent: &[u8],
    usage: u16,
    key_type: Algorithm,
    data: [u8; 8],
) -> Vec<u8> {
    fn blocks<C: KeyInit + BlockCipherEncrypt>(key: &[u8], inputs: &[[u8; 16]]) -> Vec<u8> {
        let cipher = C::new_from_slice(key).unwrap();
        let mut out = Vec::new();
        for input in inputs {
            let mut b = cipher::Block::<C>::try_from(&input[..]).unwrap();
            cipher.encrypt_block(&mut b);
            out.extend_from_slice(&b);
        }
        out
    }
    let (kind, bits): (u16, u16) = match key_type {
        Algorithm::Tdes2Key => (0, 128),
        Algorithm::Tdes3Key => (1, 192),
        Algorithm::Aes128 => (2, 128),
        Algorithm::Aes192 => (3, 192),
        Algorithm::Aes256 => (4, 256),
    };
    let inputs: Vec<[u8; 16]> = (1..=key_type.key_len().div_ceil(16))
        .map(|counter| {
            let mut d = [0u8; 16];
            d[0] = 1;
            d[1] = u8::try_from(counter).unwrap();
            d[2..4].copy_from_slice(&usage.to_be_bytes());
            d[4..6].copy_from_slice(&kind.to_be_bytes());
            d[6..8].copy_from_slice(&bits.to_be_bytes());
            d[8..].copy_from_slice(&data);
            d
        })
        .collect();
    let mut out = match parent_type {
        Algorithm::Aes128 => blocks::<Aes128>(parent, &inputs),
        Algorithm::Aes192 => blocks::<Aes192>(parent, &inputs),
        Algorithm::Aes256 => blocks::<Aes256>(parent, &inputs),
        _ => unreachable!("an AES parent"),
    };
    out.truncate(key_type.key_len());
    out
}

/// BDK to working key by [`reference_derive`]: initial key, one intermediate key per counter one-bit from
/// the most significant, working key.
fn reference_key(
    bdk: &SymmetricKey,
    id: [u8; 8],
    counter: u32,
    usage: KeyUsage,
    key_type: Algorithm,
) -> Vec<u8> {
    let t = bdk.algorithm();
    let mut key = reference_derive(t, bdk.as_bytes(), 0x8001, t, id);
    let mut prefix = 0u32;
    for bit in (0..32).rev().map(|i| 1u32 << i).filter(|b| counter & b != 0) {
        prefix |= bit;
        let mut data = [0u8; 8];
        data[..4].copy_from_slice(&id[4..]);
        data[4..].copy_from_slice(&prefix.to_be_bytes());
        key = reference_derive(t, &key, 0x8000, t, data);
    }
    let mut data = [0u8; 8];
    data[..4].copy_from_slice(&id[4..]);
    data[4..].copy_from_slice(&counter.to_be_bytes());
    reference_derive(t, &key, usage.value(), key_type, data)
}

fn aes_algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![Just(Algorithm::Aes128), Just(Algorithm::Aes192), Just(Algorithm::Aes256)]
}

fn key_of(algorithm: Algorithm, seed: &[u8]) -> SymmetricKey {
    SymmetricKey::new(algorithm, &seed[..algorithm.key_len()]).unwrap()
}

/// The KCV computed straight from the RustCrypto block ciphers and `cmac`, not through paycrypt.
fn raw_kcv(key: &SymmetricKey) -> [u8; 3] {
    fn cmac_kcv<M: Mac + KeyInit>(k: &[u8], zeros: &[u8]) -> [u8; 3] {
        let mut mac = <M as KeyInit>::new_from_slice(k).unwrap();
        mac.update(zeros);
        let tag = mac.finalize().into_bytes();
        [tag[0], tag[1], tag[2]]
    }
    let k = key.as_bytes();
    match key.algorithm() {
        Algorithm::Tdes2Key => {
            let mut block = [0u8; 8].into();
            TdesEde2::new_from_slice(k).unwrap().encrypt_block(&mut block);
            [block[0], block[1], block[2]]
        }
        Algorithm::Tdes3Key => {
            let mut block = [0u8; 8].into();
            TdesEde3::new_from_slice(k).unwrap().encrypt_block(&mut block);
            [block[0], block[1], block[2]]
        }
        Algorithm::Aes128 => cmac_kcv::<Cmac<Aes128>>(k, &[0; 16]),
        Algorithm::Aes192 => cmac_kcv::<Cmac<Aes192>>(k, &[0; 16]),
        Algorithm::Aes256 => cmac_kcv::<Cmac<Aes256>>(k, &[0; 16]),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tdes_host_and_device_agree(
        seed in prop::array::uniform32(any::<u8>()),
        three_key in any::<bool>(),
        mut ksn in prop::array::uniform10(any::<u8>()),
        start in counter(21, 10),
        steps in 1usize..40,
    ) {
        let bdk = key_of(if three_key { Algorithm::Tdes3Key } else { Algorithm::Tdes2Key }, &seed);
        ksn[7] &= 0xE0;
        ksn[8] = 0;
        ksn[9] = 0;
        let iksn = TdesKsn::new(ksn).unwrap().with_counter(0).unwrap();
        let ipek = dukpt::tdes::derive_ipek(&bdk, &iksn).unwrap();
        let start_ksn = iksn.with_counter(start).unwrap();
        let mut device = TdesDevice::resume_at(&ipek, &start_ksn).unwrap();
        prop_assert_eq!(device.next_ksn(), Some(start_ksn));
        let mut fresh = TdesDevice::load(&ipek, &iksn).unwrap();
        for _ in 0..steps {
            let Ok(txn) = device.next_transaction() else { break };
            prop_assert!(txn.ksn().counter().count_ones() <= 10);
            for v in TdesVariant::ALL {
                let host = dukpt::tdes::derive_key(&bdk, &txn.ksn(), v).unwrap();
                let dev = txn.key(v).unwrap();
                prop_assert_eq!(host.as_bytes(), dev.as_bytes());
                prop_assert_eq!(kcv(&host, KcvAlgorithm::AnsiX924), raw_kcv(&host));
            }
            let first = fresh.next_transaction().unwrap();
            let host = dukpt::tdes::derive_transaction_key(&ipek, &first.ksn()).unwrap();
            let dev = first.transaction_key().unwrap();
            prop_assert_eq!(host.as_bytes(), dev.as_bytes());
        }
    }

    #[test]
    fn aes_host_and_device_agree(
        seed in prop::array::uniform32(any::<u8>()),
        algorithm in aes_algorithm(),
        id in prop::array::uniform8(any::<u8>()),
        start in counter(32, 16),
        steps in 1usize..24,
        usage in prop::sample::select(KeyUsage::ALL.to_vec()),
        key_type in prop::sample::select(Algorithm::ALL.to_vec()),
    ) {
        let bdk = key_of(algorithm, &seed);
        let key_type = if dukpt::aes::check_key_type(algorithm, key_type).is_ok() { key_type } else { algorithm };
        let ik = dukpt::aes::derive_initial_key(&bdk, &id).unwrap();
        let mut device = AesDevice::resume_at(&ik, &AesKsn::from_parts(id, start).unwrap()).unwrap();
        let mut deriver = Deriver::new(&bdk, 1);
        for _ in 0..steps {
            let Ok(txn) = device.next_transaction() else { break };
            let host = dukpt::aes::derive_key(&bdk, &txn.ksn(), usage, Some(key_type)).unwrap();
            let dev = txn.working_key(usage, key_type).unwrap();
            prop_assert_eq!(host.as_bytes(), dev.as_bytes());
            let cached = deriver.derive(&txn.ksn().into(), Usage::Aes(usage), Some(key_type)).unwrap();
            prop_assert_eq!(host.as_bytes(), cached.as_bytes());
            prop_assert_eq!(kcv(&host, KcvAlgorithm::default_for(key_type)), raw_kcv(&host));
        }
    }

    #[test]
    fn batch_equals_one_by_one(
        seed in prop::array::uniform32(any::<u8>()),
        aes in any::<bool>(),
        terminals in prop::collection::vec(prop::array::uniform8(any::<u8>()), 1..4),
        picks in prop::collection::vec((0usize..4, 1u32..5000), 1..60),
        capacity in 1usize..3,
    ) {
        let (bdk, usage) = if aes {
            (key_of(Algorithm::Aes128, &seed), Usage::Aes(KeyUsage::DataEncryption))
        } else {
            (key_of(Algorithm::Tdes2Key, &seed), Usage::Tdes(TdesVariant::DataRequest))
        };
        let ksns: Vec<Ksn> = picks
            .iter()
            .filter_map(|&(t, c)| {
                let id = terminals[t % terminals.len()];
                if aes {
                    AesKsn::from_parts(id, c).ok().map(Ksn::Aes)
                } else {
                    let mut b = [0u8; 10];
                    b[..8].copy_from_slice(&id);
                    TdesKsn::new(b).and_then(|k| k.with_counter(c)).ok().map(Ksn::Tdes)
                }
            })
            .collect();
        let mut deriver = Deriver::new(&bdk, capacity);
        let batch = deriver.derive_batch(&ksns, usage, None);
        prop_assert!(deriver.cached() <= capacity);
        let mut one_by_one = Deriver::new(&bdk, capacity);
        for (ksn, got) in ksns.iter().zip(batch) {
            let want = dukpt::derive(&bdk, ksn, usage, None).map(|d| d.key.as_bytes().to_vec());
            let single = one_by_one.derive(ksn, usage, None).map(|k| k.as_bytes().to_vec());
            prop_assert_eq!(got.map(|k| k.as_bytes().to_vec()), want.clone());
            prop_assert_eq!(single, want);
        }
    }

    /// The batch API's tree walk (each intermediate key once, one cipher call per key) against the
    /// one-shot function, for every AES BDK type, usage and allowed derived key type, on runs of
    /// consecutive counters, arbitrary counters (up to 16 one-bits, anywhere in 32 bits) and duplicates,
    /// over several terminals.
    #[test]
    fn aes_batch_tree_equals_one_shot(
        seed in prop::array::uniform32(any::<u8>()),
        algorithm in aes_algorithm(),
        usage in prop::sample::select(KeyUsage::ALL.to_vec()),
        key_type in prop::sample::select(Algorithm::ALL.to_vec()),
        terminals in prop::collection::vec(prop::array::uniform8(any::<u8>()), 1..3),
        runs in prop::collection::vec((0usize..3, counter(32, 16), 1u32..40), 1..5),
        singles in prop::collection::vec((0usize..3, counter(32, 16)), 0..20),
    ) {
        let bdk = key_of(algorithm, &seed);
        let key_type = if dukpt::aes::check_key_type(algorithm, key_type).is_ok() { key_type } else { algorithm };
        let mut ksns: Vec<Ksn> = Vec::new();
        for &(t, start, len) in &runs {
            let id = terminals[t % terminals.len()];
            ksns.extend((0..len).filter_map(|i| AesKsn::from_parts(id, start.wrapping_add(i)).ok().map(Ksn::Aes)));
        }
        for &(t, c) in &singles {
            let id = terminals[t % terminals.len()];
            if let Ok(k) = AesKsn::from_parts(id, c) {
                ksns.push(Ksn::Aes(k));
                ksns.push(Ksn::Aes(k));
            }
        }
        let mut deriver = Deriver::new(&bdk, 2);
        let batch = deriver.derive_batch(&ksns, Usage::Aes(usage), Some(key_type));
        prop_assert_eq!(batch.len(), ksns.len());
        for (ksn, got) in ksns.iter().zip(batch) {
            let Ksn::Aes(k) = ksn else { unreachable!() };
            let want = dukpt::aes::derive_key(&bdk, k, usage, Some(key_type)).map(|d| d.as_bytes().to_vec());
            prop_assert_eq!(got.map(|d| d.as_bytes().to_vec()), want);
        }
    }

    /// The one-shot, the cached and the working-key-from-initial-key paths against the standard read
    /// straight over the `aes` crate, for every BDK type, usage and allowed derived key type.
    #[test]
    fn aes_paths_equal_the_reference(
        seed in prop::array::uniform32(any::<u8>()),
        algorithm in aes_algorithm(),
        usage in prop::sample::select(KeyUsage::ALL.to_vec()),
        key_type in prop::sample::select(Algorithm::ALL.to_vec()),
        id in prop::array::uniform8(any::<u8>()),
        counters in prop::collection::vec(counter(32, 16), 1..6),
    ) {
        let bdk = key_of(algorithm, &seed);
        let key_type = if dukpt::aes::check_key_type(algorithm, key_type).is_ok() { key_type } else { algorithm };
        let ik = dukpt::aes::derive_initial_key(&bdk, &id).unwrap();
        prop_assert_eq!(ik.as_bytes(), &reference_derive(algorithm, bdk.as_bytes(), 0x8001, algorithm, id)[..]);
        let mut deriver = Deriver::new(&bdk, 1);
        for &c in &counters {
            let ksn = AesKsn::from_parts(id, c).unwrap();
            let want = reference_key(&bdk, id, c, usage, key_type);
            let one_shot = dukpt::aes::derive_key(&bdk, &ksn, usage, Some(key_type)).unwrap();
            prop_assert_eq!(one_shot.as_bytes(), &want[..]);
            prop_assert_eq!(one_shot.algorithm(), key_type);
            let from_ik = dukpt::aes::derive_working_key(&ik, &ksn, usage, key_type).unwrap();
            prop_assert_eq!(from_ik.as_bytes(), &want[..]);
            let cached = deriver.derive(&Ksn::Aes(ksn), Usage::Aes(usage), Some(key_type)).unwrap();
            prop_assert_eq!(cached.as_bytes(), &want[..]);
        }
    }

    /// The cache under pressure: KSNs of several terminals interleaved at random through a small cache
    /// (hits through the last-used slot and through the index, misses, evictions), each key and each
    /// initial key equal to the one-shot functions', and the cache never over capacity.
    #[test]
    fn cache_with_evictions_equals_one_shot(
        seed in prop::array::uniform32(any::<u8>()),
        algorithm in prop_oneof![Just(Algorithm::Aes128), Just(Algorithm::Aes256), Just(Algorithm::Tdes2Key)],
        terminals in prop::collection::vec(prop::array::uniform8(any::<u8>()), 1..6),
        picks in prop::collection::vec((0usize..6, 1u32..3000), 1..40),
        capacity in 1usize..4,
    ) {
        let bdk = key_of(algorithm, &seed);
        let aes = !algorithm.is_tdes();
        let usage = if aes { Usage::Aes(KeyUsage::MacBoth) } else { Usage::Tdes(TdesVariant::Pin) };
        let mut deriver = Deriver::new(&bdk, capacity);
        for &(t, c) in &picks {
            let id = terminals[t % terminals.len()];
            let ksn = if aes {
                Ksn::Aes(AesKsn::from_parts(id, c).unwrap())
            } else {
                let mut b = [0u8; 10];
                b[..8].copy_from_slice(&id);
                match TdesKsn::new(b).and_then(|k| k.with_counter(c)) {
                    Ok(k) => Ksn::Tdes(k),
                    Err(_) => continue,
                }
            };
            let want = dukpt::derive(&bdk, &ksn, usage, None).unwrap();
            let key = deriver.derive(&ksn, usage, None).unwrap();
            prop_assert_eq!(key.as_bytes(), want.key.as_bytes());
            let initial_key = deriver.initial_key(&ksn).unwrap();
            prop_assert_eq!(initial_key.as_bytes(), want.initial_key.as_bytes());
            prop_assert!(deriver.cached() <= capacity);
        }
    }

    #[test]
    fn ksn_text_round_trips(bytes in prop::collection::vec(any::<u8>(), 10..=12)) {
        if let Ok(ksn) = Ksn::from_slice(&bytes) {
            prop_assert_eq!(ksn.to_string().parse::<Ksn>(), Ok(ksn));
            prop_assert_eq!(ksn.to_string().to_lowercase().parse::<Ksn>(), Ok(ksn));
        } else {
            prop_assert!(bytes.len() == 11 || Ksn::from_slice(&bytes).is_err());
        }
    }
}

/// The benchmark's shape: 1,000 consecutive KSNs of one terminal (and the same shuffled, with a second
/// terminal mixed in), through the batch tree walk, against the one-shot function.
#[test]
fn aes_batch_of_consecutive_counters_equals_one_shot() {
    for algorithm in [Algorithm::Aes128, Algorithm::Aes256] {
        let bdk = key_of(algorithm, &[0x5A; 32]);
        let id = [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56];
        let other = [0x12, 0x34, 0x56, 0x78, 0x91, 0x12, 0x34, 0x56];
        let mut ksns: Vec<Ksn> =
            (1..=1000u32).map(|c| Ksn::Aes(AesKsn::from_parts(id, c).unwrap())).collect();
        let mut deriver = Deriver::new(&bdk, 4);
        let usage = KeyUsage::DataEncryption;
        let check = |deriver: &mut Deriver, ksns: &[Ksn]| {
            let batch = deriver.derive_batch(ksns, Usage::Aes(usage), None);
            for (ksn, got) in ksns.iter().zip(batch) {
                let Ksn::Aes(k) = ksn else { unreachable!() };
                let want = dukpt::aes::derive_key(&bdk, k, usage, None).unwrap();
                assert_eq!(got.unwrap().as_bytes(), want.as_bytes(), "{ksn}");
            }
        };
        check(&mut deriver, &ksns);
        ksns.reverse();
        ksns.extend((0..50u32).map(|c| Ksn::Aes(AesKsn::from_parts(other, c * 7 + 0x1000).unwrap())));
        ksns.swap(3, 1010);
        check(&mut deriver, &ksns);
    }
}
