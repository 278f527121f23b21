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
    if !value.len().is_multiple_of(2) || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ServiceError::field(path, format!("{path} must be hex digits, two per byte.")));
    }
    hex::decode(value)
        .map_err(|_| ServiceError::field(path, format!("{path} must be hex digits, two per byte.")))
}

/// Upper-case hex, as AWS returns binary members.
pub(crate) fn upper_hex(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
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
    }
}
