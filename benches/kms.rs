//! KMS Encrypt through the service, with the key loaded (a memory store): the typed call and the
//! JSON `call` the server makes. Target: 256 bytes in at most 3 µs per call. The typed row is the
//! `paycrypt speed` workload `KMS Encrypt (256 B)` (`paycrypt::perf::workload::service::kms_encrypt`).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;

use paycrypt::keys::MemoryStore;
use paycrypt::perf::workload::service::kms_encrypt;
use paycrypt::service::Settings;
use paycrypt::service::kms::{CreateKeyRequest, Kms};

fn encrypt(c: &mut Criterion) {
    let kms = Kms::new(MemoryStore::new(), Settings::default());
    let Ok(key) = kms.create_key(CreateKeyRequest::default()) else { panic!("create key") };
    let key_id = key.key_metadata.arn.clone();
    let plaintext = vec![0x42u8; 256];
    let mut group = c.benchmark_group("kms");
    group.throughput(Throughput::Bytes(256));
    let mut op = kms_encrypt().instance().expect("workload");
    group.bench_function("encrypt_256_typed", |b| b.iter(|| op().expect("encrypt")));
    let body = json!({"KeyId": key_id, "Plaintext": <base64ct::Base64 as base64ct::Encoding>::encode_string(&plaintext),
        "EncryptionContext": {"purpose": "bench"}});
    group.bench_function("encrypt_256_call_json", |b| {
        b.iter(|| black_box(kms.call("Encrypt", body.clone()).is_some_and(|r| r.is_ok())));
    });
    group.finish();
}

criterion_group!(benches, encrypt);
criterion_main!(benches);
