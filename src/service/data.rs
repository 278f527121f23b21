//! The data plane: EncryptData, DecryptData and ReEncryptData, with AWS's shapes.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::keys::{Key, KeyClass, KeyStore, KeyUsage, StoredKey};
use crate::primitives::{Algorithm, Mode, SymmetricKey};
use crate::service::validate::{hex_member, upper_hex};
use crate::service::{PaymentCryptography, ServiceError};

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

/// EncryptData request.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct EncryptDataInput {
    /// Key ARN or alias.
    pub key_identifier: String,
    /// Hex, 2 to 4096 digits.
    pub plain_text: String,
    /// How to encrypt.
    pub encryption_attributes: EncryptionDecryptionAttributes,
    /// A TR-31 wrapped key: in AWS's model, not implemented by paycrypt (refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapped_key: Option<Value>,
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
    /// A TR-31 wrapped key: refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapped_key: Option<Value>,
}

/// DecryptData response.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
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
    /// Refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incoming_wrapped_key: Option<Value>,
    /// Refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outgoing_wrapped_key: Option<Value>,
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
    fn name(self) -> &'static str {
        match self {
            Attributes::Symmetric(_) => "Symmetric",
            Attributes::Asymmetric(_) => "Asymmetric",
            Attributes::Dukpt(_) => "Dukpt",
        }
    }

    fn of(path: &str, attrs: &'a EncryptionDecryptionAttributes) -> Result<Self, ServiceError> {
        if attrs.emv.is_some() {
            return Err(ServiceError::field(
                format!("{path}.Emv"),
                format!("{path}.Emv is not supported by paycrypt; use Symmetric, Asymmetric or Dukpt."),
            ));
        }
        let set: Vec<Attributes<'a>> = [
            attrs.symmetric.as_ref().map(Attributes::Symmetric),
            attrs.asymmetric.as_ref().map(Attributes::Asymmetric),
            attrs.dukpt.as_ref().map(Attributes::Dukpt),
        ]
        .into_iter()
        .flatten()
        .collect();
        one_member(path, &set)
    }

    fn of_re(path: &str, attrs: &'a ReEncryptionAttributes) -> Result<Self, ServiceError> {
        let set: Vec<Attributes<'a>> = [
            attrs.symmetric.as_ref().map(Attributes::Symmetric),
            attrs.dukpt.as_ref().map(Attributes::Dukpt),
        ]
        .into_iter()
        .flatten()
        .collect();
        one_member(path, &set)
    }
}

fn one_member<'a>(path: &str, set: &[Attributes<'a>]) -> Result<Attributes<'a>, ServiceError> {
    match set {
        [one] => Ok(*one),
        [] => Err(ServiceError::field(path, format!("{path} must set exactly one member; it sets none."))),
        many => {
            let names: Vec<&str> = many.iter().map(|a| a.name()).collect();
            Err(ServiceError::field(
                path,
                format!("{path} must set exactly one member; it sets {}.", names.join(" and ")),
            ))
        }
    }
}

fn refuse_wrapped_key(path: &str, wrapped: Option<&Value>) -> Result<(), ServiceError> {
    match wrapped {
        Some(_) => Err(ServiceError::field(path, format!("{path} is not supported by paycrypt."))),
        None => Ok(()),
    }
}

impl<S: KeyStore> PaymentCryptography<S> {
    /// EncryptData: encrypts hex plaintext under the key `KeyIdentifier` names.
    ///
    /// # Errors
    /// `ValidationException` for a malformed member or a key whose usage or modes of use forbid
    /// encryption; `ResourceNotFoundException` for an unknown key or alias; `AccessDeniedException` for
    /// a disabled key or one pending deletion.
    pub fn encrypt_data(&self, input: EncryptDataInput) -> Result<EncryptDataOutput, ServiceError> {
        refuse_wrapped_key("WrappedKey", input.wrapped_key.as_ref())?;
        let attrs = Attributes::of("EncryptionAttributes", &input.encryption_attributes)?;
        let data = hex_member("PlainText", &input.plain_text, 2, 4096)?;
        let key = self.usable_key("KeyIdentifier", &input.key_identifier)?;
        let out = crypt(
            &key,
            "KeyIdentifier",
            attrs,
            "EncryptionAttributes",
            "PlainText",
            &data,
            Direction::Encrypt,
        )?;
        Ok(EncryptDataOutput {
            cipher_text: upper_hex(&out),
            key_arn: key.key.key_arn.to_string(),
            key_check_value: key.key.key_check_value.clone(),
        })
    }

    /// DecryptData: decrypts hex ciphertext under the key `KeyIdentifier` names.
    ///
    /// # Errors
    /// As [`PaymentCryptography::encrypt_data`], for decryption.
    pub fn decrypt_data(&self, input: DecryptDataInput) -> Result<DecryptDataOutput, ServiceError> {
        refuse_wrapped_key("WrappedKey", input.wrapped_key.as_ref())?;
        let attrs = Attributes::of("DecryptionAttributes", &input.decryption_attributes)?;
        let data = hex_member("CipherText", &input.cipher_text, 2, 4224)?;
        let key = self.usable_key("KeyIdentifier", &input.key_identifier)?;
        let out = crypt(
            &key,
            "KeyIdentifier",
            attrs,
            "DecryptionAttributes",
            "CipherText",
            &data,
            Direction::Decrypt,
        )?;
        Ok(DecryptDataOutput {
            key_arn: key.key.key_arn.to_string(),
            key_check_value: key.key.key_check_value.clone(),
            plain_text: upper_hex(&out),
        })
    }

    /// ReEncryptData: decrypts under the incoming key and encrypts under the outgoing key, the
    /// plaintext never leaving the service. The response names the outgoing key.
    ///
    /// # Errors
    /// As [`PaymentCryptography::encrypt_data`], for either key.
    pub fn re_encrypt_data(&self, input: ReEncryptDataInput) -> Result<ReEncryptDataOutput, ServiceError> {
        refuse_wrapped_key("IncomingWrappedKey", input.incoming_wrapped_key.as_ref())?;
        refuse_wrapped_key("OutgoingWrappedKey", input.outgoing_wrapped_key.as_ref())?;
        let incoming_attrs =
            Attributes::of_re("IncomingEncryptionAttributes", &input.incoming_encryption_attributes)?;
        let outgoing_attrs =
            Attributes::of_re("OutgoingEncryptionAttributes", &input.outgoing_encryption_attributes)?;
        let data = hex_member("CipherText", &input.cipher_text, 2, 4224)?;
        let incoming = self.usable_key("IncomingKeyIdentifier", &input.incoming_key_identifier)?;
        let outgoing = self.usable_key("OutgoingKeyIdentifier", &input.outgoing_key_identifier)?;
        // Check both keys before any cryptography, so a refused outgoing key costs no decryption
        // (`crypt` checks again: cheap, and it keeps every path through `crypt` checked).
        check_key(&incoming.key, incoming_attrs, Direction::Decrypt, "IncomingKeyIdentifier")?;
        check_key(&outgoing.key, outgoing_attrs, Direction::Encrypt, "OutgoingKeyIdentifier")?;
        let plain = zeroize::Zeroizing::new(crypt(
            &incoming,
            "IncomingKeyIdentifier",
            incoming_attrs,
            "IncomingEncryptionAttributes",
            "CipherText",
            &data,
            Direction::Decrypt,
        )?);
        let out = crypt(
            &outgoing,
            "OutgoingKeyIdentifier",
            outgoing_attrs,
            "OutgoingEncryptionAttributes",
            "CipherText",
            &plain,
            Direction::Encrypt,
        )?;
        Ok(ReEncryptDataOutput {
            cipher_text: upper_hex(&out),
            key_arn: outgoing.key.key_arn.to_string(),
            key_check_value: outgoing.key.key_check_value.clone(),
        })
    }
}

/// Key separation: whether `key` may serve `attrs` in `direction`. The member at `path` named it.
///
/// Symmetric needs a TR31_D0 symmetric key; Dukpt a TR31_B0 BDK that may derive; Asymmetric a
/// TR31_D1 RSA key (its public half, or a pair, to encrypt; a private half or pair to decrypt). The
/// modes of use must allow the direction (`NoRestrictions` allows all).
pub(crate) fn check_key(
    key: &Key,
    attrs: Attributes<'_>,
    direction: Direction,
    path: &str,
) -> Result<(), ServiceError> {
    let a = &key.key_attributes;
    let modes = a.key_modes_of_use;
    let (usage, mode_ok, what) = match (attrs, direction) {
        (Attributes::Symmetric(_), Direction::Encrypt) => {
            (KeyUsage::D0SymmetricDataEncryptionKey, modes.allows_encrypt(), "Encrypt")
        }
        (Attributes::Symmetric(_), Direction::Decrypt) => {
            (KeyUsage::D0SymmetricDataEncryptionKey, modes.allows_decrypt(), "Decrypt")
        }
        (Attributes::Asymmetric(_), Direction::Encrypt) => {
            (KeyUsage::D1AsymmetricKeyForDataEncryption, modes.allows_encrypt(), "Encrypt")
        }
        (Attributes::Asymmetric(_), Direction::Decrypt) => (
            KeyUsage::D1AsymmetricKeyForDataEncryption,
            modes.allows_decrypt() && a.key_class != KeyClass::PublicKey,
            "Decrypt",
        ),
        (Attributes::Dukpt(_), _) => (KeyUsage::B0BaseDerivationKey, modes.allows_derive(), "DeriveKey"),
    };
    if a.key_usage != usage {
        return Err(ServiceError::field(
            path,
            format!(
                "Key {} has KeyUsage {}; {} encryption needs {usage}.",
                key.key_arn,
                a.key_usage,
                attrs.name()
            ),
        ));
    }
    if !mode_ok {
        return Err(ServiceError::field(
            path,
            format!("Key {} ({}, KeyModesOfUse {}) does not allow {what}.", key.key_arn, a.key_class, modes),
        ));
    }
    Ok(())
}

/// Checks the key (named by the member at `key_path`) against the attributes and runs the cipher.
fn crypt(
    key: &StoredKey,
    key_path: &str,
    attrs: Attributes<'_>,
    attrs_path: &str,
    data_path: &str,
    data: &[u8],
    direction: Direction,
) -> Result<Vec<u8>, ServiceError> {
    check_key(&key.key, attrs, direction, key_path)?;
    match attrs {
        Attributes::Symmetric(sym) => {
            let path = format!("{attrs_path}.Symmetric");
            let symmetric = key
                .material
                .symmetric()
                .ok_or_else(|| ServiceError::Internal("key material is not symmetric".to_owned()))?;
            symmetric_crypt(symmetric, sym, &path, data_path, data, direction)
        }
        Attributes::Dukpt(dukpt) => {
            let path = format!("{attrs_path}.Dukpt");
            let bdk = key
                .material
                .symmetric()
                .ok_or_else(|| ServiceError::Internal("BDK material is not symmetric".to_owned()))?;
            crate::service::dukpt::dukpt_crypt(bdk, dukpt, &path, data_path, data, direction)
        }
        Attributes::Asymmetric(asym) => {
            let path = format!("{attrs_path}.Asymmetric");
            let rsa = crate::service::asymmetric::rsa_key(&key.key.key_attributes, &key.material)?;
            crate::service::asymmetric::rsa_crypt(&rsa, asym, &path, data_path, data, direction)
        }
    }
}

/// The block-length rule and the IV rules, then TDES/AES in `sym.mode`.
fn symmetric_crypt(
    key: &SymmetricKey,
    sym: &SymmetricEncryptionAttributes,
    path: &str,
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
pub(crate) fn block_cipher(
    key: &SymmetricKey,
    mode: Mode,
    iv: Option<&str>,
    path: &str,
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
    let iv_path = format!("{path}.InitializationVector");
    let iv = match (mode, iv) {
        (Mode::Ecb, None) => None,
        (Mode::Ecb, Some(_)) => {
            return Err(ServiceError::field(&iv_path, format!("{iv_path} must not be given for ECB mode.")));
        }
        (_, None) => Some(vec![0u8; block]),
        (_, Some(text)) => {
            let iv = hex_member(&iv_path, text, 16, 32)?;
            if iv.len() != block {
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
    result.map_err(|e| ServiceError::validation(e.to_string()))
}
