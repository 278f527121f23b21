//! Key exchange through the service: ImportKey with a TR-31 block (unwrap under a KEK in the store,
//! map the header, compute the check value, store the key), ExportKey as TR-31 (wrap with random
//! padding), and EncryptData with a `WrappedKey` against plain EncryptData (what unwrapping per call
//! costs). A memory store; AES-256 KEK, AES-128 key, version D blocks.
//!
//! `cargo bench --bench key_exchange`. The TR-31 primitive alone, against psec, is `benches/tr31.rs`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

use paycrypt::keys::MemoryStore;
use paycrypt::primitives::tr31::{self, Header};
use paycrypt::service::{ControlOperation, DataOperation, PaymentCryptography, Settings};

const KEK: &str = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
const KEY: &str = "2B7E151628AED2A6ABF7158809CF4F3C";

fn import(svc: &PaymentCryptography<MemoryStore>, body: Value) -> String {
    let out = svc.dispatch(ControlOperation::ImportKey.into(), body).expect("import");
    out["Key"]["KeyArn"].as_str().expect("arn").to_owned()
}

fn key_exchange(c: &mut Criterion) {
    let svc = PaymentCryptography::new(MemoryStore::new(), Settings::default());
    let kek = import(
        &svc,
        json!({"KeyMaterial": {"ClearKey": {"KeyAttributes": {"KeyAlgorithm": "AES_256", "KeyClass": "SYMMETRIC_KEY",
            "KeyUsage": "TR31_K0_KEY_ENCRYPTION_KEY", "KeyModesOfUse": {"Encrypt": true, "Decrypt": true, "Wrap": true, "Unwrap": true}},
            "KeyMaterial": KEK}}}),
    );
    let block = tr31::wrap(
        &hex::decode(KEK).expect("hex"),
        &Header::parse("D0000D0AB00E0000").expect("header"),
        &hex::decode(KEY).expect("hex"),
    )
    .expect("wrap");
    let data_key = import(
        &svc,
        json!({"KeyMaterial": {"Tr31KeyBlock": {"WrappingKeyIdentifier": kek, "WrappedKeyBlock": block}}}),
    );
    let mut g = c.benchmark_group("key_exchange");
    g.measurement_time(Duration::from_secs(3));
    let import_body =
        json!({"KeyMaterial": {"Tr31KeyBlock": {"WrappingKeyIdentifier": kek, "WrappedKeyBlock": block}}});
    g.bench_function("ImportKey/Tr31KeyBlock", |b| {
        b.iter(|| black_box(svc.dispatch(ControlOperation::ImportKey.into(), import_body.clone())))
    });
    let export_body = json!({"ExportKeyIdentifier": data_key, "KeyMaterial": {"Tr31KeyBlock": {"WrappingKeyIdentifier": kek}}});
    g.bench_function("ExportKey/Tr31KeyBlock", |b| {
        b.iter(|| black_box(svc.dispatch(ControlOperation::ExportKey.into(), export_body.clone())))
    });
    let plain = json!({"KeyIdentifier": data_key, "PlainText": "6B".repeat(32),
        "EncryptionAttributes": {"Symmetric": {"Mode": "CBC", "InitializationVector": "000102030405060708090A0B0C0D0E0F"}}});
    g.bench_function("EncryptData/stored key", |b| {
        b.iter(|| black_box(svc.dispatch(DataOperation::EncryptData.into(), plain.clone())))
    });
    let mut wrapped = plain.clone();
    wrapped["KeyIdentifier"] = json!(kek);
    wrapped["WrappedKey"] = json!({"WrappedKeyMaterial": {"Tr31KeyBlock": block}});
    g.bench_function("EncryptData/WrappedKey", |b| {
        b.iter(|| black_box(svc.dispatch(DataOperation::EncryptData.into(), wrapped.clone())))
    });
    g.finish();
}

criterion_group!(benches, key_exchange);
criterion_main!(benches);
