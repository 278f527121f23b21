//! Symmetric key algorithms and modes of operation, with AWS's names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::primitives::CipherError;

/// A symmetric key algorithm, spelled as AWS Payment Cryptography spells it (`KeyAlgorithm`).
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, Serialize, Deserialize)]
pub enum Algorithm {
    /// Two-key triple DES (keying option 2): a 16-byte key `K1 || K2`, used as `K1, K2, K1`.
    #[serde(rename = "TDES_2KEY")]
    Tdes2Key,
    /// Three-key triple DES (keying option 1): a 24-byte key `K1 || K2 || K3`.
    #[serde(rename = "TDES_3KEY")]
    Tdes3Key,
    /// AES with a 128-bit key.
    #[serde(rename = "AES_128")]
    Aes128,
    /// AES with a 192-bit key.
    #[serde(rename = "AES_192")]
    Aes192,
    /// AES with a 256-bit key.
    #[serde(rename = "AES_256")]
    Aes256,
}

impl Algorithm {
    /// Every algorithm, weakest first.
    pub const ALL: [Algorithm; 5] =
        [Algorithm::Tdes2Key, Algorithm::Tdes3Key, Algorithm::Aes128, Algorithm::Aes192, Algorithm::Aes256];

    /// The key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            Algorithm::Tdes2Key | Algorithm::Aes128 => 16,
            Algorithm::Tdes3Key | Algorithm::Aes192 => 24,
            Algorithm::Aes256 => 32,
        }
    }

    /// The block length in bytes: 8 for TDES, 16 for AES.
    pub const fn block_len(self) -> usize {
        if self.is_tdes() { 8 } else { 16 }
    }

    /// Whether this is one of the triple-DES algorithms.
    pub const fn is_tdes(self) -> bool {
        matches!(self, Algorithm::Tdes2Key | Algorithm::Tdes3Key)
    }

    /// The AWS name, e.g. `TDES_2KEY`.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Tdes2Key => "TDES_2KEY",
            Algorithm::Tdes3Key => "TDES_3KEY",
            Algorithm::Aes128 => "AES_128",
            Algorithm::Aes192 => "AES_192",
            Algorithm::Aes256 => "AES_256",
        }
    }
}

impl FromStr for Algorithm {
    type Err = CipherError;

    fn from_str(s: &str) -> Result<Self, CipherError> {
        Algorithm::ALL.into_iter().find(|a| a.name().eq_ignore_ascii_case(s)).ok_or_else(|| {
            CipherError::UnknownName {
                what: "algorithm",
                got: s.to_owned(),
                expected: "TDES_2KEY, TDES_3KEY, AES_128, AES_192, AES_256",
            }
        })
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A block cipher mode of operation, spelled as AWS spells it (`EncryptionMode`).
///
/// `Cfb` is AWS's plain `CFB`: cipher feedback with a full-block segment, which is [`Mode::Cfb64`] for
/// TDES and [`Mode::Cfb128`] for AES. [`Mode::Cfb128`] does not exist for TDES (its block is 64 bits).
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Mode {
    /// Electronic codebook. Whole blocks only; takes no IV.
    Ecb,
    /// Cipher block chaining. Whole blocks only.
    Cbc,
    /// Cipher feedback with a full-block segment (AWS `CFB`): CFB64 for TDES, CFB128 for AES.
    Cfb,
    /// Cipher feedback with 1-bit segments: one block operation per bit.
    Cfb1,
    /// Cipher feedback with 8-bit segments.
    Cfb8,
    /// Cipher feedback with 64-bit segments (the full block for TDES).
    Cfb64,
    /// Cipher feedback with 128-bit segments (AES only).
    Cfb128,
    /// Output feedback.
    Ofb,
}

impl Mode {
    /// Every mode.
    pub const ALL: [Mode; 8] =
        [Mode::Ecb, Mode::Cbc, Mode::Cfb, Mode::Cfb1, Mode::Cfb8, Mode::Cfb64, Mode::Cfb128, Mode::Ofb];

    /// The AWS name, e.g. `CFB8`.
    pub const fn name(self) -> &'static str {
        match self {
            Mode::Ecb => "ECB",
            Mode::Cbc => "CBC",
            Mode::Cfb => "CFB",
            Mode::Cfb1 => "CFB1",
            Mode::Cfb8 => "CFB8",
            Mode::Cfb64 => "CFB64",
            Mode::Cfb128 => "CFB128",
            Mode::Ofb => "OFB",
        }
    }

    /// Whether the mode needs whole blocks of data (ECB and CBC); the others take any length.
    pub const fn needs_whole_blocks(self) -> bool {
        matches!(self, Mode::Ecb | Mode::Cbc)
    }

    /// Whether the mode takes an initialization vector (all but ECB).
    pub const fn takes_iv(self) -> bool {
        !matches!(self, Mode::Ecb)
    }
}

impl FromStr for Mode {
    type Err = CipherError;

    fn from_str(s: &str) -> Result<Self, CipherError> {
        Mode::ALL.into_iter().find(|m| m.name().eq_ignore_ascii_case(s)).ok_or_else(|| {
            CipherError::UnknownName {
                what: "mode",
                got: s.to_owned(),
                expected: "ECB, CBC, CFB, CFB1, CFB8, CFB64, CFB128, OFB",
            }
        })
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Algorithm::ALL {
            assert_eq!(a.name().parse::<Algorithm>(), Ok(a));
            assert_eq!(serde_json::to_string(&a).ok(), Some(format!("\"{}\"", a.name())));
        }
        for m in Mode::ALL {
            assert_eq!(m.name().to_lowercase().parse::<Mode>(), Ok(m));
            assert_eq!(serde_json::to_string(&m).ok(), Some(format!("\"{}\"", m.name())));
        }
    }

    #[test]
    fn unknown_names_are_errors() {
        assert!("AES_512".parse::<Algorithm>().is_err());
        assert!("CTR".parse::<Mode>().is_err());
    }
}
