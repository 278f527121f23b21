//! AWS Encryption SDK messages through the library: encrypt and decrypt of 1 KiB and 1 MiB with suites
//! 0x0478 (no signature) and 0x0578 (ECDSA P-384), with a KMS keyring over the local `Kms` (each message
//! one GenerateDataKey, or one Decrypt, on a memory store) and with a raw AES keyring (the data key
//! unwrapped locally: the message's own cost). The Python peer is `benches/peers/esdk_python.py`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use paycrypt::esdk::{
    self, DecryptOptions, EncryptOptions, EncryptionContext, Keyring, KmsKeyring, RawAesKeyring, Suite,
};
use paycrypt::keys::MemoryStore;
use paycrypt::service::Settings;
use paycrypt::service::kms::{CreateKeyRequest, Kms};

/// 1 KiB and 1 MiB.
const SIZES: [(usize, &str); 2] = [(1024, "1KiB"), (1 << 20, "1MiB")];

fn messages(c: &mut Criterion) {
    let kms = Kms::new(MemoryStore::new(), Settings::default());
    let Ok(key) = kms.create_key(CreateKeyRequest::default()) else { panic!("create a KMS key") };
    let Ok(kms_ring) = KmsKeyring::new(&kms, vec![key.key_metadata.arn.clone()]) else {
        panic!("KMS keyring")
    };
    let Ok(raw_ring) = RawAesKeyring::new("bench", "raw-1", &[7u8; 32]) else { panic!("raw keyring") };
    let keyrings: [(&str, &dyn Keyring); 2] = [("kms", &kms_ring), ("raw", &raw_ring)];
    let context: EncryptionContext = [("purpose".to_owned(), "bench".to_owned())].into_iter().collect();

    for (suite_id, suite_name) in [(0x0478u16, "0x0478"), (0x0578, "0x0578")] {
        let Some(suite) = Suite::from_id(suite_id) else { panic!("suite {suite_name}") };
        let options = EncryptOptions { suite, frame_length: 4096, context: context.clone() };
        let mut group = c.benchmark_group(format!("esdk_{suite_name}"));
        for (size, size_name) in SIZES {
            let plaintext = vec![0x5au8; size];
            group.throughput(Throughput::Bytes(u64::try_from(size).unwrap_or(u64::MAX)));
            if size > 4096 {
                group.sample_size(20);
            } else {
                group.sample_size(100);
            }
            for (ring_name, keyring) in keyrings {
                group.bench_function(BenchmarkId::new(format!("encrypt_{ring_name}"), size_name), |b| {
                    b.iter(|| black_box(esdk::encrypt(&plaintext, keyring, &options).is_ok()));
                });
                let Ok(message) = esdk::encrypt(&plaintext, keyring, &options) else { panic!("encrypt") };
                let decrypt_options = DecryptOptions::default();
                group.bench_function(BenchmarkId::new(format!("decrypt_{ring_name}"), size_name), |b| {
                    b.iter(|| black_box(esdk::decrypt(&message, keyring, &decrypt_options).is_ok()));
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, messages);
criterion_main!(benches);
