//! TR-31 key blocks through the library: wrap and unwrap of a 16-byte TDES key (version B, 2-key TDES
//! KBPK) and of an AES-256 key (version D, AES-256 KBPK), header `…P0?E00E0100KS18…` with one optional
//! block; key blocks per second. The Python peer is `benches/peers/tr31_psec.py` (psec, same workload).
//! Each row is a `paycrypt speed tr31` workload (`paycrypt::perf::workload::service::tr31`).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use paycrypt::perf::workload::Direction;
use paycrypt::perf::workload::service::{TR31_CASES, tr31};

fn key_blocks(c: &mut Criterion) {
    let mut group = c.benchmark_group("tr31");
    group.throughput(Throughput::Elements(1));
    for (name, ..) in TR31_CASES {
        for (verb, direction) in [("wrap", Direction::Encrypt), ("unwrap", Direction::Decrypt)] {
            let mut op = tr31(name, direction).instance().expect("workload");
            group.bench_function(BenchmarkId::new(verb, name), |b| b.iter(|| op().expect("key block")));
        }
    }
    group.finish();
}

criterion_group!(benches, key_blocks);
criterion_main!(benches);
