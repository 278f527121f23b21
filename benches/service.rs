//! The service and the CLI over a key store: EncryptData (32-byte AES-CBC) through `service` with the
//! key in a memory store and in a file store; `paycrypt encrypt-data` as a whole process on a store of
//! 10,000 keys; opening that store, and the memory it takes (printed once, from /proc).
//!
//! The memory-store row is the `paycrypt speed` workload `EncryptData AES-128-CBC (32 B)`
//! (`paycrypt::perf::workload::service::encrypt_data`).
//!
//! `cargo bench --bench service`; the store is built once under target/ (10,000 keys in one transaction).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use paycrypt::Mode;
use paycrypt::keys::{FileStore, KeyStore, MasterKey, OpenOptions};
use paycrypt::service::{EncryptDataInput, PaymentCryptography, SeedFile, SeedKey, Settings};

const MASTER: &str = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
const KEYS: usize = 10_000;

fn request(arn: &str) -> EncryptDataInput {
    EncryptDataInput::symmetric(arn, &"6B".repeat(32), Mode::Cbc, Some("000102030405060708090A0B0C0D0E0F"))
}

/// A store of `KEYS` AES keys with ids key00000000NNNN and alias/bench -> the last one.
fn big_store() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-store-10k");
    if dir.join("keys.redb").exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let store = FileStore::open_with_master(
        &dir,
        MasterKey::from_hex(MASTER).expect("master"),
        &OpenOptions::default(),
    )
    .expect("open");
    let svc = PaymentCryptography::new(store, Settings::default());
    let keys: Vec<SeedKey> = (0..KEYS)
        .map(|i| {
            serde_json::from_value(serde_json::json!({
                "KeyId": format!("key{i:013}"),
                "KeyAttributes": {"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
                    "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": true}},
                "KeyMaterial": format!("{i:032X}")
            }))
            .expect("seed key")
        })
        .collect();
    let file: SeedFile = serde_json::from_value(serde_json::json!({"Aliases": [{"AliasName": "alias/bench", "KeyId": format!("key{:013}", KEYS - 1)}]}))
        .expect("seed file");
    svc.seed(&SeedFile { keys, aliases: file.aliases, ..SeedFile::default() }).expect("seed");
    dir
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn encrypt_data(c: &mut Criterion) {
    let mut group = c.benchmark_group("service");
    group.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));

    let mut op = paycrypt::perf::workload::service::encrypt_data().instance().expect("workload");
    group.bench_function("encrypt_data/aes128_cbc_32B/memory_store", |b| b.iter(|| op().expect("encrypt")));

    let dir = big_store();
    let file = PaymentCryptography::new(
        FileStore::open_with_master(
            &dir,
            MasterKey::from_hex(MASTER).expect("master"),
            &OpenOptions::default(),
        )
        .expect("open"),
        Settings::default(),
    );
    group.bench_function("encrypt_data/aes128_cbc_32B/file_store_10k", |b| {
        b.iter(|| file.encrypt_data(black_box(request("alias/bench"))).expect("encrypt"))
    });
    drop(file);
    group.finish();
}

/// Memory of an opened 10,000-key store, measured first, before anything else in this process has
/// touched a store.
fn store_memory(_: &mut Criterion) {
    let dir = big_store();
    let before = rss_kib();
    let store = FileStore::open_with_master(
        &dir,
        MasterKey::from_hex(MASTER).expect("master"),
        &OpenOptions::default(),
    )
    .expect("open");
    let opened = rss_kib();
    let n = store.list_keys(None, KEYS + 1).expect("list").len();
    let listed = rss_kib();
    println!(
        "store memory: open {} KiB, after listing all {n} keys {} KiB (RSS growth); db file {} KiB",
        opened.saturating_sub(before),
        listed.saturating_sub(before),
        std::fs::metadata(dir.join("keys.redb")).map(|m| m.len() / 1024).unwrap_or(0)
    );
}

fn store_open(c: &mut Criterion) {
    let dir = big_store();
    let mut group = c.benchmark_group("store");
    group.warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(2));
    group.bench_function("open_10k_keys", |b| {
        b.iter(|| {
            let store = FileStore::open_with_master(
                &dir,
                MasterKey::from_hex(MASTER).expect("master"),
                &OpenOptions::default(),
            );
            black_box(store.expect("open"))
        })
    });
    group.finish();
}

fn cli_process(c: &mut Criterion) {
    let dir = big_store();
    let mut group = c.benchmark_group("cli");
    group.sample_size(30).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    group.bench_function("encrypt_data_process_10k_store", |b| {
        b.iter(|| {
            let out = Command::new(env!("CARGO_BIN_EXE_paycrypt"))
                .args(["encrypt-data", "--key-identifier", "alias/bench", "--plain-text", &"6B".repeat(32)])
                .args(["--encryption-attributes", r#"{"Symmetric":{"Mode":"CBC"}}"#])
                .env("PAYCRYPT_DATA_DIR", &dir)
                .env("PAYCRYPT_MASTER_KEY", MASTER)
                .output()
                .expect("run");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        })
    });
    group.finish();
}

criterion_group!(benches, store_memory, encrypt_data, store_open, cli_process);
criterion_main!(benches);
