//! Key check values (KCV), as AWS Payment Cryptography computes them.
//!
//! - `ANSI_X9_24`: encrypt one block of zero bytes with the key (ECB), keep the leftmost bytes. AWS's
//!   default for TDES keys.
//! - `CMAC`: the CMAC (NIST SP 800-38B) of one block of zero bytes under the key, leftmost bytes. AWS's
//!   default for AES keys. For TDES it is TDES-CMAC over 8 zero bytes.
//!
//! AWS reports 3 bytes (6 hex digits); TR-31 and X9.24-1:2017 also use 5.

use std::fmt;
use std::str::FromStr;

use aes::{Aes128, Aes192, Aes256};
use cmac::{Cmac, Mac};
use serde::{Deserialize, Serialize};

use crate::primitives::tdes::{TdesEde2, TdesEde3};
use crate::primitives::{Algorithm, CipherError, SymmetricKey};

/// How a key check value is computed (AWS `KeyCheckValueAlgorithm`).
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, Serialize, Deserialize)]
pub enum KcvAlgorithm {
    /// Encrypt a zero block, keep the leftmost bytes (ANSI X9.24).
    #[serde(rename = "ANSI_X9_24")]
    AnsiX924,
    /// CMAC over a zero block, keep the leftmost bytes.
    #[serde(rename = "CMAC")]
    Cmac,
}

impl KcvAlgorithm {
    /// AWS's default for an algorithm: `ANSI_X9_24` for TDES, `CMAC` for AES.
    pub const fn default_for(algorithm: Algorithm) -> Self {
        if algorithm.is_tdes() { KcvAlgorithm::AnsiX924 } else { KcvAlgorithm::Cmac }
    }

    /// The AWS name.
    pub const fn name(self) -> &'static str {
        match self {
            KcvAlgorithm::AnsiX924 => "ANSI_X9_24",
            KcvAlgorithm::Cmac => "CMAC",
        }
    }
}

impl FromStr for KcvAlgorithm {
    type Err = CipherError;

    fn from_str(s: &str) -> Result<Self, CipherError> {
        [KcvAlgorithm::AnsiX924, KcvAlgorithm::Cmac]
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| CipherError::UnknownName {
                what: "KCV algorithm",
                got: s.to_owned(),
                expected: "ANSI_X9_24, CMAC",
            })
    }
}

impl fmt::Display for KcvAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The 3-byte key check value of `key`, as AWS reports it.
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, SymmetricKey};
/// use paycrypt::kcv::{kcv, KcvAlgorithm};
///
/// let tdes = SymmetricKey::new(Algorithm::Tdes2Key, &hex::decode("0123456789ABCDEFFEDCBA9876543210")?)?;
/// assert_eq!(hex::encode_upper(kcv(&tdes, KcvAlgorithm::AnsiX924)), "08D7B4");
/// let aes = SymmetricKey::new(Algorithm::Aes128, &hex::decode("2B7E151628AED2A6ABF7158809CF4F3C")?)?;
/// assert_eq!(hex::encode_upper(kcv(&aes, KcvAlgorithm::Cmac)), "7AD386");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn kcv(key: &SymmetricKey, algorithm: KcvAlgorithm) -> [u8; 3] {
    let block = check_block(key, algorithm);
    [block[0], block[1], block[2]]
}

/// The whole check block (8 bytes for TDES, 16 for AES), for callers that keep more than 3 bytes.
pub fn check_block(key: &SymmetricKey, algorithm: KcvAlgorithm) -> Vec<u8> {
    let zeros = vec![0u8; key.algorithm().block_len()];
    match algorithm {
        KcvAlgorithm::AnsiX924 => {
            let mut block = zeros;
            // One block of the right length: `encrypt_block` cannot fail here.
            let _ = key.cipher().encrypt_block(&mut block);
            block
        }
        KcvAlgorithm::Cmac => {
            let bytes = key.as_bytes();
            match key.algorithm() {
                Algorithm::Tdes2Key => cmac_of::<Cmac<TdesEde2>>(bytes, &zeros),
                Algorithm::Tdes3Key => cmac_of::<Cmac<TdesEde3>>(bytes, &zeros),
                Algorithm::Aes128 => cmac_of::<Cmac<Aes128>>(bytes, &zeros),
                Algorithm::Aes192 => cmac_of::<Cmac<Aes192>>(bytes, &zeros),
                Algorithm::Aes256 => cmac_of::<Cmac<Aes256>>(bytes, &zeros),
            }
        }
    }
}

/// CMAC (NIST SP 800-38B) of `data` under `key`.
///
/// # Errors
/// [`CipherError::KeyLength`] is impossible for a [`SymmetricKey`]; this returns the tag directly.
pub fn cmac(key: &SymmetricKey, data: &[u8]) -> Vec<u8> {
    let bytes = key.as_bytes();
    match key.algorithm() {
        Algorithm::Tdes2Key => cmac_of::<Cmac<TdesEde2>>(bytes, data),
        Algorithm::Tdes3Key => cmac_of::<Cmac<TdesEde3>>(bytes, data),
        Algorithm::Aes128 => cmac_of::<Cmac<Aes128>>(bytes, data),
        Algorithm::Aes192 => cmac_of::<Cmac<Aes192>>(bytes, data),
        Algorithm::Aes256 => cmac_of::<Cmac<Aes256>>(bytes, data),
    }
}

fn cmac_of<M: Mac + cmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
    match <M as cmac::digest::KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        // A `SymmetricKey` always has its algorithm's length.
        Err(_) => Vec::new(),
    }
}
