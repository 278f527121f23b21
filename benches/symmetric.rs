//! Symmetric core throughput: every (algorithm, mode, direction) at 16 B, 4 KiB and 1 MiB through
//! paycrypt's `Cipher`, the raw RustCrypto crate for the same mode side by side at 4 KiB, KCV per
//! call, and one TDES block and key setup (`tdes/`) next to the `des` crate. `benches/openssl_compare.sh`
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

use paycrypt::kcv::{KcvAlgorithm, kcv};
use paycrypt::{Algorithm, Cipher, Mode, SymmetricKey};

const SIZES: [usize; 3] = [16, 4096, 1 << 20];
const MODES: [Mode; 7] = [Mode::Ecb, Mode::Cbc, Mode::Cfb1, Mode::Cfb8, Mode::Cfb64, Mode::Cfb128, Mode::Ofb];

fn modes(c: &mut Criterion) {
    for algorithm in Algorithm::ALL {
        let cipher = Cipher::new(algorithm, &vec![0x42; algorithm.key_len()]).expect("key");
        let iv = vec![0x24; algorithm.block_len()];
        for mode in MODES {
            if mode == Mode::Cfb128 && algorithm.is_tdes() {
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
                let iv = mode.takes_iv().then_some(iv.as_slice());
                let mut buf = vec![0u8; size];
                group.throughput(Throughput::Bytes(size as u64));
                group.bench_function(BenchmarkId::new("encrypt", size), |b| {
                    b.iter(|| cipher.encrypt_in_place(mode, iv, black_box(&mut buf)).expect("encrypt"))
                });
                group.bench_function(BenchmarkId::new("decrypt", size), |b| {
                    b.iter(|| cipher.decrypt_in_place(mode, iv, black_box(&mut buf)).expect("decrypt"))
                });
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
    // Our side of the same comparisons, keyed once like the raw ones.
    let ours_aes = Cipher::new(Algorithm::Aes128, &key16).expect("key");
    let ours_tdes = Cipher::new(Algorithm::Tdes3Key, &key24).expect("key");
    let cases: [Case<'_>; 13] = [
        ("AES_128/ECB/encrypt", &ours_aes, Mode::Ecb, true, None),
        ("AES_128/CBC/encrypt", &ours_aes, Mode::Cbc, true, Some(&iv16)),
        ("AES_128/CBC/decrypt", &ours_aes, Mode::Cbc, false, Some(&iv16)),
        ("AES_128/CFB8/encrypt", &ours_aes, Mode::Cfb8, true, Some(&iv16)),
        ("AES_128/CFB128/encrypt", &ours_aes, Mode::Cfb128, true, Some(&iv16)),
        ("AES_128/CFB128/decrypt", &ours_aes, Mode::Cfb128, false, Some(&iv16)),
        ("AES_128/OFB/encrypt", &ours_aes, Mode::Ofb, true, Some(&iv16)),
        ("TDES_3KEY/ECB/encrypt", &ours_tdes, Mode::Ecb, true, None),
        ("TDES_3KEY/ECB/decrypt", &ours_tdes, Mode::Ecb, false, None),
        ("TDES_3KEY/CBC/encrypt", &ours_tdes, Mode::Cbc, true, Some(&iv8)),
        ("TDES_3KEY/CBC/decrypt", &ours_tdes, Mode::Cbc, false, Some(&iv8)),
        ("TDES_3KEY/CFB64/encrypt", &ours_tdes, Mode::Cfb64, true, Some(&iv8)),
        ("TDES_3KEY/OFB/encrypt", &ours_tdes, Mode::Ofb, true, Some(&iv8)),
    ];
    for (name, cipher, mode, encrypt, iv) in cases {
        group.bench_function(BenchmarkId::new(format!("paycrypt/{name}"), N), |b| {
            b.iter(|| {
                let buf = black_box(&mut buf[..]);
                if encrypt {
                    cipher.encrypt_in_place(mode, iv, buf)
                } else {
                    cipher.decrypt_in_place(mode, iv, buf)
                }
                .expect("mode")
            })
        });
    }
    group.finish();
}

/// A paycrypt side of a raw comparison: name, cipher, mode, encrypt?, IV.
type Case<'a> = (&'a str, &'a Cipher, Mode, bool, Option<&'a [u8]>);

fn kcvs(c: &mut Criterion) {
    let mut group = c.benchmark_group("kcv");
    group.warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_millis(900));
    for algorithm in Algorithm::ALL {
        let key = SymmetricKey::new(algorithm, &vec![0x42; algorithm.key_len()]).expect("key");
        for kcv_algorithm in [KcvAlgorithm::AnsiX924, KcvAlgorithm::Cmac] {
            group.bench_function(BenchmarkId::new(algorithm.name(), kcv_algorithm.name()), |b| {
                b.iter(|| kcv(black_box(&key), kcv_algorithm))
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
