//! TR-31 key blocks through the library: wrap and unwrap of a 16-byte TDES key (version B, 2-key TDES
//! KBPK) and of an AES-256 key (version D, AES-256 KBPK), header `…P0?E00E0100KS18…` with one optional
//! block; key blocks per second. The Python peer is `benches/peers/tr31_psec.py` (psec, same workload).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use paycrypt::primitives::tr31::{self, Header};

/// (name, header, KBPK length, key length): the same in the Python peer.
const CASES: [(&str, &str, usize, usize); 2] = [
    ("B_tdes2", "B0000P0TE00E0100KS1800604B120F9292800000", 16, 16),
    ("D_aes256", "D0000P0AE00E0100KS1800604B120F9292800000", 32, 32),
];

fn key_blocks(c: &mut Criterion) {
    let mut group = c.benchmark_group("tr31");
    group.throughput(Throughput::Elements(1));
    for (name, text, kbpk_len, key_len) in CASES {
        let Ok(header) = Header::parse(text) else { panic!("header {text}") };
        let kbpk = vec![0x41u8; kbpk_len];
        let key = vec![0x5au8; key_len];
        group.bench_function(BenchmarkId::new("wrap", name), |b| {
            b.iter(|| black_box(tr31::wrap(&kbpk, &header, &key).is_ok()));
        });
        let Ok(block) = tr31::wrap(&kbpk, &header, &key) else { panic!("wrap {name}") };
        group.bench_function(BenchmarkId::new("unwrap", name), |b| {
            b.iter(|| black_box(tr31::unwrap(&kbpk, &block).is_ok()));
        });
    }
    group.finish();
}

criterion_group!(benches, key_blocks);
criterion_main!(benches);
