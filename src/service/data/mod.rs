//! The data plane: EncryptData, DecryptData and ReEncryptData.
//!
//! The request and response shapes live in `shapes`; each member of the attributes union has its own
//! file beside them (`symmetric`, `dukpt`, `asymmetric`), which uses the shapes and nothing here.
//! This file holds the operations and key separation, and picks the file for the union's member.

mod asymmetric;
mod dukpt;
mod session;
mod shapes;
mod symmetric;
mod wrapped;

use std::sync::Arc;

use crate::keys::{Key, KeyClass, KeyStore, KeyUsage, StoredKey};
use crate::primitives::dukpt::{self as dukpt_primitive, Error as DukptError, Ksn, Usage};
use crate::primitives::{Algorithm, SymmetricKey};
use crate::service::validate::{hex_member, upper_hex};
use crate::service::{PaymentCryptography, ServiceError};

pub(crate) use asymmetric::{RsaKey, parse_rsa, rsa_check_value, rsa_key};
pub use session::DataSession;
pub use shapes::{
    AsymmetricEncryptionAttributes, DecryptDataInput, DecryptDataOutput, DukptEncryptionAttributes,
    DukptEncryptionMode, DukptKeyVariant, EncryptDataInput, EncryptDataOutput,
    EncryptionDecryptionAttributes, PaddingType, ReEncryptDataInput, ReEncryptDataOutput,
    ReEncryptionAttributes, SymmetricEncryptionAttributes,
};
use shapes::{Attributes, Direction};
pub use wrapped::{WrappedKey, WrappedKeyMaterial};

/// A member's path, `parent.member`, written out only when an error names it (a `format!` per call
/// was a good part of a data-plane call's cost).
#[derive(Clone, Copy, Debug)]
pub(super) struct Member<'a>(pub(super) &'a str, pub(super) &'static str);

impl std::fmt::Display for Member<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// Where the data plane gets its keys: resolved (and checked usable) by identifier, and DUKPT data keys
/// derived from a BDK. A single call resolves and derives afresh ([`Direct`]); a [`DataSession`]
/// resolves each identifier once and keeps a DUKPT derivation cache per BDK. The operations below are
/// the same code for both.
pub(super) trait KeySource {
    /// The usable key `identifier` names (the member at `path`).
    fn key(&mut self, path: &str, identifier: &str) -> Result<Arc<StoredKey>, ServiceError>;

    /// The DUKPT key for `usage` at `ksn` under the BDK `bdk` (material `material`).
    fn dukpt_key(
        &mut self,
        bdk: &StoredKey,
        material: &SymmetricKey,
        ksn: &Ksn,
        usage: Usage,
        key_type: Option<Algorithm>,
    ) -> Result<SymmetricKey, DukptError>;
}

/// One call's key source: the store, nothing kept.
struct Direct<'a, S>(&'a PaymentCryptography<S>);

impl<S: KeyStore> KeySource for Direct<'_, S> {
    fn key(&mut self, path: &str, identifier: &str) -> Result<Arc<StoredKey>, ServiceError> {
        self.0.usable_key(path, identifier).map(Arc::new)
    }

    fn dukpt_key(
        &mut self,
        _bdk: &StoredKey,
        material: &SymmetricKey,
        ksn: &Ksn,
        usage: Usage,
        key_type: Option<Algorithm>,
    ) -> Result<SymmetricKey, DukptError> {
        dukpt_primitive::derive(material, ksn, usage, key_type).map(|d| d.key)
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
        encrypt_data(&mut Direct(self), &input)
    }

    /// DecryptData: decrypts hex ciphertext under the key `KeyIdentifier` names.
    ///
    /// # Errors
    /// As [`PaymentCryptography::encrypt_data`], for decryption.
    pub fn decrypt_data(&self, input: DecryptDataInput) -> Result<DecryptDataOutput, ServiceError> {
        decrypt_data(&mut Direct(self), &input)
    }

    /// ReEncryptData: decrypts under the incoming key and encrypts under the outgoing key, the
    /// plaintext never leaving the service. The response names the outgoing key.
    ///
    /// # Errors
    /// As [`PaymentCryptography::encrypt_data`], for either key.
    pub fn re_encrypt_data(&self, input: ReEncryptDataInput) -> Result<ReEncryptDataOutput, ServiceError> {
        re_encrypt_data(&mut Direct(self), &input)
    }

    /// A session for many data-plane calls on one thread: see [`DataSession`].
    pub fn session(&self) -> DataSession<'_, S> {
        DataSession::new(self)
    }
}

/// EncryptData with the keys from `keys`.
fn encrypt_data(
    keys: &mut impl KeySource,
    input: &EncryptDataInput,
) -> Result<EncryptDataOutput, ServiceError> {
    let attrs = Attributes::of("EncryptionAttributes", &input.encryption_attributes)?;
    let data = hex_member("PlainText", &input.plain_text, 2, 4096)?;
    let key = keys.key("KeyIdentifier", &input.key_identifier)?;
    let key = wrapped::working_key(key, "KeyIdentifier", "WrappedKey", input.wrapped_key.as_ref())?;
    let out = crypt(
        keys,
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
        key_arn: key.key.key_arn.as_str().to_owned(),
        key_check_value: key.key.key_check_value.clone(),
    })
}

/// DecryptData with the keys from `keys`.
fn decrypt_data(
    keys: &mut impl KeySource,
    input: &DecryptDataInput,
) -> Result<DecryptDataOutput, ServiceError> {
    let attrs = Attributes::of("DecryptionAttributes", &input.decryption_attributes)?;
    let data = hex_member("CipherText", &input.cipher_text, 2, 4224)?;
    let key = keys.key("KeyIdentifier", &input.key_identifier)?;
    let key = wrapped::working_key(key, "KeyIdentifier", "WrappedKey", input.wrapped_key.as_ref())?;
    let out = zeroize::Zeroizing::new(crypt(
        keys,
        &key,
        "KeyIdentifier",
        attrs,
        "DecryptionAttributes",
        "CipherText",
        &data,
        Direction::Decrypt,
    )?);
    Ok(DecryptDataOutput {
        key_arn: key.key.key_arn.as_str().to_owned(),
        key_check_value: key.key.key_check_value.clone(),
        plain_text: upper_hex(&out),
    })
}

/// ReEncryptData with the keys from `keys`.
fn re_encrypt_data(
    keys: &mut impl KeySource,
    input: &ReEncryptDataInput,
) -> Result<ReEncryptDataOutput, ServiceError> {
    let incoming_attrs =
        Attributes::of_re("IncomingEncryptionAttributes", &input.incoming_encryption_attributes)?;
    let outgoing_attrs =
        Attributes::of_re("OutgoingEncryptionAttributes", &input.outgoing_encryption_attributes)?;
    let data = hex_member("CipherText", &input.cipher_text, 2, 4224)?;
    let incoming = keys.key("IncomingKeyIdentifier", &input.incoming_key_identifier)?;
    let incoming = wrapped::working_key(
        incoming,
        "IncomingKeyIdentifier",
        "IncomingWrappedKey",
        input.incoming_wrapped_key.as_ref(),
    )?;
    let outgoing = keys.key("OutgoingKeyIdentifier", &input.outgoing_key_identifier)?;
    let outgoing = wrapped::working_key(
        outgoing,
        "OutgoingKeyIdentifier",
        "OutgoingWrappedKey",
        input.outgoing_wrapped_key.as_ref(),
    )?;
    // Check both keys before any cryptography, so a refused outgoing key costs no decryption
    // (`crypt` checks again: cheap, and it keeps every path through `crypt` checked).
    check_key(&incoming.key, incoming_attrs, Direction::Decrypt, "IncomingKeyIdentifier")?;
    check_key(&outgoing.key, outgoing_attrs, Direction::Encrypt, "OutgoingKeyIdentifier")?;
    let plain = zeroize::Zeroizing::new(crypt(
        keys,
        &incoming,
        "IncomingKeyIdentifier",
        incoming_attrs,
        "IncomingEncryptionAttributes",
        "CipherText",
        &data,
        Direction::Decrypt,
    )?);
    let out = crypt(
        keys,
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
        key_arn: outgoing.key.key_arn.as_str().to_owned(),
        key_check_value: outgoing.key.key_check_value.clone(),
    })
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
#[allow(clippy::too_many_arguments)]
fn crypt(
    keys: &mut impl KeySource,
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
            let path = Member(attrs_path, "Symmetric");
            let symmetric = key
                .material
                .symmetric()
                .ok_or_else(|| ServiceError::Internal("key material is not symmetric".to_owned()))?;
            symmetric::symmetric_crypt(symmetric, sym, path, data_path, data, direction)
        }
        Attributes::Dukpt(dukpt) => {
            let path = Member(attrs_path, "Dukpt");
            let bdk = key
                .material
                .symmetric()
                .ok_or_else(|| ServiceError::Internal("BDK material is not symmetric".to_owned()))?;
            let mut derive = |ksn: &Ksn, usage: Usage, key_type: Option<Algorithm>| {
                keys.dukpt_key(key, bdk, ksn, usage, key_type)
            };
            dukpt::dukpt_crypt(&mut derive, dukpt, path, data_path, data, direction)
        }
        Attributes::Asymmetric(asym) => {
            let path = format!("{attrs_path}.Asymmetric");
            let rsa = rsa_key(&key.key.key_attributes, &key.material)?;
            asymmetric::rsa_crypt(&rsa, asym, &path, data_path, data, direction)
        }
    }
}
