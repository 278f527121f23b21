//! DUKPT derivation cost, ours against a raw loop over the same block-cipher crates, in one binary and run:
//! - `dukpt/aes128_data_encryption_10bits/*`: AES-128 BDK to a DATA_ENCRYPTION AES-128 key for a counter
//!   with 10 one-bits.
//!   - `uncached`: the one-shot [`dukpt::aes::derive_key`] (initial key included, 12 derivation steps).
//!   - `cached`: the [`Deriver`] with the initial key cached, alternating two 10-one-bit counters that
//!     share no walk step (so all 11 steps after the initial key run).
//!   - `next_ksn`: the [`Deriver`] on a terminal's consecutive KSNs 1..=1000 (the walk prefix reused, as a
//!     host sees them); `batch_1000`: [`Deriver::derive_batch`] over the same 1,000 KSNs. Criterion
//!     reports per-key times for these two (`Throughput::Elements`).
//!   - `raw_uncached`: the minimal loop over the `aes` crate: for each of the 12 steps,
//!     `Aes128::new_from_slice` on the previous output and one `encrypt_block` of derivation data built in a
//!     stack array. `raw_enc_uncached`: the same with the encrypt-only `Aes128Enc` (no decryption round
//!     keys), the tighter floor. `raw_cached`: the same loop from the keyed initial key (11 steps, 10 key
//!     schedules), as the cache holds it. `raw_batch_1000`: consecutive counters 1..=1000 from the keyed
//!     initial key, each intermediate key derived once (one key schedule and two blocks a key).
//! - `dukpt/tdes_data_request_10bits/*`: the same for a TDES_2KEY BDK and the DATA_REQUEST key (X9.24-1
//!   non-reversible key generation); `raw_uncached` and `raw_cached` are the minimal loops over the `des`
//!   crate (`TdesEde2` for the IPEK and the data variant's one-way step, `Des` twice per counter bit).
//!   `benches/peers/dukpt_npm.sh` times npm `dukpt` on the same derivation and prints the ratio.
//!
//! Our rows (`uncached`, `cached`, `next_ksn`, `batch_1000`) are the workloads of `paycrypt speed dukpt`
//! (`paycrypt::perf::workload::dukpt`), with their BDKs, KSNs and counters.
//!
//! Every raw loop is checked once, outside the timing, to give our result. After criterion, a bench run
//! (`cargo bench`, not `cargo test`) times each pair (ours, raw) in alternating rounds and prints the
//! median ratio, so machine load moves both sides alike.
//!
//! Run: `cargo bench --bench dukpt -- --warm-up-time 1 --measurement-time 3` (add `aes128` or `tdes` to
//! run one group; `--ratios-only` skips criterion and prints only the ratios). Instruction counts, which
//! a busy machine does not move: `--count CASE N` runs one case N times and nothing else (cases:
//! `aes_uncached`, `aes_raw_uncached`, `aes_raw_enc_uncached`, `aes_cached`, `aes_raw_cached`,
//! `aes_next_ksn`, `aes_batch_1000`, `aes_raw_batch_1000`, `tdes_uncached`, `tdes_raw_uncached`,
//! `tdes_cached`, `tdes_raw_cached`); `valgrind --tool=callgrind` of N=2000 minus N=0, over 2000, is the
//! instructions per call.

use std::hint::black_box;
use std::time::Instant;

use aes::{Aes128, Aes128Enc};
use cipher::{Block, BlockCipherEncrypt, KeyInit};
use criterion::{Criterion, Throughput};
use des::{Des, TdesEde2};

use paycrypt::dukpt::{self, AesKsn, Deriver, KeyUsage, Ksn, TdesKsn, TdesVariant, Usage};
use paycrypt::perf::workload::Op;
use paycrypt::perf::workload::dukpt::{
    AES_BDK, AES_ID, BATCH, Derivation, OTHER_TEN_BITS, TDES_BDK, TDES_KSN, TEN_BITS, aes as aes_workload,
    tdes as tdes_workload,
};
use paycrypt::{Algorithm, SymmetricKey};

/// An instance of the `paycrypt speed` AES-128 DUKPT workload.
fn aes_op(derivation: Derivation) -> Op {
    aes_workload(derivation).instance().expect("workload")
}

/// An instance of the `paycrypt speed` TDES DUKPT workload.
fn tdes_op(derivation: Derivation) -> Op {
    tdes_workload(derivation).instance().expect("workload")
}

// ---- The raw AES loops -------------------------------------------------------------------------------

/// One raw step: the AES-128 encryption of `data` under `key`, `C` keyed from the slice each time.
fn raw_step<C: KeyInit + BlockCipherEncrypt>(key: &mut [u8; 16], data: &[u8; 16]) {
    let cipher = C::new_from_slice(key).expect("16-byte key");
    let mut block = Block::<C>::try_from(&data[..]).expect("16-byte block");
    cipher.encrypt_block(&mut block);
    key.copy_from_slice(&block);
}

/// Derivation data (X9.24-3 §6.3.2) for an AES-128 child: usage, then bytes 8-15.
fn raw_data(usage: u16, tail: [u8; 8]) -> [u8; 16] {
    let u = usage.to_be_bytes();
    let t = tail;
    [1, 1, u[0], u[1], 0, 2, 0, 0x80, t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]]
}

/// BDK to DATA_ENCRYPTION key, 12 steps, each keying `C` from the previous output.
fn raw_aes_uncached<C: KeyInit + BlockCipherEncrypt>(bdk: &[u8; 16], ksn: &[u8; 12]) -> [u8; 16] {
    let mut key = *bdk;
    let mut data = raw_data(0x8001, [ksn[0], ksn[1], ksn[2], ksn[3], ksn[4], ksn[5], ksn[6], ksn[7]]);
    raw_step::<C>(&mut key, &data);
    raw_walk::<C>(&mut key, &mut data, ksn);
    key
}

/// From `key` (the initial key's bytes in, the working key's out): the intermediate steps and the working
/// key, `data` rewritten in place.
fn raw_walk<C: KeyInit + BlockCipherEncrypt>(key: &mut [u8; 16], data: &mut [u8; 16], ksn: &[u8; 12]) {
    let counter = u32::from_be_bytes([ksn[8], ksn[9], ksn[10], ksn[11]]);
    data[2..4].copy_from_slice(&0x8000u16.to_be_bytes());
    data[8..12].copy_from_slice(&ksn[4..8]);
    let (mut rest, mut prefix) = (counter, 0u32);
    while rest != 0 {
        let bit = 1u32 << (31 - rest.leading_zeros());
        rest ^= bit;
        prefix |= bit;
        data[12..].copy_from_slice(&prefix.to_be_bytes());
        raw_step::<C>(key, data);
    }
    data[2..4].copy_from_slice(&0x3000u16.to_be_bytes());
    data[12..].copy_from_slice(&counter.to_be_bytes());
    raw_step::<C>(key, data);
}

/// From the keyed initial key: 11 steps, the first under `ik` as it is.
fn raw_aes_cached(ik: &Aes128Enc, ksn: &[u8; 12]) -> [u8; 16] {
    let counter = u32::from_be_bytes([ksn[8], ksn[9], ksn[10], ksn[11]]);
    let top = 1u32 << (31 - counter.leading_zeros());
    let mut data = raw_data(0x8000, [ksn[4], ksn[5], ksn[6], ksn[7], 0, 0, 0, 0]);
    data[12..].copy_from_slice(&top.to_be_bytes());
    let mut block = Block::<Aes128Enc>::from(data);
    ik.encrypt_block(&mut block);
    let mut key = [0u8; 16];
    key.copy_from_slice(&block);
    let rest_ksn = {
        let mut k = *ksn;
        k[8..].copy_from_slice(&counter.to_be_bytes());
        k
    };
    // The remaining bits below `top`, then the working key.
    let (mut rest, mut prefix) = (counter ^ top, top);
    while rest != 0 {
        let bit = 1u32 << (31 - rest.leading_zeros());
        rest ^= bit;
        prefix |= bit;
        data[12..].copy_from_slice(&prefix.to_be_bytes());
        raw_step::<Aes128Enc>(&mut key, &data);
    }
    data[2..4].copy_from_slice(&0x3000u16.to_be_bytes());
    data[12..].copy_from_slice(&rest_ksn[8..]);
    raw_step::<Aes128Enc>(&mut key, &data);
    key
}

/// Working keys of consecutive counters `1..=out.len()` from the keyed initial key: each intermediate key
/// derived once from its parent (kept on `stack` by depth), then one block for the working key.
fn raw_aes_batch(ik: &Aes128Enc, id: [u8; 4], stack: &mut Vec<(u32, Aes128Enc)>, out: &mut [[u8; 16]]) {
    stack.clear();
    let mut data = raw_data(0x8000, [id[0], id[1], id[2], id[3], 0, 0, 0, 0]);
    for (counter, key) in (1u32..).zip(out.iter_mut()) {
        let (mut rest, mut prefix, mut depth) = (counter, 0u32, 0usize);
        while rest != 0 {
            let bit = 1u32 << (31 - rest.leading_zeros());
            rest ^= bit;
            prefix |= bit;
            if stack.get(depth).map(|e| e.0) != Some(prefix) {
                stack.truncate(depth);
                data[2..4].copy_from_slice(&0x8000u16.to_be_bytes());
                data[12..].copy_from_slice(&prefix.to_be_bytes());
                let mut block = Block::<Aes128Enc>::from(data);
                stack.last().map_or(ik, |e| &e.1).encrypt_block(&mut block);
                let child = Aes128Enc::new(&block);
                stack.push((prefix, child));
            }
            depth += 1;
        }
        stack.truncate(depth);
        data[2..4].copy_from_slice(&0x3000u16.to_be_bytes());
        data[12..].copy_from_slice(&counter.to_be_bytes());
        let mut block = Block::<Aes128Enc>::from(data);
        stack.last().map_or(ik, |e| &e.1).encrypt_block(&mut block);
        key.copy_from_slice(&block);
    }
}

// ---- The raw TDES loops ------------------------------------------------------------------------------

/// `C0C0C0C000000000` on each half.
const C0: u64 = 0xC0C0_C0C0_0000_0000;

/// One DES encryption, the key scheduled each time.
fn raw_des(key: u64, block: u64) -> u64 {
    let des = Des::new(&key.to_be_bytes().into());
    let mut b = block.to_be_bytes().into();
    des.encrypt_block(&mut b);
    u64::from_be_bytes(b.into())
}

/// One TDES_2KEY encryption, the key scheduled each time.
fn raw_tdes(key: [u64; 2], block: u64) -> u64 {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&key[0].to_be_bytes());
    k[8..].copy_from_slice(&key[1].to_be_bytes());
    let tdes = TdesEde2::new(&k.into());
    let mut b = block.to_be_bytes().into();
    tdes.encrypt_block(&mut b);
    u64::from_be_bytes(b.into())
}

/// BDK to DATA_REQUEST key: IPEK (two TDES), one NRKGP (two DES) per counter bit, the variant's one-way
/// step (two TDES).
fn raw_tdes_uncached(bdk: [u64; 2], ksn: &[u8; 10]) -> [u64; 2] {
    let iksn = u64::from_be_bytes([ksn[0], ksn[1], ksn[2], ksn[3], ksn[4], ksn[5], ksn[6], ksn[7] & 0xE0]);
    let ipek = [raw_tdes(bdk, iksn), raw_tdes([bdk[0] ^ C0, bdk[1] ^ C0], iksn)];
    raw_tdes_cached(ipek, ksn)
}

/// From the IPEK: the NRKGP walk and the DATA_REQUEST variant.
fn raw_tdes_cached(ipek: [u64; 2], ksn: &[u8; 10]) -> [u64; 2] {
    let tail = u64::from_be_bytes([ksn[2], ksn[3], ksn[4], ksn[5], ksn[6], ksn[7], ksn[8], ksn[9]]);
    let counter = tail & 0x1F_FFFF;
    let mut register = tail ^ counter;
    let [mut left, mut right] = ipek;
    let mut rest = counter;
    while rest != 0 {
        let bit = 1u64 << (63 - rest.leading_zeros());
        rest ^= bit;
        register |= bit;
        let new_right = raw_des(left, register ^ right) ^ right;
        let new_left = raw_des(left ^ C0, register ^ right ^ C0) ^ right ^ C0;
        (left, right) = (new_left, new_right);
    }
    let variant = [left ^ 0xFF_0000, right ^ 0xFF_0000];
    [raw_tdes(variant, variant[0]), raw_tdes(variant, variant[1])]
}

fn halves(bytes: &[u8]) -> [u64; 2] {
    let mut h = [0u64; 2];
    for (x, c) in h.iter_mut().zip(bytes.chunks_exact(8)) {
        *x = u64::from_be_bytes(c.try_into().expect("8 bytes"));
    }
    h
}

fn bytes_of(h: [u64; 2]) -> Vec<u8> {
    h.iter().flat_map(|x| x.to_be_bytes()).collect()
}

// ---- The benches -------------------------------------------------------------------------------------

/// What a group needs, built once and checked: every raw loop gives our result.
struct AesSetup {
    bdk: SymmetricKey,
    ksn: AesKsn,
    pair: [Ksn; 2],
    ksns: Vec<Ksn>,
    ik: Aes128Enc,
}

fn aes_setup() -> AesSetup {
    let bdk = SymmetricKey::new(Algorithm::Aes128, &AES_BDK).expect("key");
    let ksn = AesKsn::from_parts(AES_ID, TEN_BITS).expect("ksn");
    let pair = [Ksn::Aes(ksn), Ksn::Aes(ksn.with_counter(OTHER_TEN_BITS).expect("ksn"))];
    let ksns: Vec<Ksn> = (1..=BATCH).map(|i| Ksn::Aes(ksn.with_counter(i).expect("ksn"))).collect();
    let ik_key = dukpt::aes::derive_initial_key(&bdk, &AES_ID).expect("initial key");
    let ik = Aes128Enc::new_from_slice(ik_key.as_bytes()).expect("key");
    let setup = AesSetup { bdk, ksn, pair, ksns, ik };

    // The raw loops are correct: each gives our key.
    let ours = dukpt::aes::derive_key(&setup.bdk, &ksn, KeyUsage::DataEncryption, None).expect("derive");
    assert_eq!(raw_aes_uncached::<Aes128>(&AES_BDK, ksn.as_bytes())[..], ours.as_bytes()[..]);
    assert_eq!(raw_aes_uncached::<Aes128Enc>(&AES_BDK, ksn.as_bytes())[..], ours.as_bytes()[..]);
    for k in &setup.pair {
        let Ksn::Aes(k) = k else { unreachable!("AES KSNs") };
        let ours = dukpt::aes::derive_key(&setup.bdk, k, KeyUsage::DataEncryption, None).expect("derive");
        assert_eq!(raw_aes_cached(&setup.ik, k.as_bytes())[..], ours.as_bytes()[..]);
    }
    let mut deriver = Deriver::new(&setup.bdk, 16);
    let batch = deriver.derive_batch(&setup.ksns, Usage::Aes(KeyUsage::DataEncryption), None);
    let mut raw = vec![[0u8; 16]; setup.ksns.len()];
    raw_aes_batch(&setup.ik, [0x90, 0x12, 0x34, 0x56], &mut Vec::new(), &mut raw);
    for (ours, raw) in batch.iter().zip(&raw) {
        assert_eq!(ours.as_ref().expect("derive").as_bytes(), &raw[..]);
    }
    setup
}

fn aes(c: &mut Criterion) {
    let s = aes_setup();
    let mut group = c.benchmark_group("dukpt/aes128_data_encryption_10bits");
    let mut op = aes_op(Derivation::OneShot);
    group.bench_function("uncached", |b| b.iter(|| op().expect("derive")));
    group.bench_function("raw_uncached", |b| {
        b.iter(|| raw_aes_uncached::<Aes128>(&AES_BDK, black_box(s.ksn.as_bytes())))
    });
    group.bench_function("raw_enc_uncached", |b| {
        b.iter(|| raw_aes_uncached::<Aes128Enc>(&AES_BDK, black_box(s.ksn.as_bytes())))
    });
    let mut op = aes_op(Derivation::Cached);
    group.bench_function("cached", |b| b.iter(|| op().expect("derive")));
    let mut i = 0;
    let raw_pair = s.pair.map(|k| match k {
        Ksn::Aes(k) => *k.as_bytes(),
        Ksn::Tdes(_) => unreachable!("AES KSNs"),
    });
    group.bench_function("raw_cached", |b| {
        b.iter(|| {
            i ^= 1;
            raw_aes_cached(&s.ik, black_box(&raw_pair[i]))
        })
    });
    group.throughput(Throughput::Elements(u64::from(BATCH)));
    let mut op = aes_op(Derivation::NextKsn);
    group.bench_function("next_ksn", |b| b.iter(|| op().expect("derive")));
    let mut op = aes_op(Derivation::Batch);
    group.bench_function("batch_1000", |b| b.iter(|| op().expect("derive")));
    let mut stack = Vec::with_capacity(32);
    let mut out = vec![[0u8; 16]; s.ksns.len()];
    group.bench_function("raw_batch_1000", |b| {
        b.iter(|| raw_aes_batch(&s.ik, black_box([0x90, 0x12, 0x34, 0x56]), &mut stack, &mut out))
    });
    group.finish();
}

struct TdesSetup {
    bdk: SymmetricKey,
    ksn: TdesKsn,
    pair: [Ksn; 2],
    ipek: [u64; 2],
}

fn tdes_setup() -> TdesSetup {
    let bdk = SymmetricKey::new(Algorithm::Tdes2Key, &TDES_BDK).expect("key");
    let ksn: TdesKsn = TDES_KSN.parse::<TdesKsn>().and_then(|k| k.with_counter(TEN_BITS)).expect("ksn");
    let pair = [Ksn::Tdes(ksn), Ksn::Tdes(ksn.with_counter(OTHER_TEN_BITS).expect("ksn"))];
    let ipek = halves(dukpt::tdes::derive_ipek(&bdk, &ksn).expect("ipek").as_bytes());
    let setup = TdesSetup { bdk, ksn, pair, ipek };
    for k in &setup.pair {
        let Ksn::Tdes(k) = k else { unreachable!("TDES KSNs") };
        let ours = dukpt::tdes::derive_key(&setup.bdk, k, TdesVariant::DataRequest).expect("derive");
        assert_eq!(bytes_of(raw_tdes_uncached(halves(&TDES_BDK), k.as_bytes())), ours.as_bytes());
        assert_eq!(bytes_of(raw_tdes_cached(setup.ipek, k.as_bytes())), ours.as_bytes());
    }
    setup
}

fn tdes(c: &mut Criterion) {
    let s = tdes_setup();
    let bdk = halves(&TDES_BDK);
    let mut group = c.benchmark_group("dukpt/tdes_data_request_10bits");
    let mut op = tdes_op(Derivation::OneShot);
    group.bench_function("uncached", |b| b.iter(|| op().expect("derive")));
    group.bench_function("raw_uncached", |b| b.iter(|| raw_tdes_uncached(bdk, black_box(s.ksn.as_bytes()))));
    let mut op = tdes_op(Derivation::Cached);
    group.bench_function("cached", |b| b.iter(|| op().expect("derive")));
    let mut i = 0;
    let raw_pair = s.pair.map(|k| match k {
        Ksn::Tdes(k) => *k.as_bytes(),
        Ksn::Aes(_) => unreachable!("TDES KSNs"),
    });
    group.bench_function("raw_cached", |b| {
        b.iter(|| {
            i ^= 1;
            raw_tdes_cached(s.ipek, black_box(&raw_pair[i]))
        })
    });
    group.throughput(Throughput::Elements(u64::from(BATCH)));
    let mut op = tdes_op(Derivation::NextKsn);
    group.bench_function("next_ksn", |b| b.iter(|| op().expect("derive")));
    let mut op = tdes_op(Derivation::Batch);
    group.bench_function("batch_1000", |b| b.iter(|| op().expect("derive")));
    group.finish();
}

// ---- Ratios: ours and raw alternating in one run -----------------------------------------------------

/// Nanoseconds per call of `f` over `iters` calls.
fn time<T>(iters: u32, f: &mut impl FnMut() -> T) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        black_box(f());
    }
    start.elapsed().as_nanos() as f64 / f64::from(iters)
}

/// Median ns per call of `ours` and `raw` and the median of their per-round ratio, over `rounds` rounds
/// that each time `iters` calls of both (the order swapped every round).
fn alternate<A, B>(
    rounds: usize,
    iters: u32,
    mut ours: impl FnMut() -> A,
    mut raw: impl FnMut() -> B,
) -> (f64, f64, f64) {
    time(iters, &mut ours);
    time(iters, &mut raw);
    let (mut o, mut r, mut q) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (a, b) = if round % 2 == 0 {
            let a = time(iters, &mut ours);
            (a, time(iters, &mut raw))
        } else {
            let b = time(iters, &mut raw);
            (time(iters, &mut ours), b)
        };
        o.push(a);
        r.push(b);
        q.push(a / b);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (median(&mut o), median(&mut r), median(&mut q))
}

fn report(name: &str, per: f64, (ours, raw, ratio): (f64, f64, f64)) {
    println!("{name:<46} ours {:>9.1} ns  raw {:>9.1} ns  ours/raw {ratio:.3}", ours / per, raw / per);
}

fn ratios(filter: &str) {
    const ROUNDS: usize = 41;
    println!("\nours/raw, median of {ROUNDS} alternating rounds (per derivation):");
    let wanted = |group: &str| group.contains(filter) || filter.starts_with(group);
    if wanted("dukpt/aes128_data_encryption_10bits") {
        let s = aes_setup();
        let g = "dukpt/aes128_data_encryption_10bits";
        let ksn = s.ksn;
        let mut ours = aes_op(Derivation::OneShot);
        report(
            &format!("{g}/uncached vs raw"),
            1.0,
            alternate(ROUNDS, 2000, &mut ours, || {
                raw_aes_uncached::<Aes128>(&AES_BDK, black_box(ksn.as_bytes()))
            }),
        );
        report(
            &format!("{g}/uncached vs raw_enc"),
            1.0,
            alternate(ROUNDS, 2000, &mut ours, || {
                raw_aes_uncached::<Aes128Enc>(&AES_BDK, black_box(ksn.as_bytes()))
            }),
        );
        let raw_pair = s.pair.map(|k| match k {
            Ksn::Aes(k) => *k.as_bytes(),
            Ksn::Tdes(_) => unreachable!("AES KSNs"),
        });
        let mut j = 0;
        let mut ours = aes_op(Derivation::Cached);
        report(
            &format!("{g}/cached vs raw_cached"),
            1.0,
            alternate(ROUNDS, 2000, &mut ours, || {
                j ^= 1;
                raw_aes_cached(&s.ik, black_box(&raw_pair[j]))
            }),
        );
        let mut stack = Vec::with_capacity(32);
        let mut out = vec![[0u8; 16]; s.ksns.len()];
        let mut ours = aes_op(Derivation::NextKsn);
        report(
            &format!("{g}/next_ksn vs raw_batch_1000"),
            f64::from(BATCH),
            alternate(ROUNDS, 5, &mut ours, || {
                raw_aes_batch(&s.ik, black_box([0x90, 0x12, 0x34, 0x56]), &mut stack, &mut out)
            }),
        );
        let mut ours = aes_op(Derivation::Batch);
        report(
            &format!("{g}/batch_1000 vs raw_batch_1000"),
            f64::from(BATCH),
            alternate(ROUNDS, 5, &mut ours, || {
                raw_aes_batch(&s.ik, black_box([0x90, 0x12, 0x34, 0x56]), &mut stack, &mut out)
            }),
        );
    }
    if wanted("dukpt/tdes_data_request_10bits") {
        let s = tdes_setup();
        let bdk = halves(&TDES_BDK);
        let g = "dukpt/tdes_data_request_10bits";
        let ksn = s.ksn;
        let mut ours = tdes_op(Derivation::OneShot);
        report(
            &format!("{g}/uncached vs raw"),
            1.0,
            alternate(ROUNDS, 500, &mut ours, || raw_tdes_uncached(bdk, black_box(ksn.as_bytes()))),
        );
        let raw_pair = s.pair.map(|k| match k {
            Ksn::Tdes(k) => *k.as_bytes(),
            Ksn::Aes(_) => unreachable!("TDES KSNs"),
        });
        let mut j = 0;
        let mut ours = tdes_op(Derivation::Cached);
        report(
            &format!("{g}/cached vs raw_cached"),
            1.0,
            alternate(ROUNDS, 500, &mut ours, || {
                j ^= 1;
                raw_tdes_cached(s.ipek, black_box(&raw_pair[j]))
            }),
        );
    }
}

/// Criterion's positional filter: the first argument that is neither an option nor an option's value.
fn filter_of(args: &[String]) -> String {
    const FLAGS: [&str; 10] = [
        "--bench",
        "--ratios-only",
        "--quick",
        "--list",
        "--noplot",
        "--verbose",
        "--discard-baseline",
        "--exact",
        "--ignored",
        "--nocapture",
    ];
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        if !a.starts_with('-') {
            return a.clone();
        }
        if a.starts_with("--") && !a.contains('=') && !FLAGS.contains(&a.as_str()) {
            it.next();
        }
    }
    String::new()
}

/// Runs one case `n` times and nothing else, for instruction counts: `valgrind --tool=callgrind` of
/// `--count CASE N` minus that of `--count CASE 0`, divided by N, is the case's instructions per call.
fn count(case: &str, n: u32) {
    let aes = aes_setup();
    let tdes = tdes_setup();
    let aes_usage = Usage::Aes(KeyUsage::DataEncryption);
    let tdes_usage = Usage::Tdes(TdesVariant::DataRequest);
    let mut aes_deriver = Deriver::new(&aes.bdk, 1024);
    let mut tdes_deriver = Deriver::new(&tdes.bdk, 1024);
    let aes_raw_pair = aes.pair.map(|k| match k {
        Ksn::Aes(k) => *k.as_bytes(),
        Ksn::Tdes(_) => unreachable!("AES KSNs"),
    });
    let tdes_raw_pair = tdes.pair.map(|k| match k {
        Ksn::Tdes(k) => *k.as_bytes(),
        Ksn::Aes(_) => unreachable!("TDES KSNs"),
    });
    let mut stack = Vec::with_capacity(32);
    let mut out = vec![[0u8; 16]; aes.ksns.len()];
    let tdes_bdk = halves(&TDES_BDK);
    for i in 0..n as usize {
        match case {
            "aes_uncached" => {
                black_box(dukpt::aes::derive_key(
                    &aes.bdk,
                    black_box(&aes.ksn),
                    KeyUsage::DataEncryption,
                    None,
                ))
                .ok();
            }
            "aes_raw_uncached" => {
                black_box(raw_aes_uncached::<Aes128>(&AES_BDK, black_box(aes.ksn.as_bytes())));
            }
            "aes_raw_enc_uncached" => {
                black_box(raw_aes_uncached::<Aes128Enc>(&AES_BDK, black_box(aes.ksn.as_bytes())));
            }
            "aes_cached" => {
                black_box(aes_deriver.derive(black_box(&aes.pair[i % 2]), aes_usage, None)).ok();
            }
            "aes_raw_cached" => {
                black_box(raw_aes_cached(&aes.ik, black_box(&aes_raw_pair[i % 2])));
            }
            "aes_next_ksn" => {
                black_box(aes_deriver.derive(black_box(&aes.ksns[i % aes.ksns.len()]), aes_usage, None)).ok();
            }
            "aes_batch_1000" => {
                black_box(aes_deriver.derive_batch(black_box(&aes.ksns), aes_usage, None));
            }
            "aes_raw_batch_1000" => {
                raw_aes_batch(&aes.ik, black_box([0x90, 0x12, 0x34, 0x56]), &mut stack, &mut out)
            }
            "tdes_uncached" => {
                black_box(dukpt::tdes::derive_key(&tdes.bdk, black_box(&tdes.ksn), TdesVariant::DataRequest))
                    .ok();
            }
            "tdes_raw_uncached" => {
                black_box(raw_tdes_uncached(tdes_bdk, black_box(tdes.ksn.as_bytes())));
            }
            "tdes_cached" => {
                black_box(tdes_deriver.derive(black_box(&tdes.pair[i % 2]), tdes_usage, None)).ok();
            }
            "tdes_raw_cached" => {
                black_box(raw_tdes_cached(tdes.ipek, black_box(&tdes_raw_pair[i % 2])));
            }
            other => panic!("unknown case {other}"),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--count") {
        let case = args.get(at + 1).expect("--count CASE N");
        let n = args.get(at + 2).and_then(|n| n.parse().ok()).expect("--count CASE N");
        count(case, n);
        return;
    }
    let ratios_only = args.iter().any(|a| a == "--ratios-only");
    // `cargo bench` passes `--bench`; `cargo test` runs each bench once and needs no ratios.
    let bench_mode = args.iter().any(|a| a == "--bench");
    let filter = filter_of(&args);
    if !ratios_only {
        let mut c = Criterion::default().configure_from_args();
        aes(&mut c);
        tdes(&mut c);
        c.final_summary();
    }
    if bench_mode || ratios_only {
        ratios(&filter);
    }
}
