//! `aes`, `tdes` and `kcv`: each (algorithm, mode, direction) through [`Cipher`] on a message of a given
//! size, in place, keyed once per instance; the key check value of each algorithm.

use std::hint::black_box;

use crate::kcv::{KcvAlgorithm, kcv};
use crate::perf::workload::{Direction, OpensslCipher, Workload, WorkloadError};
use crate::{Algorithm, Cipher, Mode, SymmetricKey};

/// The modes measured, as `benches/symmetric.rs` has them (plain `CFB` is CFB64 or CFB128 by block).
pub const MODES: [Mode; 7] =
    [Mode::Ecb, Mode::Cbc, Mode::Cfb1, Mode::Cfb8, Mode::Cfb64, Mode::Cfb128, Mode::Ofb];

/// The key byte (every byte of the key).
const KEY_BYTE: u8 = 0x42;
/// The IV byte.
const IV_BYTE: u8 = 0x24;

/// The algorithm as a workload name spells it: `AES-128`, `TDES-2KEY`.
pub const fn algorithm_name(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::Tdes2Key => "TDES-2KEY",
        Algorithm::Tdes3Key => "TDES-3KEY",
        Algorithm::Aes128 => "AES-128",
        Algorithm::Aes192 => "AES-192",
        Algorithm::Aes256 => "AES-256",
    }
}

/// Whether `mode` exists for `algorithm` (CFB128 does not for TDES).
pub const fn supported(algorithm: Algorithm, mode: Mode) -> bool {
    !(algorithm.is_tdes() && matches!(mode, Mode::Cfb128))
}

/// One `bytes`-long message through `algorithm` in `mode`, in place. The decrypt instance first
/// checks that decryption undoes encryption, then decrypts its buffer over and over.
///
/// `bytes` must be whole blocks for ECB and CBC; an instance fails otherwise.
pub fn cipher(algorithm: Algorithm, mode: Mode, direction: Direction, bytes: usize) -> Workload {
    let family = if algorithm.is_tdes() { "tdes" } else { "aes" };
    let name = format!("{}-{} {}", algorithm_name(algorithm), mode.name(), direction.name());
    let workload = Workload::new(family, name, Some(bytes), move || {
        let cipher = Cipher::new(algorithm, &vec![KEY_BYTE; algorithm.key_len()])
            .map_err(WorkloadError::because("key"))?;
        let iv = mode.takes_iv().then(|| vec![IV_BYTE; algorithm.block_len()]);
        let plain: Vec<u8> = (0..bytes).map(|i| u8::try_from(i % 251).unwrap_or(0)).collect();
        let mut buf = plain.clone();
        cipher.encrypt_in_place(mode, iv.as_deref(), &mut buf).map_err(WorkloadError::because("encrypt"))?;
        if direction == Direction::Decrypt {
            let mut check = buf.clone();
            cipher
                .decrypt_in_place(mode, iv.as_deref(), &mut check)
                .map_err(WorkloadError::because("decrypt"))?;
            if check != plain {
                return Err(WorkloadError::new("decryption did not give back the plaintext"));
            }
        }
        Ok(Box::new(move || {
            let buf = black_box(&mut buf[..]);
            match direction {
                Direction::Encrypt => cipher.encrypt_in_place(mode, iv.as_deref(), buf),
                Direction::Decrypt => cipher.decrypt_in_place(mode, iv.as_deref(), buf),
            }
            .map_err(WorkloadError::because("cipher"))
        }))
    });
    match openssl_name(algorithm, mode) {
        Some(name) => workload.openssl(OpensslCipher { name, decrypt: direction == Direction::Decrypt }),
        None => workload,
    }
}

/// The key check value of an all-`0x42` key of `algorithm`.
pub fn check_value(algorithm: Algorithm, kcv_algorithm: KcvAlgorithm) -> Workload {
    let name = format!("KCV {} {}", algorithm_name(algorithm), kcv_algorithm.name());
    Workload::new("kcv", name, None, move || {
        let key = SymmetricKey::new(algorithm, &vec![KEY_BYTE; algorithm.key_len()])
            .map_err(WorkloadError::because("key"))?;
        Ok(Box::new(move || {
            black_box(kcv(black_box(&key), kcv_algorithm));
            Ok(())
        }))
    })
}

/// Every cipher workload at every size of `sizes`, then every KCV.
pub fn all(sizes: &[usize]) -> Vec<Workload> {
    let mut out = Vec::new();
    let aes_first =
        [Algorithm::Aes128, Algorithm::Aes192, Algorithm::Aes256, Algorithm::Tdes2Key, Algorithm::Tdes3Key];
    for algorithm in aes_first {
        for mode in MODES.into_iter().filter(|&m| supported(algorithm, m)) {
            for direction in Direction::BOTH {
                out.extend(sizes.iter().map(|&size| cipher(algorithm, mode, direction, size)));
            }
        }
    }
    for algorithm in Algorithm::ALL {
        for kcv_algorithm in [KcvAlgorithm::AnsiX924, KcvAlgorithm::Cmac] {
            out.push(check_value(algorithm, kcv_algorithm));
        }
    }
    out
}

/// The EVP name of `algorithm` in `mode`, where OpenSSL has one.
const fn openssl_name(algorithm: Algorithm, mode: Mode) -> Option<&'static str> {
    Some(match (algorithm, mode) {
        (Algorithm::Aes128, Mode::Ecb) => "aes-128-ecb",
        (Algorithm::Aes128, Mode::Cbc) => "aes-128-cbc",
        (Algorithm::Aes128, Mode::Cfb1) => "aes-128-cfb1",
        (Algorithm::Aes128, Mode::Cfb8) => "aes-128-cfb8",
        (Algorithm::Aes128, Mode::Cfb128) => "aes-128-cfb",
        (Algorithm::Aes128, Mode::Ofb) => "aes-128-ofb",
        (Algorithm::Aes192, Mode::Ecb) => "aes-192-ecb",
        (Algorithm::Aes192, Mode::Cbc) => "aes-192-cbc",
        (Algorithm::Aes192, Mode::Cfb1) => "aes-192-cfb1",
        (Algorithm::Aes192, Mode::Cfb8) => "aes-192-cfb8",
        (Algorithm::Aes192, Mode::Cfb128) => "aes-192-cfb",
        (Algorithm::Aes192, Mode::Ofb) => "aes-192-ofb",
        (Algorithm::Aes256, Mode::Ecb) => "aes-256-ecb",
        (Algorithm::Aes256, Mode::Cbc) => "aes-256-cbc",
        (Algorithm::Aes256, Mode::Cfb1) => "aes-256-cfb1",
        (Algorithm::Aes256, Mode::Cfb8) => "aes-256-cfb8",
        (Algorithm::Aes256, Mode::Cfb128) => "aes-256-cfb",
        (Algorithm::Aes256, Mode::Ofb) => "aes-256-ofb",
        (Algorithm::Tdes2Key, Mode::Ecb) => "des-ede-ecb",
        (Algorithm::Tdes2Key, Mode::Cbc) => "des-ede-cbc",
        (Algorithm::Tdes2Key, Mode::Cfb64) => "des-ede-cfb",
        (Algorithm::Tdes2Key, Mode::Ofb) => "des-ede-ofb",
        (Algorithm::Tdes3Key, Mode::Ecb) => "des-ede3-ecb",
        (Algorithm::Tdes3Key, Mode::Cbc) => "des-ede3-cbc",
        (Algorithm::Tdes3Key, Mode::Cfb1) => "des-ede3-cfb1",
        (Algorithm::Tdes3Key, Mode::Cfb8) => "des-ede3-cfb8",
        (Algorithm::Tdes3Key, Mode::Cfb64) => "des-ede3-cfb",
        (Algorithm::Tdes3Key, Mode::Ofb) => "des-ede3-ofb",
        _ => return None,
    })
}
