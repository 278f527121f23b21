//! RSA encryption paddings, named as AWS Payment Cryptography names them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::primitives::CipherError;

/// An RSA encryption padding, spelled as AWS Payment Cryptography's `Asymmetric.PaddingType`.
///
/// Every OAEP variant uses MGF1 over the same hash as the label hash (`OAEP_SHA256` is OAEP with
/// SHA-256 and MGF1-SHA-256). That is what AWS means by these names, and what JOSE means by
/// `RSA-OAEP` (SHA-1) and `RSA-OAEP-256` (SHA-256).
///
/// # Examples
/// ```
/// use paycrypt::rsa::RsaPadding;
///
/// let padding: RsaPadding = "OAEP_SHA256".parse()?;
/// assert_eq!(padding, RsaPadding::OaepSha256);
/// // A 2048-bit modulus is 256 bytes; OAEP-SHA-256 spends 2 * 32 + 2 of them.
/// assert_eq!(padding.max_message_len(256), Some(190));
/// # Ok::<(), paycrypt::CipherError>(())
/// ```
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, Serialize, Deserialize)]
pub enum RsaPadding {
    /// RSAES-PKCS1-v1_5 (RFC 8017 §7.2). Decryption uses implicit rejection: see
    /// [`RsaPrivateKey::decrypt`](crate::rsa::RsaPrivateKey::decrypt).
    #[serde(rename = "PKCS1")]
    Pkcs1,
    /// RSAES-OAEP with SHA-1 and MGF1-SHA-1 (JOSE `RSA-OAEP`).
    #[serde(rename = "OAEP_SHA1")]
    OaepSha1,
    /// RSAES-OAEP with SHA-256 and MGF1-SHA-256 (JOSE `RSA-OAEP-256`).
    #[serde(rename = "OAEP_SHA256")]
    OaepSha256,
    /// RSAES-OAEP with SHA-512 and MGF1-SHA-512.
    #[serde(rename = "OAEP_SHA512")]
    OaepSha512,
}

impl RsaPadding {
    /// Every padding, in AWS's order.
    pub const ALL: [RsaPadding; 4] =
        [RsaPadding::Pkcs1, RsaPadding::OaepSha1, RsaPadding::OaepSha256, RsaPadding::OaepSha512];

    /// The AWS name, e.g. `OAEP_SHA256`.
    pub const fn name(self) -> &'static str {
        match self {
            RsaPadding::Pkcs1 => "PKCS1",
            RsaPadding::OaepSha1 => "OAEP_SHA1",
            RsaPadding::OaepSha256 => "OAEP_SHA256",
            RsaPadding::OaepSha512 => "OAEP_SHA512",
        }
    }

    /// The JOSE `alg` that means this padding (`RSA1_5`, `RSA-OAEP`, `RSA-OAEP-256`); OAEP with SHA-512
    /// has no registered JOSE name and gets the common unregistered `RSA-OAEP-512`.
    pub const fn jose_alg(self) -> &'static str {
        match self {
            RsaPadding::Pkcs1 => "RSA1_5",
            RsaPadding::OaepSha1 => "RSA-OAEP",
            RsaPadding::OaepSha256 => "RSA-OAEP-256",
            RsaPadding::OaepSha512 => "RSA-OAEP-512",
        }
    }

    /// Whether this is an OAEP padding (the only ones that take a label).
    pub const fn is_oaep(self) -> bool {
        !matches!(self, RsaPadding::Pkcs1)
    }

    /// The longest message this padding can encrypt under a modulus of `modulus_len` bytes: `k - 11`
    /// for PKCS#1 v1.5, `k - 2 * hLen - 2` for OAEP; `None` when the modulus is too short for any.
    pub const fn max_message_len(self, modulus_len: usize) -> Option<usize> {
        let overhead = match self {
            RsaPadding::Pkcs1 => 11,
            RsaPadding::OaepSha1 => 2 * 20 + 2,
            RsaPadding::OaepSha256 => 2 * 32 + 2,
            RsaPadding::OaepSha512 => 2 * 64 + 2,
        };
        modulus_len.checked_sub(overhead)
    }
}

impl FromStr for RsaPadding {
    type Err = CipherError;

    fn from_str(s: &str) -> Result<Self, CipherError> {
        RsaPadding::ALL.into_iter().find(|p| p.name().eq_ignore_ascii_case(s)).ok_or_else(|| {
            CipherError::UnknownName {
                what: "padding",
                got: s.to_owned(),
                expected: "PKCS1, OAEP_SHA1, OAEP_SHA256, OAEP_SHA512",
            }
        })
    }
}

impl fmt::Display for RsaPadding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in RsaPadding::ALL {
            assert_eq!(p.name().parse::<RsaPadding>().unwrap(), p);
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{}\"", p.name()));
        }
        assert!("OAEP_SHA384".parse::<RsaPadding>().is_err());
    }

    #[test]
    fn limits() {
        assert_eq!(RsaPadding::Pkcs1.max_message_len(256), Some(245));
        assert_eq!(RsaPadding::OaepSha1.max_message_len(256), Some(214));
        assert_eq!(RsaPadding::OaepSha512.max_message_len(256), Some(126));
        assert_eq!(RsaPadding::OaepSha512.max_message_len(128), None);
    }
}
