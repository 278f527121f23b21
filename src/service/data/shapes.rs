//! The data plane's request and response shapes, as AWS's model has them, and two internal views
//! over them: the [`Direction`] of an operation and the one member an attributes union sets.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::primitives::{Algorithm, Mode};
use crate::service::ServiceError;
use crate::service::data::wrapped::WrappedKey;
use crate::service::validate::one_member;

/// RSA padding (AWS `PaddingType`): PKCS1, OAEP_SHA1, OAEP_SHA256, OAEP_SHA512.
pub use crate::primitives::rsa::RsaPadding as PaddingType;

/// `Symmetric`: a TDES or AES data key in one of AWS's modes.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SymmetricEncryptionAttributes {
    /// The mode of operation.
    pub mode: Mode,
    /// One block of hex (16 digits for TDES, 32 for AES); zero when absent. Not allowed with ECB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initialization_vector: Option<String>,
    /// In AWS's model, but RSA paddings make no sense here: refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub padding_type: Option<PaddingType>,
}

/// `Asymmetric`: an RSA key with a padding.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AsymmetricEncryptionAttributes {
    /// The padding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub padding_type: Option<PaddingType>,
}

/// DUKPT block mode (AWS `DukptEncryptionMode`).
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum DukptEncryptionMode {
    /// Electronic codebook.
    Ecb,
    /// Cipher block chaining (the default).
    Cbc,
}

/// Which DUKPT data key (AWS `DukptKeyVariant`).
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum DukptKeyVariant {
    /// Both directions (the default).
    Bidirectional,
    /// Terminal to host.
    Request,
    /// Host to terminal.
    Response,
}

/// `Dukpt`: a data key derived from a BDK and a KSN.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DukptEncryptionAttributes {
    /// `ksn`: key serial number, 16, 20 or 24 hex digits.
    pub key_serial_number: String,
    /// ECB or CBC (default CBC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<DukptEncryptionMode>,
    /// The derived key's algorithm (default: TDES_2KEY for TDES DUKPT, the BDK's for AES DUKPT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dukpt_key_derivation_type: Option<Algorithm>,
    /// The data key variant (default BIDIRECTIONAL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dukpt_key_variant: Option<DukptKeyVariant>,
    /// One block of hex; zero when absent. Not allowed with ECB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initialization_vector: Option<String>,
}

/// AWS `EncryptionDecryptionAttributes`: a union, exactly one member set.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct EncryptionDecryptionAttributes {
    /// Symmetric encryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symmetric: Option<SymmetricEncryptionAttributes>,
    /// RSA encryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asymmetric: Option<AsymmetricEncryptionAttributes>,
    /// DUKPT encryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dukpt: Option<DukptEncryptionAttributes>,
    /// EMV session-key encryption: in AWS's model, not implemented by paycrypt (refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emv: Option<Value>,
}

/// AWS `ReEncryptionAttributes`: a union of `Symmetric` and `Dukpt`.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ReEncryptionAttributes {
    /// Symmetric encryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symmetric: Option<SymmetricEncryptionAttributes>,
    /// DUKPT encryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dukpt: Option<DukptEncryptionAttributes>,
}

/// EncryptData request. `Debug` shows the plaintext's length, never its digits.
#[derive(Clone, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct EncryptDataInput {
    /// Key ARN or alias.
    pub key_identifier: String,
    /// Hex, 2 to 4096 digits.
    pub plain_text: String,
    /// How to encrypt.
    pub encryption_attributes: EncryptionDecryptionAttributes,
    /// The key to use as a TR-31 block under the KEK `KeyIdentifier` names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapped_key: Option<WrappedKey>,
}

impl EncryptDataInput {
    /// A request with `Symmetric` attributes.
    pub fn symmetric(key: &str, plain_text: &str, mode: Mode, iv: Option<&str>) -> Self {
        EncryptDataInput {
            key_identifier: key.to_owned(),
            plain_text: plain_text.to_owned(),
            encryption_attributes: EncryptionDecryptionAttributes {
                symmetric: Some(SymmetricEncryptionAttributes {
                    mode,
                    initialization_vector: iv.map(str::to_owned),
                    padding_type: None,
                }),
                ..EncryptionDecryptionAttributes::default()
            },
            wrapped_key: None,
        }
    }
}

/// EncryptData response.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptDataOutput {
    /// The ciphertext, upper-case hex.
    pub cipher_text: String,
    /// The ARN of the key named (for DUKPT, the BDK).
    pub key_arn: String,
    /// That key's check value.
    pub key_check_value: String,
}

/// DecryptData request.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DecryptDataInput {
    /// Key ARN or alias.
    pub key_identifier: String,
    /// Hex, 2 to 4224 digits.
    pub cipher_text: String,
    /// How to decrypt.
    pub decryption_attributes: EncryptionDecryptionAttributes,
    /// The key to use as a TR-31 block under the KEK `KeyIdentifier` names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapped_key: Option<WrappedKey>,
}

/// DecryptData response. `Debug` shows the plaintext's length, never its digits.
#[derive(Clone, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DecryptDataOutput {
    /// The ARN of the key named.
    pub key_arn: String,
    /// That key's check value.
    pub key_check_value: String,
    /// The plaintext, upper-case hex.
    pub plain_text: String,
}

/// ReEncryptData request.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ReEncryptDataInput {
    /// The key the ciphertext is under.
    pub incoming_key_identifier: String,
    /// The key to re-encrypt under.
    pub outgoing_key_identifier: String,
    /// Hex, 2 to 4224 digits.
    pub cipher_text: String,
    /// How the ciphertext was encrypted.
    pub incoming_encryption_attributes: ReEncryptionAttributes,
    /// How to encrypt it again.
    pub outgoing_encryption_attributes: ReEncryptionAttributes,
    /// The incoming key as a TR-31 block under the KEK `IncomingKeyIdentifier` names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incoming_wrapped_key: Option<WrappedKey>,
    /// The outgoing key as a TR-31 block under the KEK `OutgoingKeyIdentifier` names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outgoing_wrapped_key: Option<WrappedKey>,
}

/// ReEncryptData response.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReEncryptDataOutput {
    /// The ciphertext under the outgoing key, upper-case hex.
    pub cipher_text: String,
    /// The outgoing key's ARN.
    pub key_arn: String,
    /// The outgoing key's check value.
    pub key_check_value: String,
}

/// Encrypt or decrypt.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Direction {
    Encrypt,
    Decrypt,
}

/// The one member of an attributes union.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Attributes<'a> {
    Symmetric(&'a SymmetricEncryptionAttributes),
    Asymmetric(&'a AsymmetricEncryptionAttributes),
    Dukpt(&'a DukptEncryptionAttributes),
}

impl<'a> Attributes<'a> {
    /// The member name.
    pub(super) fn name(self) -> &'static str {
        match self {
            Attributes::Symmetric(_) => "Symmetric",
            Attributes::Asymmetric(_) => "Asymmetric",
            Attributes::Dukpt(_) => "Dukpt",
        }
    }

    pub(super) fn of(path: &str, attrs: &'a EncryptionDecryptionAttributes) -> Result<Self, ServiceError> {
        if attrs.emv.is_some() {
            return Err(ServiceError::field(
                format!("{path}.Emv"),
                format!("{path}.Emv is not supported by paycrypt; use Symmetric, Asymmetric or Dukpt."),
            ));
        }
        let set = [
            ("Symmetric", attrs.symmetric.as_ref().map(Attributes::Symmetric)),
            ("Asymmetric", attrs.asymmetric.as_ref().map(Attributes::Asymmetric)),
            ("Dukpt", attrs.dukpt.as_ref().map(Attributes::Dukpt)),
        ];
        Ok(one_member(path, set)?.1)
    }

    pub(super) fn of_re(path: &str, attrs: &'a ReEncryptionAttributes) -> Result<Self, ServiceError> {
        let set = [
            ("Symmetric", attrs.symmetric.as_ref().map(Attributes::Symmetric)),
            ("Dukpt", attrs.dukpt.as_ref().map(Attributes::Dukpt)),
        ];
        Ok(one_member(path, set)?.1)
    }
}

/// How a plaintext member appears in `Debug` output: its length only.
struct Redacted(usize);

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{} hex digits, redacted>", self.0)
    }
}

impl std::fmt::Debug for EncryptDataInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptDataInput")
            .field("key_identifier", &self.key_identifier)
            .field("plain_text", &Redacted(self.plain_text.len()))
            .field("encryption_attributes", &self.encryption_attributes)
            .field("wrapped_key", &self.wrapped_key)
            .finish()
    }
}

impl std::fmt::Debug for DecryptDataOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecryptDataOutput")
            .field("key_arn", &self.key_arn)
            .field("key_check_value", &self.key_check_value)
            .field("plain_text", &Redacted(self.plain_text.len()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_a_plaintext() {
        let input = EncryptDataInput::symmetric("alias/k", "31323334DEADBEEF", Mode::Cbc, None);
        let shown = format!("{input:?}");
        assert!(!shown.contains("DEADBEEF") && shown.contains("<16 hex digits, redacted>"), "{shown}");
        let output = DecryptDataOutput {
            key_arn: "arn".to_owned(),
            key_check_value: "ABCDEF".to_owned(),
            plain_text: "0123456789ABCDEF".to_owned(),
        };
        let shown = format!("{output:?}");
        assert!(!shown.contains("0123456789") && shown.contains("ABCDEF"), "{shown}");
    }
}
