//! DUKPT derivation cost, as issue 3 measures it:
//! - `dukpt/aes128_data_encryption_10bits/{uncached,cached,next_ksn,batch_1000}`: AES-128 BDK to a
//!   DATA_ENCRYPTION AES-128 key for a counter with 10 one-bits: the one-shot function (initial key
//!   included); the [`Deriver`] with the initial key cached, alternating two 10-one-bit counters that
//!   share no walk step (so all 10 steps run); the [`Deriver`] on a terminal's consecutive KSNs (the walk
//!   prefix reused, as a host sees them); and the batch API over 1,000 KSNs of one terminal (criterion
//!   reports per-key times for these two through `Throughput::Elements`).
//! - `dukpt/tdes_data_request_10bits/{uncached,cached,next_ksn,batch_1000}`: the same for a TDES_2KEY BDK and the
//!   DATA_REQUEST key. `benches/peers/dukpt_npm.sh` times npm `dukpt` on the same derivation and prints
//!   the ratio.
//!
//! Run: `cargo bench --bench dukpt -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use paycrypt::dukpt::{self, AesKsn, Deriver, KeyUsage, Ksn, TdesKsn, TdesVariant, Usage};
use paycrypt::{Algorithm, SymmetricKey};

/// A counter with 10 one-bits, spread out: bits 0, 2, 4, ..., 18.
const TEN_BITS: u32 = 0x5_5555;
/// Another, sharing no walk step with [`TEN_BITS`]: bits 1, 3, ..., 19.
const OTHER_TEN_BITS: u32 = 0xA_AAAA;

fn aes(c: &mut Criterion) {
    let bdk = SymmetricKey::new(Algorithm::Aes128, &[0x42; 16]).expect("key");
    let ksn = AesKsn::from_parts([0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56], TEN_BITS).expect("ksn");
    let usage = Usage::Aes(KeyUsage::DataEncryption);
    let mut group = c.benchmark_group("dukpt/aes128_data_encryption_10bits");
    group.bench_function("uncached", |b| {
        b.iter(|| {
            dukpt::aes::derive_key(&bdk, black_box(&ksn), KeyUsage::DataEncryption, None).expect("derive")
        })
    });
    let mut deriver = Deriver::new(&bdk, 1024);
    let pair = [Ksn::Aes(ksn), Ksn::Aes(ksn.with_counter(OTHER_TEN_BITS).expect("ksn"))];
    let mut i = 0;
    group.bench_function("cached", |b| {
        b.iter(|| {
            i ^= 1;
            deriver.derive(black_box(&pair[i]), usage, None).expect("derive")
        })
    });
    let ksns: Vec<Ksn> = (1..=1000u32).map(|i| Ksn::Aes(ksn.with_counter(i).expect("ksn"))).collect();
    group.throughput(Throughput::Elements(ksns.len() as u64));
    group.bench_function("next_ksn", |b| {
        b.iter(|| ksns.iter().map(|k| deriver.derive(black_box(k), usage, None).expect("derive")).count())
    });
    group.bench_function("batch_1000", |b| b.iter(|| deriver.derive_batch(black_box(&ksns), usage, None)));
    group.finish();
}

fn tdes(c: &mut Criterion) {
    let bdk = SymmetricKey::new(Algorithm::Tdes2Key, &hex_key()).expect("key");
    let ksn: TdesKsn =
        "FFFF9876543210E00000".parse::<TdesKsn>().and_then(|k| k.with_counter(TEN_BITS)).expect("ksn");
    let usage = Usage::Tdes(TdesVariant::DataRequest);
    let mut group = c.benchmark_group("dukpt/tdes_data_request_10bits");
    group.bench_function("uncached", |b| {
        b.iter(|| dukpt::tdes::derive_key(&bdk, black_box(&ksn), TdesVariant::DataRequest).expect("derive"))
    });
    let mut deriver = Deriver::new(&bdk, 1024);
    let pair = [Ksn::Tdes(ksn), Ksn::Tdes(ksn.with_counter(OTHER_TEN_BITS).expect("ksn"))];
    let mut i = 0;
    group.bench_function("cached", |b| {
        b.iter(|| {
            i ^= 1;
            deriver.derive(black_box(&pair[i]), usage, None).expect("derive")
        })
    });
    let ksns: Vec<Ksn> = (1..=1000u32).map(|i| Ksn::Tdes(ksn.with_counter(i).expect("ksn"))).collect();
    group.throughput(Throughput::Elements(ksns.len() as u64));
    group.bench_function("next_ksn", |b| {
        b.iter(|| ksns.iter().map(|k| deriver.derive(black_box(k), usage, None).expect("derive")).count())
    });
    group.bench_function("batch_1000", |b| b.iter(|| deriver.derive_batch(black_box(&ksns), usage, None)));
    group.finish();
}

/// The X9.24-1 Annex A BDK, the same one `benches/peers/dukpt_npm.js` uses.
fn hex_key() -> Vec<u8> {
    vec![0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10]
}

criterion_group!(benches, aes, tdes);
criterion_main!(benches);
