//! Any algorithm, mode, key, IV, data and padding: the symmetric core never panics, errors only on
//! input that breaks a rule, and decrypting what it encrypted gives the input back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::padding::Padding;
use paycrypt::{Algorithm, Cipher, Mode};

fuzz_target!(|input: &[u8]| {
    let [a, m, p, key_len, iv_len, rest @ ..] = input else { return };
    let algorithm = Algorithm::ALL[usize::from(*a) % Algorithm::ALL.len()];
    let mode = Mode::ALL[usize::from(*m) % Mode::ALL.len()];
    let padding = Padding::ALL[usize::from(*p) % Padding::ALL.len()];
    let key_len = usize::from(*key_len % 40).min(rest.len());
    let (key, rest) = rest.split_at(key_len);
    let iv_len = usize::from(*iv_len % 20).min(rest.len());
    let (iv, data) = rest.split_at(iv_len);
    let Ok(cipher) = Cipher::new(algorithm, key) else { return };
    let iv = (iv_len != 0).then_some(iv);
    let padded = padding.pad(data, algorithm.block_len());
    if let Ok(ct) = cipher.encrypt(mode, iv, &padded) {
        let pt = cipher.decrypt(mode, iv, &ct).expect("decrypt what encrypt accepted");
        assert_eq!(pt, padded);
        let _ = padding.unpad(&pt, algorithm.block_len()).expect("unpad what pad made");
    }
    // Arbitrary ciphertext through decrypt and unpad: errors, never panics.
    if let Ok(pt) = cipher.decrypt(mode, iv, data) {
        let _ = padding.unpad(&pt, algorithm.block_len());
    }
});
