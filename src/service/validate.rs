//! Checks of request members against AWS's model constraints.

use crate::service::ServiceError;

/// Decodes the hex member at `path`, checking AWS's pattern `(?:[0-9a-fA-F][0-9a-fA-F])+` and its
/// length in characters (`min..=max`).
pub(crate) fn hex_member(path: &str, value: &str, min: usize, max: usize) -> Result<Vec<u8>, ServiceError> {
    if value.len() < min || value.len() > max {
        return Err(ServiceError::field(
            path,
            format!("{path} ({} characters) must be between {min} and {max} hex characters.", value.len()),
        ));
    }
    decode_hex(value)
        .ok_or_else(|| ServiceError::field(path, format!("{path} must be hex digits, two per byte.")))
}

/// [`hex_member`] for a member whose path is built only when an error names it.
pub(crate) fn hex_member_at(
    path: impl FnOnce() -> String,
    value: &str,
    min: usize,
    max: usize,
) -> Result<Vec<u8>, ServiceError> {
    if value.len() >= min
        && value.len() <= max
        && let Some(bytes) = decode_hex(value)
    {
        return Ok(bytes);
    }
    hex_member(&path(), value, min, max)
}

/// The one member a union at `path` sets, as `(name, value)` from `(name, Some(value))` pairs, or AWS's
/// ValidationException for a union that sets none or several, naming those it sets.
pub(crate) fn one_member<'a, T>(
    path: &str,
    members: impl IntoIterator<Item = (&'a str, Option<T>)>,
) -> Result<(&'a str, T), ServiceError> {
    let mut set: Vec<(&'a str, T)> = members.into_iter().filter_map(|(n, v)| v.map(|v| (n, v))).collect();
    if set.len() == 1
        && let Some(one) = set.pop()
    {
        return Ok(one);
    }
    let what = if set.is_empty() {
        "none".to_owned()
    } else {
        set.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(" and ")
    };
    Err(ServiceError::field(path, format!("{path} must set exactly one member; it sets {what}.")))
}

/// Hex digits (either case) to bytes; `None` for an odd length or a byte that is not a hex digit.
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    /// Each byte's value as a hex digit, or 0xFF.
    const NIBBLE: [u8; 256] = {
        let mut table = [0xFF; 256];
        let mut i: u8 = 0;
        while i < 10 {
            table[(b'0' + i) as usize] = i;
            i += 1;
        }
        let mut i: u8 = 0;
        while i < 6 {
            table[(b'a' + i) as usize] = 10 + i;
            table[(b'A' + i) as usize] = 10 + i;
            i += 1;
        }
        table
    };
    let text = text.as_bytes();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let mut out = vec![0; text.len() / 2];
    let mut bad = 0;
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let (hi, lo) = (NIBBLE[usize::from(pair[0])], NIBBLE[usize::from(pair[1])]);
        bad |= hi | lo;
        *byte = (hi << 4) | (lo & 0x0F);
    }
    (bad & 0xF0 == 0).then_some(out)
}

/// Upper-case hex, as AWS returns binary members.
pub(crate) fn upper_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = vec![0; bytes.len() * 2];
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 0x0F)];
    }
    // Only ASCII digits were written.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_rules() {
        assert_eq!(hex_member("P", "0aFF", 2, 8).ok(), Some(vec![0x0a, 0xff]));
        assert!(hex_member("P", "0", 2, 8).is_err());
        assert!(hex_member("P", "abc", 2, 8).is_err());
        assert!(hex_member("P", "zz", 2, 8).is_err());
        assert!(hex_member("P", "0011223344", 2, 8).is_err());
        assert!(hex_member("P", "0g", 2, 8).is_err());
        assert_eq!(hex_member_at(|| "P".into(), "A0b1", 2, 8).ok(), Some(vec![0xa0, 0xb1]));
        let e = hex_member_at(|| "Q.R".into(), "A0b", 2, 8).unwrap_err().to_string();
        assert!(e.contains("Q.R must be hex digits"), "{e}");
        assert_eq!(upper_hex(&[0x00, 0x9f, 0xa0, 0xff]), "009FA0FF");
    }
}
