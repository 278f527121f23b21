//! AWS Encryption SDK messages through the library: encrypt and decrypt of 1 KiB and 1 MiB with suites
//! 0x0478 (no signature) and 0x0578 (ECDSA P-384), with a KMS keyring over the local `Kms` (each message
//! one GenerateDataKey, or one Decrypt, on a memory store) and with a raw AES keyring (the data key
//! unwrapped locally: the message's own cost). The Python peer is `benches/peers/esdk_python.py`. Each row
//! is a `paycrypt speed esdk` workload (`paycrypt::perf::workload::service::esdk`).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use paycrypt::perf::workload::Direction;
use paycrypt::perf::workload::service::{EsdkKeyring, esdk};

/// 1 KiB and 1 MiB.
const SIZES: [(usize, &str); 2] = [(1024, "1KiB"), (1 << 20, "1MiB")];

fn messages(c: &mut Criterion) {
    for (suite_id, suite_name) in [(0x0478u16, "0x0478"), (0x0578, "0x0578")] {
        let mut group = c.benchmark_group(format!("esdk_{suite_name}"));
        for (size, size_name) in SIZES {
            group.throughput(Throughput::Bytes(u64::try_from(size).unwrap_or(u64::MAX)));
            if size > 4096 {
                group.sample_size(20);
            } else {
                group.sample_size(100);
            }
            for keyring in [EsdkKeyring::Kms, EsdkKeyring::Raw] {
                for direction in Direction::BOTH {
                    let mut op = esdk(suite_id, keyring, direction, size).instance().expect("workload");
                    let id = BenchmarkId::new(format!("{}_{}", direction.name(), keyring.name()), size_name);
                    group.bench_function(id, |b| b.iter(|| op().expect("message")));
                }
            }
        }
        group.finish();
    }
}

criterion_group!(benches, messages);
criterion_main!(benches);
