//! `Symmetric` encryption: TDES and AES data keys in AWS's modes, with AWS's block and IV rules.

use crate::primitives::{Mode, SymmetricKey};
use crate::service::ServiceError;
use crate::service::data::Member;
use crate::service::data::shapes::{Direction, SymmetricEncryptionAttributes};
use crate::service::validate::hex_member_at;

/// The block-length rule and the IV rules, then TDES/AES in `sym.mode`.
pub(super) fn symmetric_crypt(
    key: &SymmetricKey,
    sym: &SymmetricEncryptionAttributes,
    path: Member<'_>,
    data_path: &str,
    data: &[u8],
    direction: Direction,
) -> Result<Vec<u8>, ServiceError> {
    if sym.padding_type.is_some() {
        return Err(ServiceError::field(
            format!("{path}.PaddingType"),
            format!("{path}.PaddingType applies to Asymmetric (RSA) encryption only."),
        ));
    }
    block_cipher(key, sym.mode, sym.initialization_vector.as_deref(), path, data_path, data, direction)
}

/// TDES/AES with AWS's rules: data a whole number of blocks in every mode, IV one block of hex (zero
/// when absent), no IV for ECB.
pub(super) fn block_cipher(
    key: &SymmetricKey,
    mode: Mode,
    iv: Option<&str>,
    path: Member<'_>,
    data_path: &str,
    data: &[u8],
    direction: Direction,
) -> Result<Vec<u8>, ServiceError> {
    let algorithm = key.algorithm();
    let block = algorithm.block_len();
    if mode == Mode::Cfb128 && algorithm.is_tdes() {
        return Err(ServiceError::field(
            format!("{path}.Mode"),
            format!(
                "{path}.Mode CFB128 is not defined for {algorithm} keys (64-bit block); use CFB64 or CFB."
            ),
        ));
    }
    if !data.len().is_multiple_of(block) {
        return Err(ServiceError::field(
            data_path,
            format!(
                "{data_path} ({} bytes) must be a multiple of {block} bytes for {algorithm} keys.",
                data.len()
            ),
        ));
    }
    // The member's path is built only when an error names it.
    let iv_path = || format!("{path}.InitializationVector");
    let iv = match (mode, iv) {
        (Mode::Ecb, None) => None,
        (Mode::Ecb, Some(_)) => {
            let iv_path = iv_path();
            return Err(ServiceError::field(&iv_path, format!("{iv_path} must not be given for ECB mode.")));
        }
        (_, None) => Some(vec![0u8; block]),
        (_, Some(text)) => {
            let iv = hex_member_at(iv_path, text, 16, 32)?;
            if iv.len() != block {
                let iv_path = iv_path();
                return Err(ServiceError::field(
                    &iv_path,
                    format!(
                        "{iv_path} ({} hex digits) must be {} hex digits for {algorithm} keys.",
                        text.len(),
                        block * 2
                    ),
                ));
            }
            Some(iv)
        }
    };
    let cipher = key.cipher();
    let result = match direction {
        Direction::Encrypt => cipher.encrypt(mode, iv.as_deref(), data),
        Direction::Decrypt => cipher.decrypt(mode, iv.as_deref(), data),
    };
    result.map_err(|e| ServiceError::validation(e.to_string()).with_reason(e))
}
