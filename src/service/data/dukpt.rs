//! DUKPT data encryption: the BDK that `KeyIdentifier` names and the KSN give a data key (X9.24-1 TDES
//! DUKPT for a 20-digit KSN, X9.24-3 AES DUKPT for a 24-digit one), which then encrypts in ECB or CBC.
//!
//! AWS documents neither which data variant each `DukptKeyVariant` is nor what a 16-digit KSN means;
//! paycrypt follows the standards (see the README's "Known differences from AWS"):
//! - TDES: `REQUEST` and `BIDIRECTIONAL` are the data request variant (`0000000000FF0000` on each half,
//!   then the one-way step), `RESPONSE` the data response variant (`000000FF00000000`, one-way step);
//! - AES: `REQUEST` is key usage 3000 (data encryption, encrypt), `RESPONSE` 3001 (decrypt),
//!   `BIDIRECTIONAL` 3002 (both);
//! - a 16-digit KSN, which neither standard defines, is refused.

use crate::primitives::dukpt::{Error as DukptError, KeyUsage as AesUsage, Ksn, Scheme, TdesVariant, Usage};
use crate::primitives::{Algorithm, Mode, SymmetricKey};
use crate::service::ServiceError;
use crate::service::data::Member;
use crate::service::data::shapes::{
    Direction, DukptEncryptionAttributes, DukptEncryptionMode, DukptKeyVariant,
};
use crate::service::data::symmetric::block_cipher;
use crate::service::validate::hex_member_at;

/// The DUKPT usage for a variant: the data key of the KSN's scheme.
pub(super) fn usage(scheme: Scheme, variant: DukptKeyVariant) -> Usage {
    match (scheme, variant) {
        (Scheme::Tdes, DukptKeyVariant::Request | DukptKeyVariant::Bidirectional) => {
            Usage::Tdes(TdesVariant::DataRequest)
        }
        (Scheme::Tdes, DukptKeyVariant::Response) => Usage::Tdes(TdesVariant::DataResponse),
        (Scheme::Aes, DukptKeyVariant::Request) => Usage::Aes(AesUsage::DataEncryption),
        (Scheme::Aes, DukptKeyVariant::Response) => Usage::Aes(AesUsage::DataDecryption),
        (Scheme::Aes, DukptKeyVariant::Bidirectional) => Usage::Aes(AesUsage::DataBoth),
    }
}

/// Derives the data key with `derive` (the BDK's derivation: KSN, usage, key type) for the KSN in
/// `attrs`, then runs ECB or CBC (default CBC, IV zero when absent) over `data`. `path` is the `…Dukpt`
/// member's path.
pub(super) fn dukpt_crypt(
    derive: &mut impl FnMut(&Ksn, Usage, Option<Algorithm>) -> Result<SymmetricKey, DukptError>,
    attrs: &DukptEncryptionAttributes,
    path: Member<'_>,
    data_path: &str,
    data: &[u8],
    direction: Direction,
) -> Result<Vec<u8>, ServiceError> {
    // The member's path is built only when an error names it.
    let ksn_path = || format!("{path}.KeySerialNumber");
    let text = &attrs.key_serial_number;
    if !matches!(text.len(), 16 | 20 | 24) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        let ksn_path = ksn_path();
        return Err(ServiceError::field(
            &ksn_path,
            format!("{ksn_path} ({} characters) must be 16, 20 or 24 hex digits.", text.len()),
        ));
    }
    if text.len() == 16 {
        let ksn_path = ksn_path();
        return Err(ServiceError::field(
            &ksn_path,
            format!(
                "{ksn_path} of 16 hex digits is defined by neither X9.24 standard; give the 20-digit TDES KSN \
                 or the 24-digit AES KSN."
            ),
        ));
    }
    let bytes = hex_member_at(ksn_path, text, 16, 24)?;
    let ksn = Ksn::from_slice(&bytes).map_err(|e| dukpt_error(e, path))?;
    let usage = usage(ksn.scheme(), attrs.dukpt_key_variant.unwrap_or(DukptKeyVariant::Bidirectional));
    let key = derive(&ksn, usage, attrs.dukpt_key_derivation_type).map_err(|e| dukpt_error(e, path))?;
    let mode = match attrs.mode.unwrap_or(DukptEncryptionMode::Cbc) {
        DukptEncryptionMode::Ecb => Mode::Ecb,
        DukptEncryptionMode::Cbc => Mode::Cbc,
    };
    block_cipher(&key, mode, attrs.initialization_vector.as_deref(), path, data_path, data, direction)
}

/// A DUKPT error as a ValidationException on the member it is about.
fn dukpt_error(e: DukptError, path: Member<'_>) -> ServiceError {
    let member = match &e {
        DukptError::KsnLength { .. }
        | DukptError::KsnNotHex
        | DukptError::CounterBits { .. }
        | DukptError::CounterZero { .. }
        | DukptError::CounterReserved => format!("{path}.KeySerialNumber"),
        DukptError::DerivedKeyTooStrong { .. } | DukptError::DerivedKeyNotSupported { .. } => {
            format!("{path}.DukptKeyDerivationType")
        }
        _ => "KeyIdentifier".to_owned(),
    };
    let message = match &e {
        DukptError::KeyAlgorithm { .. } => {
            format!("{e} The KeySerialNumber's length chooses the scheme: 20 hex digits TDES, 24 AES.")
        }
        _ => e.to_string(),
    };
    ServiceError::field(member, message).with_reason(e)
}
