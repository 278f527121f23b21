//! How a TR-31 (or TR-34) key block header maps to AWS's key attributes, both ways: the key usage's
//! two characters are the ones in AWS's `KeyUsage` names (`TR31_K0_…` is `K0`), the algorithm letter
//! and the key's length give the `KeyAlgorithm`, and each mode-of-use letter is one of the sets of
//! `KeyModesOfUse` AWS accepts (X9.143 table 4 and AWS's "key attributes" mapping).

use crate::keys::{KeyAlgorithm, KeyAttributes, KeyClass, KeyMaterial, KeyModesOfUse, KeyUsage, StoredKey};
use crate::primitives::{Algorithm, SymmetricKey};
use crate::service::ServiceError;

/// TR-31 mode-of-use letters and the AWS `KeyModesOfUse` set each stands for.
const MODES: &[(char, KeyModesOfUse)] = &[
    ('B', KeyModesOfUse::ENCRYPT_DECRYPT_WRAP_UNWRAP),
    ('C', KeyModesOfUse::GENERATE_VERIFY),
    ('D', KeyModesOfUse::DECRYPT_UNWRAP),
    ('E', KeyModesOfUse::ENCRYPT_WRAP),
    ('G', KeyModesOfUse::GENERATE),
    ('N', KeyModesOfUse::NO_RESTRICTIONS),
    ('S', KeyModesOfUse::SIGN),
    ('V', KeyModesOfUse::VERIFY),
    ('X', KeyModesOfUse::DERIVE_KEY),
];

/// The two-character TR-31 key usage of an AWS key usage (`TR31_K0_KEY_ENCRYPTION_KEY` → `K0`).
pub(crate) fn usage_code(usage: KeyUsage) -> &'static str {
    usage.name().get(5..7).unwrap_or("")
}

/// The AWS key usage with TR-31 key usage `code`, if AWS has one.
pub(crate) fn usage_of(code: &str) -> Option<KeyUsage> {
    KeyUsage::ALL.iter().copied().find(|u| usage_code(*u) == code)
}

/// The TR-31 mode-of-use letter for a set of modes of use.
pub(crate) fn mode_letter(modes: KeyModesOfUse) -> Option<char> {
    MODES.iter().find(|(_, m)| *m == modes).map(|(c, _)| *c)
}

/// The set of modes of use a TR-31 mode-of-use letter stands for.
pub(crate) fn modes_of(letter: char) -> Option<KeyModesOfUse> {
    MODES.iter().find(|(c, _)| *c == letter).map(|(_, m)| *m)
}

/// The TR-31 algorithm letter of a symmetric algorithm: `T` for TDES, `A` for AES.
pub(crate) fn algorithm_letter(algorithm: Algorithm) -> char {
    if algorithm.is_tdes() { 'T' } else { 'A' }
}

/// The AWS algorithm of a TR-31 algorithm letter and a key of `len` bytes.
pub(crate) fn algorithm_of(letter: char, len: usize) -> Option<KeyAlgorithm> {
    match (letter, len) {
        ('T', 16) => Some(KeyAlgorithm::Tdes2Key),
        ('T', 24) => Some(KeyAlgorithm::Tdes3Key),
        ('A', 16) => Some(KeyAlgorithm::Aes128),
        ('A', 24) => Some(KeyAlgorithm::Aes192),
        ('A', 32) => Some(KeyAlgorithm::Aes256),
        _ => None,
    }
}

/// A symmetric algorithm's rank by strength: TDES_2KEY < TDES_3KEY < AES_128 < AES_192 < AES_256.
pub(crate) fn strength(algorithm: Algorithm) -> usize {
    Algorithm::ALL.iter().position(|a| *a == algorithm).unwrap_or(0)
}

/// Which way a KEK is used on a key block.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum KekUse {
    /// Wrapping a key into a block (export).
    Wrap,
    /// Unwrapping a block (import, a data-plane `WrappedKey`).
    Unwrap,
}

/// The key block protection key of the KEK `kek` (named by the member at `path`), checked for `use_`:
/// usage `TR31_K0`/`TR31_K1`, modes that allow it, symmetric material, and at least as strong as
/// `wrapped` when that is known.
pub(crate) fn kbpk<'a>(
    kek: &'a StoredKey,
    path: &str,
    use_: KekUse,
    wrapped: Option<Algorithm>,
) -> Result<&'a SymmetricKey, ServiceError> {
    let attrs = kek.key.key_attributes;
    let arn = &kek.key.key_arn;
    let (verb, what, allowed) = match use_ {
        KekUse::Wrap => ("wrapping", "Wrap", attrs.key_modes_of_use.wrap),
        KekUse::Unwrap => ("unwrapping", "Unwrap", attrs.key_modes_of_use.unwrap),
    };
    if !matches!(attrs.key_usage, KeyUsage::K0KeyEncryptionKey | KeyUsage::K1KeyBlockProtectionKey) {
        return Err(ServiceError::field(
            path,
            format!(
                "Key {arn} has KeyUsage {}; {verb} a key block needs a TR31_K0 or TR31_K1 key.",
                attrs.key_usage
            ),
        ));
    }
    if !(allowed || attrs.key_modes_of_use.no_restrictions) {
        return Err(ServiceError::field(
            path,
            format!("Key {arn} has KeyModesOfUse {}, which does not allow {what}.", attrs.key_modes_of_use),
        ));
    }
    let KeyMaterial::Symmetric(kbpk) = &kek.material else {
        return Err(ServiceError::field(path, format!("Key {arn} is not a symmetric key.")));
    };
    if let Some(wrapped) = wrapped
        && strength(wrapped) > strength(kbpk.algorithm())
    {
        return Err(ServiceError::field(
            path,
            format!(
                "Key {arn} ({}) is weaker than the {wrapped} key it would wrap; a KEK must be at least as strong.",
                attrs.key_algorithm
            ),
        ));
    }
    Ok(kbpk)
}

/// The fields of a received key block's header that set the imported key's attributes.
pub(crate) struct HeaderFields<'a> {
    /// The two-character key usage.
    pub usage: &'a str,
    /// The algorithm letter.
    pub algorithm: char,
    /// The mode-of-use letter.
    pub mode_of_use: char,
    /// The exportability letter (`E`, `N`, `S`).
    pub exportability: char,
}

/// The attributes and exportability of a key of `len` bytes received under `header`, as AWS maps
/// them; `path` names the member for errors.
pub(crate) fn attributes_of(
    path: &str,
    header: &HeaderFields<'_>,
    len: usize,
) -> Result<(KeyAttributes, bool), ServiceError> {
    let usage = usage_of(header.usage).ok_or_else(|| {
        ServiceError::field(
            path,
            format!("{path}: the key block's key usage {} has no AWS KeyUsage.", header.usage),
        )
    })?;
    let key_algorithm = algorithm_of(header.algorithm, len).ok_or_else(|| {
        ServiceError::field(
            path,
            format!(
                "{path}: a {len}-byte key with algorithm {} cannot be imported; paycrypt imports TDES (T) and AES (A) keys.",
                header.algorithm
            ),
        )
    })?;
    let key_modes_of_use = modes_of(header.mode_of_use).ok_or_else(|| {
        ServiceError::field(
            path,
            format!("{path}: the key block's mode of use {} has no AWS KeyModesOfUse.", header.mode_of_use),
        )
    })?;
    let attrs = KeyAttributes {
        key_algorithm,
        key_class: KeyClass::SymmetricKey,
        key_modes_of_use,
        key_usage: usage,
    };
    attrs.check().map_err(|e| ServiceError::field(path, format!("{path}: {e}")).with_reason(e))?;
    Ok((attrs, header.exportability == 'E'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_usage_has_a_code_and_back() {
        for u in KeyUsage::ALL {
            assert_eq!(usage_code(*u).len(), 2, "{u}");
            assert_eq!(usage_of(usage_code(*u)), Some(*u));
        }
        assert_eq!(usage_code(KeyUsage::K0KeyEncryptionKey), "K0");
        assert_eq!(usage_of("ZZ"), None);
    }

    #[test]
    fn modes_round_trip() {
        for (c, m) in MODES {
            assert_eq!(mode_letter(*m), Some(*c));
            assert_eq!(modes_of(*c), Some(*m));
        }
        assert_eq!(modes_of('Y'), None);
    }

    #[test]
    fn strength_orders_algorithms() {
        assert!(strength(Algorithm::Tdes2Key) < strength(Algorithm::Tdes3Key));
        assert!(strength(Algorithm::Tdes3Key) < strength(Algorithm::Aes128));
        assert!(strength(Algorithm::Aes192) < strength(Algorithm::Aes256));
    }

    #[test]
    fn header_to_attributes() {
        let h = HeaderFields { usage: "B0", algorithm: 'T', mode_of_use: 'X', exportability: 'E' };
        let (attrs, exportable) = attributes_of("KeyMaterial.Tr31KeyBlock", &h, 16).unwrap();
        assert_eq!(attrs.key_algorithm, KeyAlgorithm::Tdes2Key);
        assert_eq!(attrs.key_usage, KeyUsage::B0BaseDerivationKey);
        assert!(exportable);
        let bad = HeaderFields { mode_of_use: 'B', ..h };
        assert!(attributes_of("p", &bad, 16).is_err());
        assert!(attributes_of("p", &h, 8).is_err());
    }
}
