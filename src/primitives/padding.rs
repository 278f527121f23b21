//! Block padding: PKCS#7 and ISO/IEC 9797-1 methods 1 and 2.
//!
//! Unpadding looks only at the last block and runs the same instructions whatever the padding bytes
//! hold (it uses [`subtle`] masks; the one branch is on the final valid/invalid verdict). Every bad
//! padding gives the same [`UnpadError`], so it cannot be used as a padding oracle beyond that verdict.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, ConstantTimeLess};

use crate::primitives::{CipherError, UnpadError};

/// A padding method.
#[derive(Clone, Copy, Debug, Default, Eq, Hash, PartialEq, Serialize, Deserialize)]
pub enum Padding {
    /// No padding: the data must already fit the mode.
    #[default]
    #[serde(rename = "NONE")]
    None,
    /// PKCS#7 (RFC 5652 §6.3): `n` bytes of value `n`, 1 to a block, always added.
    #[serde(rename = "PKCS7")]
    Pkcs7,
    /// ISO/IEC 9797-1 method 1: zero bytes up to the next block boundary; none when the data is already
    /// whole blocks, one zero block when it is empty. Removing it strips trailing zero bytes of the last
    /// block, so data that ends in `00` does not round-trip: use method 2 for such data.
    #[serde(rename = "ISO9797_M1")]
    Iso9797M1,
    /// ISO/IEC 9797-1 method 2: one `80` byte, then zero bytes up to the block boundary; always added.
    #[serde(rename = "ISO9797_M2")]
    Iso9797M2,
}

impl Padding {
    /// Every padding method.
    pub const ALL: [Padding; 4] = [Padding::None, Padding::Pkcs7, Padding::Iso9797M1, Padding::Iso9797M2];

    /// The name used on the command line and in JSON, e.g. `ISO9797_M2`.
    pub const fn name(self) -> &'static str {
        match self {
            Padding::None => "NONE",
            Padding::Pkcs7 => "PKCS7",
            Padding::Iso9797M1 => "ISO9797_M1",
            Padding::Iso9797M2 => "ISO9797_M2",
        }
    }

    /// Returns `data` padded to a multiple of `block` bytes (`block` is 1 to 255).
    ///
    /// # Examples
    /// ```
    /// use paycrypt::padding::Padding;
    ///
    /// assert_eq!(Padding::Pkcs7.pad(b"abc", 8), b"abc\x05\x05\x05\x05\x05");
    /// assert_eq!(Padding::Iso9797M2.pad(b"abc", 8), b"abc\x80\0\0\0\0");
    /// ```
    pub fn pad(self, data: &[u8], block: usize) -> Vec<u8> {
        let block = block.clamp(1, 255);
        let fill = match self {
            Padding::None => 0,
            Padding::Pkcs7 | Padding::Iso9797M2 => block - data.len() % block,
            Padding::Iso9797M1 if data.is_empty() => block,
            Padding::Iso9797M1 => (block - data.len() % block) % block,
        };
        let mut out = Vec::with_capacity(data.len() + fill);
        out.extend_from_slice(data);
        match self {
            Padding::None => {}
            Padding::Pkcs7 => out.resize(data.len() + fill, u8::try_from(fill).unwrap_or(0)),
            Padding::Iso9797M1 => out.resize(data.len() + fill, 0),
            Padding::Iso9797M2 => {
                out.push(0x80);
                out.resize(data.len() + fill, 0);
            }
        }
        out
    }

    /// Returns `data` without its padding.
    ///
    /// # Errors
    /// [`UnpadError`], the same for every failure: `data` is not a non-empty multiple of `block` (for
    /// [`Padding::None`], any length is accepted), or its last block does not end in valid padding.
    pub fn unpad(self, data: &[u8], block: usize) -> Result<&[u8], UnpadError> {
        if self == Padding::None {
            return Ok(data);
        }
        let block = block.clamp(1, 255);
        if data.is_empty() || !data.len().is_multiple_of(block) {
            return Err(UnpadError);
        }
        let last = &data[data.len() - block..];
        let (valid, pad_len) = match self {
            Padding::None => (Choice::from(1), 0),
            Padding::Pkcs7 => pkcs7_len(last),
            Padding::Iso9797M1 => (Choice::from(1), trailing_zeros(last)),
            Padding::Iso9797M2 => iso_m2_len(last),
        };
        if bool::from(valid) { Ok(&data[..data.len() - usize::from(pad_len)]) } else { Err(UnpadError) }
    }
}

impl FromStr for Padding {
    type Err = CipherError;

    fn from_str(s: &str) -> Result<Self, CipherError> {
        Padding::ALL.into_iter().find(|p| p.name().eq_ignore_ascii_case(s)).ok_or_else(|| {
            CipherError::UnknownName {
                what: "padding",
                got: s.to_owned(),
                expected: "NONE, PKCS7, ISO9797_M1, ISO9797_M2",
            }
        })
    }
}

impl fmt::Display for Padding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// PKCS#7 over the last block: valid when the last byte `n` is 1..=block and the last `n` bytes all
/// equal `n`.
fn pkcs7_len(last: &[u8]) -> (Choice, u8) {
    let n = last[last.len() - 1];
    let block = u8::try_from(last.len()).unwrap_or(u8::MAX);
    let mut valid = !n.ct_eq(&0) & !block.ct_lt(&n);
    for (i, byte) in (0u8..).zip(last.iter().rev()) {
        let inside = i.ct_lt(&n);
        valid &= !inside | byte.ct_eq(&n);
    }
    (valid, u8::conditional_select(&0, &n, valid))
}

/// The number of trailing zero bytes of the last block.
fn trailing_zeros(last: &[u8]) -> u8 {
    let mut count = 0u8;
    let mut still_zero = Choice::from(1);
    for byte in last.iter().rev() {
        still_zero &= byte.ct_eq(&0);
        count += still_zero.unwrap_u8();
    }
    count
}

/// ISO/IEC 9797-1 method 2 over the last block: zero bytes back to one `80`.
fn iso_m2_len(last: &[u8]) -> (Choice, u8) {
    let zeros = trailing_zeros(last);
    let mut marker = Choice::from(0);
    for (i, byte) in (0u8..).zip(last.iter().rev()) {
        marker |= i.ct_eq(&zeros) & byte.ct_eq(&0x80);
    }
    (marker, zeros.wrapping_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_pads() {
        assert_eq!(Padding::Pkcs7.pad(b"", 8), [8u8; 8]);
        assert_eq!(Padding::Pkcs7.pad(&[1; 8], 8)[8..], [8u8; 8]);
        assert_eq!(Padding::Iso9797M1.pad(b"", 8), [0u8; 8]);
        assert_eq!(Padding::Iso9797M1.pad(&[1; 8], 8), [1u8; 8]);
        assert_eq!(Padding::Iso9797M1.pad(&[1; 3], 4), [1, 1, 1, 0]);
        assert_eq!(Padding::Iso9797M2.pad(&[1; 4], 4), [1, 1, 1, 1, 0x80, 0, 0, 0]);
        assert_eq!(Padding::None.pad(&[1; 3], 4), [1, 1, 1]);
    }

    #[test]
    fn bad_padding_is_one_opaque_error() {
        let cases: [(Padding, &[u8]); 9] = [
            (Padding::Pkcs7, &[1, 2, 3, 0]),
            (Padding::Pkcs7, &[1, 2, 3, 5]),
            (Padding::Pkcs7, &[1, 3, 2, 2 + 1]),
            (Padding::Pkcs7, &[]),
            (Padding::Pkcs7, &[1, 1, 1]),
            (Padding::Iso9797M2, &[1, 2, 3, 0]),
            (Padding::Iso9797M2, &[0, 0, 0, 0]),
            (Padding::Iso9797M2, &[0x80, 1, 0, 0]),
            (Padding::Iso9797M1, &[1, 2]),
        ];
        for (padding, data) in cases {
            assert_eq!(padding.unpad(data, 4), Err(UnpadError), "{padding} {data:?}");
        }
    }

    #[test]
    fn unpad_known() {
        assert_eq!(Padding::Pkcs7.unpad(&[9, 9, 2, 2], 4), Ok(&[9u8, 9][..]));
        assert_eq!(Padding::Pkcs7.unpad(&[4, 4, 4, 4], 4), Ok(&[][..]));
        assert_eq!(Padding::Iso9797M2.unpad(&[9, 0x80, 0, 0], 4), Ok(&[9u8][..]));
        assert_eq!(Padding::Iso9797M2.unpad(&[0x80, 0, 0, 0], 4), Ok(&[][..]));
        assert_eq!(Padding::Iso9797M2.unpad(&[1, 2, 3, 0x80], 4), Ok(&[1u8, 2, 3][..]));
        assert_eq!(Padding::Iso9797M1.unpad(&[9, 0, 0, 0], 4), Ok(&[9u8][..]));
        assert_eq!(Padding::Iso9797M1.unpad(&[9, 9, 9, 9], 4), Ok(&[9u8; 4][..]));
    }
}
