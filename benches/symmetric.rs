//! Symmetric core throughput: every (algorithm, mode, direction) at 16 B, 4 KiB and 1 MiB through
//! paycrypt's `Cipher`, the raw RustCrypto crate for the same mode side by side at 4 KiB, KCV per
//! call, and one TDES block and key setup (`tdes/`) next to the `des` crate. paycrypt's rows are the
//! workloads of `paycrypt speed` (`paycrypt::perf::workload::symmetric`): the same keys, IVs and
//! in-place calls, so `paycrypt speed aes-128-cbc` and `modes/AES_128/CBC` measure the same thing. `benches/openssl_compare.sh`
//! runs a subset of these next to `openssl speed` and prints ratios.
//!
//! Filter as usual: `cargo bench --bench symmetric -- 'modes/AES_128/CBC'`.

use std::hint::black_box;
use std::time::Duration;

use aes::Aes128;
use cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit,
    StreamCipher,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use des::TdesEde3;

use paycrypt::kcv::KcvAlgorithm;
use paycrypt::perf::workload::symmetric::{self, MODES};
use paycrypt::perf::workload::{Direction, Op};
use paycrypt::{Algorithm, Cipher, Mode};

const SIZES: [usize; 3] = [16, 4096, 1 << 20];

/// An instance of the `paycrypt speed` workload for (algorithm, mode, direction, size).
fn cipher_op(algorithm: Algorithm, mode: Mode, direction: Direction, size: usize) -> Op {
    symmetric::cipher(algorithm, mode, direction, size).instance().expect("workload")
}

fn modes(c: &mut Criterion) {
    for algorithm in Algorithm::ALL {
        for mode in MODES {
            if !symmetric::supported(algorithm, mode) {
                continue;
            }
            let mut group = c.benchmark_group(format!("modes/{algorithm}/{mode}"));
            group.warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_millis(900));
            for size in SIZES {
                // 1 MiB of TDES takes tens of milliseconds (seconds for CFB1, one block operation per
                // bit): ten flat samples are plenty for a throughput figure.
                if size == 1 << 20 {
                    group.sample_size(10).sampling_mode(criterion::SamplingMode::Flat);
                }
                group.throughput(Throughput::Bytes(size as u64));
                for direction in Direction::BOTH {
                    let mut op = cipher_op(algorithm, mode, direction, size);
                    group.bench_function(BenchmarkId::new(direction.name(), size), |b| {
                        b.iter(|| op().expect("cipher"))
                    });
                }
            }
            group.finish();
        }
    }
}

/// The same 4 KiB work straight on the RustCrypto crates, to show what paycrypt's dispatch costs.
fn raw_crates(c: &mut Criterion) {
    const N: usize = 4096;
    let key16 = [0x42u8; 16];
    let iv16 = [0x24u8; 16];
    let key24 = [0x42u8; 24];
    let iv8 = [0x24u8; 8];
    let aes = Aes128::new(&key16.into());
    let tdes = TdesEde3::new(&key24.into());
    let mut buf = vec![0u8; N];
    let mut group = c.benchmark_group("raw");
    group.warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_millis(900));
    group.throughput(Throughput::Bytes(N as u64));
    macro_rules! bench {
        ($name:literal, $body:expr) => {
            group.bench_function(BenchmarkId::new($name, N), |b| b.iter(|| $body));
        };
    }
    bench!("AES_128/ECB/encrypt", {
        let (blocks, _) = cipher::array::Array::slice_as_chunks_mut(black_box(&mut buf[..]));
        aes.encrypt_blocks(blocks)
    });
    bench!("AES_128/CBC/encrypt", {
        let (blocks, _) = cipher::array::Array::slice_as_chunks_mut(black_box(&mut buf[..]));
        cbc::Encryptor::<Aes128>::new(&key16.into(), &iv16.into()).encrypt_blocks(blocks)
    });
    bench!("AES_128/CBC/decrypt", {
        let (blocks, _) = cipher::array::Array::slice_as_chunks_mut(black_box(&mut buf[..]));
        cbc::Decryptor::<Aes128>::new(&key16.into(), &iv16.into()).decrypt_blocks(blocks)
    });
    bench!(
        "AES_128/CFB8/encrypt",
        cfb8::Encryptor::<Aes128>::new(&key16.into(), &iv16.into()).encrypt(black_box(&mut buf))
    );
    bench!(
        "AES_128/CFB128/encrypt",
        cfb_mode::Encryptor::<Aes128>::new(&key16.into(), &iv16.into()).encrypt(black_box(&mut buf))
    );
    bench!(
        "AES_128/CFB128/decrypt",
        cfb_mode::Decryptor::<Aes128>::new(&key16.into(), &iv16.into()).decrypt(black_box(&mut buf))
    );
    bench!(
        "AES_128/OFB/encrypt",
        ofb::Ofb::<Aes128>::new(&key16.into(), &iv16.into()).apply_keystream(black_box(&mut buf))
    );
    bench!("TDES_3KEY/ECB/encrypt", {
        let (blocks, _) = cipher::array::Array::slice_as_chunks_mut(black_box(&mut buf[..]));
        tdes.encrypt_blocks(blocks)
    });
    bench!("TDES_3KEY/ECB/decrypt", {
        let (blocks, _) = cipher::array::Array::slice_as_chunks_mut(black_box(&mut buf[..]));
        tdes.decrypt_blocks(blocks)
    });
    bench!("TDES_3KEY/CBC/encrypt", {
        let (blocks, _) = cipher::array::Array::slice_as_chunks_mut(black_box(&mut buf[..]));
        cbc::Encryptor::<TdesEde3>::new(&key24.into(), &iv8.into()).encrypt_blocks(blocks)
    });
    bench!("TDES_3KEY/CBC/decrypt", {
        let (blocks, _) = cipher::array::Array::slice_as_chunks_mut(black_box(&mut buf[..]));
        cbc::Decryptor::<TdesEde3>::new(&key24.into(), &iv8.into()).decrypt_blocks(blocks)
    });
    bench!(
        "TDES_3KEY/CFB64/encrypt",
        cfb_mode::Encryptor::<TdesEde3>::new(&key24.into(), &iv8.into()).encrypt(black_box(&mut buf))
    );
    bench!(
        "TDES_3KEY/OFB/encrypt",
        ofb::Ofb::<TdesEde3>::new(&key24.into(), &iv8.into()).apply_keystream(black_box(&mut buf))
    );
    // Our side of the same comparisons: the `paycrypt speed` workloads, keyed once like the raw ones
    // (the same 0x42 key and 0x24 IV).
    let cases: [(&str, Algorithm, Mode, Direction); 13] = [
        ("AES_128/ECB/encrypt", Algorithm::Aes128, Mode::Ecb, Direction::Encrypt),
        ("AES_128/CBC/encrypt", Algorithm::Aes128, Mode::Cbc, Direction::Encrypt),
        ("AES_128/CBC/decrypt", Algorithm::Aes128, Mode::Cbc, Direction::Decrypt),
        ("AES_128/CFB8/encrypt", Algorithm::Aes128, Mode::Cfb8, Direction::Encrypt),
        ("AES_128/CFB128/encrypt", Algorithm::Aes128, Mode::Cfb128, Direction::Encrypt),
        ("AES_128/CFB128/decrypt", Algorithm::Aes128, Mode::Cfb128, Direction::Decrypt),
        ("AES_128/OFB/encrypt", Algorithm::Aes128, Mode::Ofb, Direction::Encrypt),
        ("TDES_3KEY/ECB/encrypt", Algorithm::Tdes3Key, Mode::Ecb, Direction::Encrypt),
        ("TDES_3KEY/ECB/decrypt", Algorithm::Tdes3Key, Mode::Ecb, Direction::Decrypt),
        ("TDES_3KEY/CBC/encrypt", Algorithm::Tdes3Key, Mode::Cbc, Direction::Encrypt),
        ("TDES_3KEY/CBC/decrypt", Algorithm::Tdes3Key, Mode::Cbc, Direction::Decrypt),
        ("TDES_3KEY/CFB64/encrypt", Algorithm::Tdes3Key, Mode::Cfb64, Direction::Encrypt),
        ("TDES_3KEY/OFB/encrypt", Algorithm::Tdes3Key, Mode::Ofb, Direction::Encrypt),
    ];
    for (name, algorithm, mode, direction) in cases {
        let mut op = cipher_op(algorithm, mode, direction, N);
        group.bench_function(BenchmarkId::new(format!("paycrypt/{name}"), N), |b| {
            b.iter(|| op().expect("mode"))
        });
    }
    group.finish();
}

fn kcvs(c: &mut Criterion) {
    let mut group = c.benchmark_group("kcv");
    group.warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_millis(900));
    for algorithm in Algorithm::ALL {
        for kcv_algorithm in [KcvAlgorithm::AnsiX924, KcvAlgorithm::Cmac] {
            let mut op = symmetric::check_value(algorithm, kcv_algorithm).instance().expect("workload");
            group.bench_function(BenchmarkId::new(algorithm.name(), kcv_algorithm.name()), |b| {
                b.iter(|| op().expect("kcv"))
            });
        }
    }
    group.finish();
}

/// One TDES block and one TDES key setup: through `Cipher` and straight on the `des` crate.
fn tdes_single(c: &mut Criterion) {
    let mut group = c.benchmark_group("tdes");
    group.warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_millis(900));
    let key24 = [0x42u8; 24];
    let ours = Cipher::new(Algorithm::Tdes3Key, &key24).expect("key");
    let raw = TdesEde3::new(&key24.into());
    let mut block = [0x24u8; 8];
    group.bench_function("one_block/paycrypt", |b| {
        b.iter(|| ours.encrypt_block(black_box(&mut block[..])).expect("block"))
    });
    group.bench_function("one_block/raw_des_crate", |b| {
        b.iter(|| raw.encrypt_block(black_box(&mut block).into()))
    });
    group.bench_function("key_setup/paycrypt", |b| {
        b.iter(|| Cipher::new(Algorithm::Tdes3Key, black_box(&key24)).expect("key"))
    });
    group.bench_function("key_setup/raw_des_crate", |b| b.iter(|| TdesEde3::new(black_box(&key24).into())));
    // Our core through its own type, without `Cipher`'s mode dispatch.
    let core = paycrypt::primitives::tdes::TdesEde3::new(&key24.into());
    group.bench_function("one_block/paycrypt_core", |b| {
        b.iter(|| core.encrypt_u64(black_box(0x2424_2424_2424_2424)))
    });
    group.finish();
}

criterion_group!(benches, modes, raw_crates, kcvs, tdes_single);
criterion_main!(benches);
