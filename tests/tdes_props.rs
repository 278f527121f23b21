//! Our own DES/TDES core (`paycrypt::primitives::tdes`) against the RustCrypto `des` crate, the
//! differential oracle: every block operation of single DES, TDES_2KEY and TDES_3KEY on random keys and
//! data, every mode through `Cipher` against the mode crates (or a plain CFB1) over `des`, and CMAC and
//! KCV.

#![allow(clippy::unwrap_used)]

use cipher::array::Array;
use cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, KeyInit,
    StreamCipher,
};
use cmac::{Cmac, Mac};
use proptest::prelude::*;

use paycrypt::kcv::{KcvAlgorithm, check_block};
use paycrypt::primitives::tdes::{Des, TdesEde2, TdesEde3};
use paycrypt::{Algorithm, Cipher, Mode, SymmetricKey};

/// Random whole blocks: 0 to 40 of them, so both the three-block path and the one or two left over run.
fn blocks() -> impl Strategy<Value = Vec<u8>> {
    (0usize..40).prop_flat_map(|n| prop::collection::vec(any::<u8>(), 8 * n))
}

/// Every block operation of `ours` against `oracle` (same key): one block each way, many blocks each
/// way (the parallel path), and the round trip.
fn same_blocks<O, T>(ours: &O, oracle: &T, data: &[u8]) -> Result<(), TestCaseError>
where
    O: BlockCipherEncrypt<BlockSize = cipher::consts::U8> + BlockCipherDecrypt,
    T: BlockCipherEncrypt<BlockSize = cipher::consts::U8> + BlockCipherDecrypt,
{
    let (mut a, mut b) = (data.to_vec(), data.to_vec());
    {
        let (blocks_a, _) = Array::slice_as_chunks_mut(&mut a[..]);
        let (blocks_b, _) = Array::slice_as_chunks_mut(&mut b[..]);
        ours.encrypt_blocks(blocks_a);
        oracle.encrypt_blocks(blocks_b);
    }
    prop_assert_eq!(&a, &b, "encrypt_blocks");
    for chunk in data.chunks_exact(8) {
        let (mut x, mut y) = (Array::try_from(chunk).unwrap(), Array::try_from(chunk).unwrap());
        ours.encrypt_block(&mut x);
        oracle.encrypt_block(&mut y);
        prop_assert_eq!(x, y, "encrypt_block");
        ours.decrypt_block(&mut x);
        oracle.decrypt_block(&mut y);
        prop_assert_eq!(x, y, "decrypt_block");
        prop_assert_eq!(&x[..], chunk, "decrypt_block round trip");
    }
    {
        let (blocks_a, _) = Array::slice_as_chunks_mut(&mut a[..]);
        let (blocks_b, _) = Array::slice_as_chunks_mut(&mut b[..]);
        ours.decrypt_blocks(blocks_a);
        oracle.decrypt_blocks(blocks_b);
    }
    prop_assert_eq!(&a, &b, "decrypt_blocks");
    prop_assert_eq!(&a[..], data, "decrypt_blocks round trip");
    Ok(())
}

/// CFB1 (NIST SP 800-38A §6.3, 1-bit segments) over whole bytes, one bit at a time: a plain reference.
fn cfb1_reference<C: BlockCipherEncrypt<BlockSize = cipher::consts::U8>>(
    cipher: &C,
    iv: &[u8],
    data: &mut [u8],
    encrypt: bool,
) {
    let mut register = u64::from_be_bytes(iv.try_into().unwrap());
    for byte in data.iter_mut() {
        let mut out = 0u8;
        for bit in (0..8).rev() {
            let mut block = Array::from(register.to_be_bytes());
            cipher.encrypt_block(&mut block);
            let input = (*byte >> bit) & 1;
            let output = input ^ (block[0] >> 7);
            out |= output << bit;
            let cipher_bit = if encrypt { output } else { input };
            register = (register << 1) | u64::from(cipher_bit);
        }
        *byte = out;
    }
}

/// `data` through `mode` in `direction` on the `des` crate's cipher for `key`, with the RustCrypto mode
/// crates (and [`cfb1_reference`]).
fn oracle_mode<C>(key: &[u8], mode: Mode, iv: &[u8], data: &[u8], encrypt: bool) -> Vec<u8>
where
    C: BlockCipherEncrypt<BlockSize = cipher::consts::U8> + BlockCipherDecrypt + KeyInit + Clone,
{
    let cipher = C::new_from_slice(key).unwrap();
    let iv8: Array<u8, cipher::consts::U8> = Array::try_from(iv).unwrap();
    let mut buf = data.to_vec();
    match mode {
        Mode::Ecb | Mode::Cbc => {
            let (blocks, _) = Array::slice_as_chunks_mut(&mut buf[..]);
            match (mode, encrypt) {
                (Mode::Ecb, true) => cipher.encrypt_blocks(blocks),
                (Mode::Ecb, false) => cipher.decrypt_blocks(blocks),
                (_, true) => cbc::Encryptor::inner_iv_init(cipher, &iv8).encrypt_blocks(blocks),
                (_, false) => cbc::Decryptor::inner_iv_init(cipher, &iv8).decrypt_blocks(blocks),
            }
        }
        Mode::Cfb1 => cfb1_reference(&cipher, iv, &mut buf, encrypt),
        Mode::Cfb8 if encrypt => cfb8::Encryptor::inner_iv_init(cipher, &iv8).encrypt(&mut buf),
        Mode::Cfb8 => cfb8::Decryptor::inner_iv_init(cipher, &iv8).decrypt(&mut buf),
        Mode::Cfb | Mode::Cfb64 if encrypt => {
            cfb_mode::Encryptor::inner_iv_init(cipher, &iv8).encrypt(&mut buf)
        }
        Mode::Cfb | Mode::Cfb64 => cfb_mode::Decryptor::inner_iv_init(cipher, &iv8).decrypt(&mut buf),
        Mode::Ofb => ofb::Ofb::from_core(ofb::OfbCore::inner_iv_init(cipher, &iv8)).apply_keystream(&mut buf),
        Mode::Cfb128 => unreachable!("CFB128 does not exist for TDES"),
    }
    buf
}

/// CMAC (NIST SP 800-38B) of `data` with the `cmac` crate over the `des` crate.
fn oracle_cmac(three: bool, key: &[u8], data: &[u8]) -> Vec<u8> {
    fn tag<M: Mac + cmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
        let mut mac = <M as cmac::digest::KeyInit>::new_from_slice(key).unwrap();
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    }
    if three { tag::<Cmac<des::TdesEde3>>(key, data) } else { tag::<Cmac<des::TdesEde2>>(key, data) }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn des_blocks_match_the_des_crate(key in any::<[u8; 8]>(), data in blocks()) {
        let ours = Des::new(&key.into());
        let oracle = des::Des::new(&key.into());
        same_blocks(&ours, &oracle, &data)?;
        for chunk in data.chunks_exact(8) {
            let x = u64::from_be_bytes(chunk.try_into().unwrap());
            prop_assert_eq!(ours.decrypt_u64(ours.encrypt_u64(x)), x);
        }
    }

    #[test]
    fn tdes_2key_blocks_match_the_des_crate(key in any::<[u8; 16]>(), data in blocks()) {
        let ours = TdesEde2::new(&key.into());
        same_blocks(&ours, &des::TdesEde2::new(&key.into()), &data)?;
        // Keying option 2 is option 1 with K3 = K1.
        let mut three = [0u8; 24];
        three[..16].copy_from_slice(&key);
        three[16..].copy_from_slice(&key[..8]);
        same_blocks(&ours, &des::TdesEde3::new(&three.into()), &data)?;
        for chunk in data.chunks_exact(8) {
            let x = u64::from_be_bytes(chunk.try_into().unwrap());
            let mut block = Array::try_from(chunk).unwrap();
            des::TdesEde2::new(&key.into()).encrypt_block(&mut block);
            prop_assert_eq!(ours.encrypt_u64(x), u64::from_be_bytes(block.0));
            prop_assert_eq!(ours.decrypt_u64(ours.encrypt_u64(x)), x);
        }
    }

    #[test]
    fn tdes_3key_blocks_match_the_des_crate(key in any::<[u8; 24]>(), data in blocks()) {
        let ours = TdesEde3::new(&key.into());
        same_blocks(&ours, &des::TdesEde3::new(&key.into()), &data)?;
        for chunk in data.chunks_exact(8) {
            let x = u64::from_be_bytes(chunk.try_into().unwrap());
            prop_assert_eq!(ours.decrypt_u64(ours.encrypt_u64(x)), x);
        }
    }

    #[test]
    fn cmac_and_kcv_match_the_des_crate(
        three in any::<bool>(),
        key in any::<[u8; 24]>(),
        data in prop::collection::vec(any::<u8>(), 0..100),
    ) {
        let (algorithm, key) = if three { (Algorithm::Tdes3Key, &key[..]) } else { (Algorithm::Tdes2Key, &key[..16]) };
        let symmetric = SymmetricKey::new(algorithm, key).unwrap();
        prop_assert_eq!(paycrypt::kcv::cmac(&symmetric, &data), oracle_cmac(three, key, &data));
        prop_assert_eq!(check_block(&symmetric, KcvAlgorithm::Cmac), oracle_cmac(three, key, &[0u8; 8]));
        let mut zero = Array::from([0u8; 8]);
        if three {
            des::TdesEde3::new_from_slice(key).unwrap().encrypt_block(&mut zero);
        } else {
            des::TdesEde2::new_from_slice(key).unwrap().encrypt_block(&mut zero);
        }
        prop_assert_eq!(check_block(&symmetric, KcvAlgorithm::AnsiX924), zero.to_vec());
    }
}

proptest! {
    // CFB1 runs one block operation per bit, in four implementations: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_tdes_mode_matches_the_des_crate(
        three in any::<bool>(),
        key in any::<[u8; 24]>(),
        iv in any::<[u8; 8]>(),
        data in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let (algorithm, key) = if three { (Algorithm::Tdes3Key, &key[..]) } else { (Algorithm::Tdes2Key, &key[..16]) };
        let ours = Cipher::new(algorithm, key).unwrap();
        for mode in [Mode::Ecb, Mode::Cbc, Mode::Cfb, Mode::Cfb1, Mode::Cfb8, Mode::Cfb64, Mode::Ofb] {
            let data = if mode.needs_whole_blocks() { &data[..data.len() / 8 * 8] } else { &data[..] };
            let iv_arg = mode.takes_iv().then_some(&iv[..]);
            for encrypt in [true, false] {
                let got = if encrypt {
                    ours.encrypt(mode, iv_arg, data).unwrap()
                } else {
                    ours.decrypt(mode, iv_arg, data).unwrap()
                };
                let expected = if three {
                    oracle_mode::<des::TdesEde3>(key, mode, &iv, data, encrypt)
                } else {
                    oracle_mode::<des::TdesEde2>(key, mode, &iv, data, encrypt)
                };
                prop_assert_eq!(&got, &expected, "{} {} encrypt={}", algorithm, mode, encrypt);
                // The mode crates over our cipher type give the same.
                let over_ours = if three {
                    oracle_mode::<TdesEde3>(key, mode, &iv, data, encrypt)
                } else {
                    oracle_mode::<TdesEde2>(key, mode, &iv, data, encrypt)
                };
                prop_assert_eq!(&over_ours, &expected, "{} {} over our type", algorithm, mode);
            }
        }
    }
}

#[test]
fn debug_shows_no_key_material() {
    let key = [0x42u8; 24];
    let printed = format!(
        "{:?} {:?} {:?}",
        Des::new(&key[..8].try_into().unwrap()),
        TdesEde2::new(&key[..16].try_into().unwrap()),
        TdesEde3::new(&key.into())
    );
    assert_eq!(printed, r#"Des { key: "..." } TdesEde2 { key: "..." } TdesEde3 { key: "..." }"#);
}

#[test]
fn keys_zeroize() {
    use zeroize::Zeroize;
    let key = [0x42u8; 24];
    let mut zeroed = TdesEde3::new(&key.into());
    zeroed.zeroize();
    // A zeroized schedule is the all-zero key's schedule (all-zero subkeys): it encrypts as DES under
    // the all-zero key does, three times over.
    let zero_key = des::TdesEde3::new(&[0u8; 24].into());
    let mut a = Array::from([0x5Au8; 8]);
    let mut b = a;
    zeroed.encrypt_block(&mut a);
    zero_key.encrypt_block(&mut b);
    assert_eq!(a, b);
    let mut z2 = TdesEde2::new(&key[..16].try_into().unwrap());
    z2.zeroize();
    let mut d = Des::new(&key[..8].try_into().unwrap());
    d.zeroize();
    let mut c = Array::from([0x5Au8; 8]);
    let mut e = c;
    d.encrypt_block(&mut c);
    des::Des::new(&[0u8; 8].into()).encrypt_block(&mut e);
    assert_eq!(c, e);
}
