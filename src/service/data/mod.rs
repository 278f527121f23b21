//! The data plane: EncryptData, DecryptData and ReEncryptData.
//!
//! The request and response shapes live in `shapes`; each member of the attributes union has its own
//! file beside them (`symmetric`, `dukpt`, `asymmetric`), which uses the shapes and nothing here.
//! This file holds the operations and key separation, and picks the file for the union's member.

mod asymmetric;
mod dukpt;
mod shapes;
mod symmetric;

use serde_json::Value;

use crate::keys::{Key, KeyClass, KeyStore, KeyUsage, StoredKey};
use crate::service::validate::{hex_member, upper_hex};
use crate::service::{PaymentCryptography, ServiceError};

pub(crate) use asymmetric::{parse_rsa, rsa_check_value, rsa_key};
pub use shapes::{
    AsymmetricEncryptionAttributes, DecryptDataInput, DecryptDataOutput, DukptEncryptionAttributes,
    DukptEncryptionMode, DukptKeyVariant, EncryptDataInput, EncryptDataOutput,
    EncryptionDecryptionAttributes, PaddingType, ReEncryptDataInput, ReEncryptDataOutput,
    ReEncryptionAttributes, SymmetricEncryptionAttributes,
};
use shapes::{Attributes, Direction};

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
fn check_key(key: &Key, attrs: Attributes<'_>, direction: Direction, path: &str) -> Result<(), ServiceError> {
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
            symmetric::symmetric_crypt(symmetric, sym, &path, data_path, data, direction)
        }
        Attributes::Dukpt(dukpt) => {
            let path = format!("{attrs_path}.Dukpt");
            let bdk = key
                .material
                .symmetric()
                .ok_or_else(|| ServiceError::Internal("BDK material is not symmetric".to_owned()))?;
            dukpt::dukpt_crypt(bdk, dukpt, &path, data_path, data, direction)
        }
        Attributes::Asymmetric(asym) => {
            let path = format!("{attrs_path}.Asymmetric");
            let rsa = rsa_key(&key.key.key_attributes, &key.material)?;
            asymmetric::rsa_crypt(&rsa, asym, &path, data_path, data, direction)
        }
    }
}
