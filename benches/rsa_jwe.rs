//! RSA-OAEP-SHA256 and JWE (RSA-OAEP-256 + A256GCM, 200-byte JSON payload), one operation per
//! iteration, reported as operations per second. `benches/peers/compare.py` times pyca/cryptography,
//! jwcrypto, joserfc and node `jose` on the same operations and prints the ratios.
//!
//! `rsa<bits>_oaep_sha256/decrypt_rsa_crate` is the `rsa` crate's own blinded OAEP decryption of the
//! same ciphertext under the same key, in the same run: the baseline our private operation
//! (`src/primitives/rsa/private.rs`) is measured against.
//!
//!     cargo bench --bench rsa_jwe -- --save-baseline pure
//!     cargo bench --bench rsa_jwe --features aws-lc -- --save-baseline aws-lc

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use paycrypt::jwe::{self, AllowList, EncryptOptions};
use paycrypt::rsa::{Jwk, Jwks, RsaPadding, RsaPrivateKey};
use rsa::pkcs8::DecodePrivateKey;
use sha2::Sha256;

/// A 200-byte JSON request body, as a banking API would encrypt.
const PAYLOAD: &[u8; 200] = br#"{"login":"jean.dupont@example.com","password":"correct horse battery staple","otp":"123456","device":"3f2c9a1e-7d4b-4e8a-9c61-5b0f2d8e4a17","ts":1732368000,"lang":"fr","note":"end to end encrypted k"}"#;

fn rsa(c: &mut Criterion) {
    for bits in [2048, 3072] {
        let key = RsaPrivateKey::generate(bits).expect("key generation");
        let public = key.public_key();
        let ct = public
            .encrypt(RsaPadding::OaepSha256, None, b"0123456789abcdef0123456789abcdef")
            .expect("encrypt");
        let mut group = c.benchmark_group(format!("rsa{bits}_oaep_sha256"));
        group.throughput(Throughput::Elements(1));
        group.bench_function("encrypt", |b| {
            b.iter(|| {
                public.encrypt(RsaPadding::OaepSha256, None, black_box(b"0123456789abcdef0123456789abcdef"))
            })
        });
        group.bench_function("decrypt", |b| {
            b.iter(|| key.decrypt(RsaPadding::OaepSha256, None, black_box(&ct)))
        });
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
    let key = Jwk::from_private(RsaPrivateKey::generate(2048).expect("key generation")).with_kid("bench");
    let keys = Jwks::new(vec![key.clone()]);
    let options = EncryptOptions::default();
    let allow = AllowList::default();
    let token = jwe::encrypt(PAYLOAD, &key, &options).expect("encrypt");
    let mut group = c.benchmark_group("jwe_rsa_oaep_256_a256gcm_200b");
    group.throughput(Throughput::Elements(1));
    group.bench_function("encrypt", |b| b.iter(|| jwe::encrypt(black_box(PAYLOAD), &key, &options)));
    group.bench_function("decrypt", |b| b.iter(|| jwe::decrypt(black_box(&token), &keys, &allow)));
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
