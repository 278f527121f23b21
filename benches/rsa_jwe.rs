//! RSA-OAEP-SHA256 and JWE (RSA-OAEP-256 + A256GCM, 200-byte JSON payload), one operation per
//! iteration, reported as operations per second. `benches/peers/compare.py` times pyca/cryptography,
//! jwcrypto, joserfc and node `jose` on the same operations and prints the ratios.
//!
//! `rsa<bits>_oaep_sha256/decrypt_rsa_crate` is the `rsa` crate's own blinded OAEP decryption of the
//! same ciphertext under the same key, in the same run: the baseline our private operation
//! (`src/primitives/rsa/private.rs`) is measured against. Our rows are the workloads of `paycrypt speed
//! rsa jwe` (`paycrypt::perf::workload::asymmetric`).
//!
//!     cargo bench --bench rsa_jwe -- --save-baseline pure
//!     cargo bench --bench rsa_jwe --features aws-lc -- --save-baseline aws-lc

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use paycrypt::perf::workload::Direction;
use paycrypt::perf::workload::asymmetric::{self, SharedRsaKey};
use paycrypt::rsa::RsaPadding;
use rsa::pkcs8::DecodePrivateKey;
use sha2::Sha256;

fn rsa(c: &mut Criterion) {
    for bits in [2048, 3072] {
        let key = SharedRsaKey::new(bits);
        let mut encrypt =
            asymmetric::rsa(&key, RsaPadding::OaepSha256, Direction::Encrypt).instance().expect("workload");
        let mut decrypt =
            asymmetric::rsa(&key, RsaPadding::OaepSha256, Direction::Decrypt).instance().expect("workload");
        let mut group = c.benchmark_group(format!("rsa{bits}_oaep_sha256"));
        group.throughput(Throughput::Elements(1));
        group.bench_function("encrypt", |b| b.iter(|| encrypt().expect("encrypt")));
        group.bench_function("decrypt", |b| b.iter(|| decrypt().expect("decrypt")));
        let key = key.key().expect("key");
        let ct =
            key.public_key().encrypt(RsaPadding::OaepSha256, None, asymmetric::MESSAGE).expect("encrypt");
        let crate_key = rsa::PrivateKey::from_pkcs8_der(&key.to_der().expect("DER")).expect("parse");
        group.bench_function("decrypt_rsa_crate", |b| {
            b.iter(|| {
                crate_key.decrypt_blinded(&mut getrandom::SysRng, rsa::Oaep::<Sha256>::new(), black_box(&ct))
            })
        });
        group.finish();
    }
}

fn jwe_compact(c: &mut Criterion) {
    let key = SharedRsaKey::new(2048);
    let mut encrypt = asymmetric::jwe(&key, Direction::Encrypt).instance().expect("workload");
    let mut decrypt = asymmetric::jwe(&key, Direction::Decrypt).instance().expect("workload");
    let mut group = c.benchmark_group("jwe_rsa_oaep_256_a256gcm_200b");
    group.throughput(Throughput::Elements(1));
    group.bench_function("encrypt", |b| b.iter(|| encrypt().expect("encrypt")));
    group.bench_function("decrypt", |b| b.iter(|| decrypt().expect("decrypt")));
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
}

criterion_group! {
    name = benches;
    config = config();
    targets = rsa, jwe_compact
}
criterion_main!(benches);
