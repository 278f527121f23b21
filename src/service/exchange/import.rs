//! `ImportKey`'s members beside `ClearKey`: certificates (`RootCertificatePublicKey`,
//! `TrustedCertificatePublicKey`) and wrapped keys (`Tr31KeyBlock` under a KEK in the store,
//! `Tr34KeyBlock` and `KeyCryptogram` to an import token's key pair).

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::keys::{
    ExchangePurpose, KeyAttributes, KeyClass, KeyMaterial, KeyStore, KeyUsage, SecretText, StoredKey,
};
use crate::primitives::pki::{self, Certificate};
use crate::primitives::rsa::RsaPadding;
use crate::primitives::{SymmetricKey, tr31, tr34};
use crate::service::control::{ClearKeyMaterial, ImportKeyMaterial};
use crate::service::exchange::header::{HeaderFields, KekUse, attributes_of, kbpk};
use crate::service::exchange::params::KeyMaterialType;
use crate::service::exchange::{certificates, pki_field, unix_now};
use crate::service::validate::one_member;
use crate::service::{PaymentCryptography, ServiceError};

/// `ImportKeyMaterial.RootCertificatePublicKey`: a CA's self-signed certificate.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RootCertificatePublicKey {
    /// `PUBLIC_KEY`, `TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE`, `{Verify}`, RSA.
    pub key_attributes: KeyAttributes,
    /// The certificate (base64 of PEM).
    pub public_key_certificate: String,
}

/// `ImportKeyMaterial.TrustedCertificatePublicKey`: a certificate issued by an imported root.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TrustedCertificatePublicKey {
    /// A `PUBLIC_KEY` RSA key's attributes.
    pub key_attributes: KeyAttributes,
    /// The certificate (base64 of PEM).
    pub public_key_certificate: String,
    /// The imported root certificate that issued it.
    pub certificate_authority_public_key_identifier: String,
}

/// `ImportKeyMaterial.Tr31KeyBlock`: a key wrapped under a KEK in the store.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ImportTr31KeyBlock {
    /// The KEK (`TR31_K0_…` or `TR31_K1_…`, allowed to unwrap).
    pub wrapping_key_identifier: String,
    /// The key block.
    pub wrapped_key_block: SecretText,
}

/// `ImportKeyMaterial.Tr34KeyBlock`: a key sent by a key distribution host, signed and wrapped to an
/// import token's certificate.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ImportTr34KeyBlock {
    /// The imported root certificate the signer's certificate chains to.
    pub certificate_authority_public_key_identifier: String,
    /// The key distribution host's signing certificate (base64 of PEM; intermediates may follow).
    pub signing_key_certificate: String,
    /// The token from GetParametersForImport (`TR34_KEY_BLOCK`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_token: Option<String>,
    /// A stored key pair to receive with (refused: paycrypt takes the `ImportToken` form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapping_key_identifier: Option<String>,
    /// The receiving key pair's certificate (with `WrappingKeyIdentifier`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapping_key_certificate: Option<String>,
    /// The block, hex of DER.
    pub wrapped_key_block: SecretText,
    /// `X9_TR34_2012`.
    pub key_block_format: Tr34KeyBlockFormat,
    /// The nonce the receiver sent, for a two-pass exchange (hex, 8 to 16 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_nonce: Option<String>,
}

/// AWS `Tr34KeyBlockFormat`.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize, Deserialize)]
pub enum Tr34KeyBlockFormat {
    /// ANSI X9 TR-34-2012.
    #[serde(rename = "X9_TR34_2012")]
    X9Tr34_2012,
}

/// AWS `WrappingKeySpec`: the OAEP hash of a key cryptogram.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
pub enum WrappingKeySpec {
    /// RSAES-OAEP with SHA-256 (the default).
    #[default]
    #[serde(rename = "RSA_OAEP_SHA_256")]
    RsaOaepSha256,
    /// RSAES-OAEP with SHA-512.
    #[serde(rename = "RSA_OAEP_SHA_512")]
    RsaOaepSha512,
}

impl WrappingKeySpec {
    /// The RSA padding.
    pub(crate) fn padding(self) -> RsaPadding {
        match self {
            WrappingKeySpec::RsaOaepSha256 => RsaPadding::OaepSha256,
            WrappingKeySpec::RsaOaepSha512 => RsaPadding::OaepSha512,
        }
    }
}

/// `ImportKeyMaterial.KeyCryptogram`: a key RSA-OAEP-encrypted to an import token's certificate.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ImportKeyCryptogram {
    /// The key's attributes.
    pub key_attributes: KeyAttributes,
    /// Whether it may be exported.
    pub exportable: bool,
    /// The cryptogram, hex.
    pub wrapped_key_cryptogram: SecretText,
    /// The token from GetParametersForImport (`KEY_CRYPTOGRAM`).
    pub import_token: String,
    /// The OAEP hash (default SHA-256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapping_spec: Option<WrappingKeySpec>,
}

/// The one member an ImportKey request sets.
pub(crate) enum Member<'a> {
    /// paycrypt's clear key.
    Clear(&'a ClearKeyMaterial),
    /// A root certificate.
    Root(&'a RootCertificatePublicKey),
    /// A trusted certificate.
    Trusted(&'a TrustedCertificatePublicKey),
    /// A TR-31 block.
    Tr31(&'a ImportTr31KeyBlock),
    /// A TR-34 block.
    Tr34(&'a ImportTr34KeyBlock),
    /// An RSA key cryptogram.
    Cryptogram(&'a ImportKeyCryptogram),
}

/// The one member of the union, or the ValidationException AWS's union rule gives; the members
/// paycrypt does not implement are refused by name.
pub(crate) fn import_member(m: &ImportKeyMaterial) -> Result<Member<'_>, ServiceError> {
    // The members paycrypt does not implement are `Some(None)`: set, and refused by name.
    let set = [
        ("ClearKey", m.clear_key.as_ref().map(|c| Some(Member::Clear(c)))),
        ("RootCertificatePublicKey", m.root_certificate_public_key.as_ref().map(|c| Some(Member::Root(c)))),
        (
            "TrustedCertificatePublicKey",
            m.trusted_certificate_public_key.as_ref().map(|c| Some(Member::Trusted(c))),
        ),
        ("Tr31KeyBlock", m.tr31_key_block.as_ref().map(|c| Some(Member::Tr31(c)))),
        ("Tr34KeyBlock", m.tr34_key_block.as_ref().map(|c| Some(Member::Tr34(c)))),
        ("KeyCryptogram", m.key_cryptogram.as_ref().map(|c| Some(Member::Cryptogram(c)))),
        ("DiffieHellmanTr31KeyBlock", m.diffie_hellman_tr31_key_block.as_ref().map(|_| None)),
        ("As2805KeyCryptogram", m.as2805_key_cryptogram.as_ref().map(|_| None)),
    ];
    match one_member("KeyMaterial", set)? {
        (_, Some(member)) => Ok(member),
        (name, None) => Err(ServiceError::field(
            format!("KeyMaterial.{name}"),
            format!("KeyMaterial.{name} is not supported by paycrypt."),
        )),
    }
}

/// What an import gives before it is stored: attributes, material, exportability.
pub(crate) struct Imported {
    /// The key's attributes.
    pub attributes: KeyAttributes,
    /// The material.
    pub material: KeyMaterial,
    /// Whether it may be exported.
    pub exportable: bool,
}

impl<S: KeyStore> PaymentCryptography<S> {
    /// The key an ImportKey member other than `ClearKey` brings in.
    pub(crate) fn import_wrapped(&self, member: &Member<'_>) -> Result<Imported, ServiceError> {
        match member {
            Member::Clear(_) => Err(ServiceError::Internal("ClearKey is imported elsewhere".to_owned())),
            Member::Root(m) => self.import_root(m),
            Member::Trusted(m) => self.import_trusted(m),
            Member::Tr31(m) => {
                let path = "KeyMaterial.Tr31KeyBlock.WrappingKeyIdentifier";
                let kek = self.usable_key(path, &m.wrapping_key_identifier)?;
                let (attributes, exportable, key) = unwrap_tr31_under(
                    &kek,
                    path,
                    "KeyMaterial.Tr31KeyBlock.WrappedKeyBlock",
                    m.wrapped_key_block.expose(),
                )?;
                Ok(Imported { attributes, material: KeyMaterial::Symmetric(key), exportable })
            }
            Member::Tr34(m) => self.import_tr34(m),
            Member::Cryptogram(m) => self.import_cryptogram(m),
        }
    }

    fn import_root(&self, m: &RootCertificatePublicKey) -> Result<Imported, ServiceError> {
        let base = "KeyMaterial.RootCertificatePublicKey";
        let attrs = m.key_attributes;
        public_attributes(
            &format!("{base}.KeyAttributes"),
            &attrs,
            Some(KeyUsage::S0AsymmetricKeyForDigitalSignature),
        )?;
        let path = format!("{base}.PublicKeyCertificate");
        let certs = certificates(&path, &m.public_key_certificate)?;
        let cert = certs.first().ok_or_else(|| ServiceError::field(&path, "no certificate"))?;
        if !cert.is_ca() {
            return Err(ServiceError::field(
                &path,
                format!("{path} is not a CA certificate (basicConstraints)."),
            ));
        }
        cert.verify_issued_by(cert).map_err(|e| pki_field(&path, &e))?;
        cert.check_validity(unix_now()).map_err(|e| pki_field(&path, &e))?;
        certificate_material(&path, &attrs, cert)
    }

    fn import_trusted(&self, m: &TrustedCertificatePublicKey) -> Result<Imported, ServiceError> {
        let base = "KeyMaterial.TrustedCertificatePublicKey";
        let attrs = m.key_attributes;
        public_attributes(&format!("{base}.KeyAttributes"), &attrs, None)?;
        let (_, ca) = self.root_certificate(
            &format!("{base}.CertificateAuthorityPublicKeyIdentifier"),
            &m.certificate_authority_public_key_identifier,
        )?;
        let path = format!("{base}.PublicKeyCertificate");
        let certs = certificates(&path, &m.public_key_certificate)?;
        let (leaf, intermediates) =
            certs.split_first().ok_or_else(|| ServiceError::field(&path, "no certificate"))?;
        pki::verify_chain(leaf, intermediates, &ca, unix_now()).map_err(|e| pki_field(&path, &e))?;
        certificate_material(&path, &attrs, leaf)
    }

    fn import_tr34(&self, m: &ImportTr34KeyBlock) -> Result<Imported, ServiceError> {
        let base = "KeyMaterial.Tr34KeyBlock";
        let (_, ca) = self.root_certificate(
            &format!("{base}.CertificateAuthorityPublicKeyIdentifier"),
            &m.certificate_authority_public_key_identifier,
        )?;
        let path = format!("{base}.SigningKeyCertificate");
        let certs = certificates(&path, &m.signing_key_certificate)?;
        let (kdh, intermediates) =
            certs.split_first().ok_or_else(|| ServiceError::field(&path, "no certificate"))?;
        pki::verify_chain(kdh, intermediates, &ca, unix_now()).map_err(|e| pki_field(&path, &e))?;
        if m.wrapping_key_identifier.is_some() || m.wrapping_key_certificate.is_some() {
            let p = format!("{base}.WrappingKeyIdentifier");
            return Err(ServiceError::field(
                &p,
                format!(
                    "{p} is not supported by paycrypt; pass the ImportToken from GetParametersForImport."
                ),
            ));
        }
        let token_path = format!("{base}.ImportToken");
        let token_name = m
            .import_token
            .as_deref()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ServiceError::field(&token_path, format!("{token_path} is required.")))?;
        let token = self.load_token(
            &token_path,
            token_name,
            ExchangePurpose::Import,
            &[KeyMaterialType::Tr34KeyBlock],
        )?;
        let nonce = match &m.random_nonce {
            Some(n) => Some(crate::service::validate::hex_member(&format!("{base}.RandomNonce"), n, 16, 32)?),
            None => None,
        };
        let block_path = format!("{base}.WrappedKeyBlock");
        let der = crate::service::validate::hex_member(&block_path, m.wrapped_key_block.expose(), 2, 4096)
            .map(Zeroizing::new)?;
        let opened = tr34::open(&der, kdh, &token.key, &token.certificate, nonce.as_deref())
            .map_err(|e| ServiceError::field(&block_path, format!("{block_path}: {e}")))?;
        let header = tr31::Header::parse(opened.header.as_str()).map_err(|e| {
            ServiceError::field(&block_path, format!("{block_path}: its key block header: {e}"))
        })?;
        let fields = fields_of(&header);
        let (attributes, exportable) = attributes_of(&block_path, &fields, opened.key.len())?;
        let key = symmetric(&block_path, &attributes, &opened.key)?;
        Ok(Imported { attributes, material: KeyMaterial::Symmetric(key), exportable })
    }

    fn import_cryptogram(&self, m: &ImportKeyCryptogram) -> Result<Imported, ServiceError> {
        let base = "KeyMaterial.KeyCryptogram";
        let attrs = m.key_attributes;
        attrs.check().map_err(|e| {
            ServiceError::field(format!("{base}.KeyAttributes"), e.to_string()).with_reason(e)
        })?;
        let token_path = format!("{base}.ImportToken");
        let token = self.load_token(
            &token_path,
            &m.import_token,
            ExchangePurpose::Import,
            &[KeyMaterialType::KeyCryptogram],
        )?;
        let path = format!("{base}.WrappedKeyCryptogram");
        let bytes = crate::service::validate::hex_member(&path, m.wrapped_key_cryptogram.expose(), 16, 4096)?;
        let padding = m.wrapping_spec.unwrap_or_default().padding();
        let key = token.key.decrypt(padding, None, &bytes).map_err(|_| {
            ServiceError::field(
                &path,
                format!("{path} could not be decrypted with the import token's key and {}.", padding.name()),
            )
        })?;
        let key = symmetric(&path, &attrs, &key)?;
        Ok(Imported { attributes: attrs, material: KeyMaterial::Symmetric(key), exportable: m.exportable })
    }

    /// An imported root certificate (a `PUBLIC_KEY` S0 key holding a certificate) and its certificate.
    pub(crate) fn root_certificate(
        &self,
        path: &str,
        identifier: &str,
    ) -> Result<(StoredKey, Certificate), ServiceError> {
        let stored = self.usable_key(path, identifier)?;
        let attrs = stored.key.key_attributes;
        let cert = match (&stored.material, attrs.key_class, attrs.key_usage) {
            (KeyMaterial::RsaPem(pem), KeyClass::PublicKey, KeyUsage::S0AsymmetricKeyForDigitalSignature)
                if pem.contains("CERTIFICATE") =>
            {
                Certificate::from_pem(pem).map_err(|e| ServiceError::Internal(e.to_string()))?
            }
            _ => {
                return Err(ServiceError::field(
                    path,
                    format!(
                        "Key {} is not a certificate authority's public key (a RootCertificatePublicKey import).",
                        stored.key.key_arn
                    ),
                ));
            }
        };
        Ok((stored, cert))
    }
}

/// Unwraps the TR-31 block `text` (member `block_path`) under the KEK `kek` (named by the member at
/// `kek_path`): the KEK must be a K0/K1 key allowed to unwrap and at least as strong as the key.
pub(crate) fn unwrap_tr31_under(
    kek: &StoredKey,
    kek_path: &str,
    block_path: &str,
    text: &str,
) -> Result<(KeyAttributes, bool, SymmetricKey), ServiceError> {
    let arn = &kek.key.key_arn;
    let protection = kbpk(kek, kek_path, KekUse::Unwrap, None)?;
    let unwrapped = tr31::unwrap(protection.as_bytes(), text.trim()).map_err(|e| match e {
        tr31::Tr31Error::Invalid => ServiceError::field(
            block_path,
            format!("{block_path} could not be unwrapped under {arn}: it is corrupt or was wrapped under another key."),
        ),
        other => ServiceError::field(block_path, format!("{block_path}: {other}")),
    })?;
    let fields = fields_of(&unwrapped.header);
    let (attributes, exportable) = attributes_of(block_path, &fields, unwrapped.key.len())?;
    let key = symmetric(block_path, &attributes, &unwrapped.key)?;
    // Now that the key's algorithm is known: the KEK must be at least as strong.
    kbpk(kek, kek_path, KekUse::Unwrap, Some(key.algorithm()))?;
    Ok((attributes, exportable, key))
}

/// The header fields that set an imported key's attributes.
fn fields_of(header: &tr31::Header) -> HeaderFields<'_> {
    HeaderFields {
        usage: &header.key_usage,
        algorithm: header.algorithm,
        mode_of_use: header.mode_of_use,
        exportability: header.exportability,
    }
}

/// Symmetric material of `attrs`'s algorithm from `bytes`.
fn symmetric(path: &str, attrs: &KeyAttributes, bytes: &[u8]) -> Result<SymmetricKey, ServiceError> {
    let algorithm = attrs.key_algorithm.symmetric().ok_or_else(|| {
        ServiceError::field(
            path,
            format!("paycrypt imports wrapped TDES and AES keys, not {}.", attrs.key_algorithm),
        )
    })?;
    SymmetricKey::new(algorithm, bytes).map_err(|_| {
        ServiceError::field(
            path,
            format!(
                "{path} holds a {}-byte key; KeyAlgorithm {} needs {}.",
                bytes.len(),
                attrs.key_algorithm,
                algorithm.key_len()
            ),
        )
    })
}

/// Checks attributes for an imported certificate: a `PUBLIC_KEY` RSA key (of `usage`, if given).
fn public_attributes(path: &str, attrs: &KeyAttributes, usage: Option<KeyUsage>) -> Result<(), ServiceError> {
    attrs.check().map_err(|e| ServiceError::field(path, e.to_string()).with_reason(e))?;
    if attrs.key_class != KeyClass::PublicKey || attrs.key_algorithm.rsa_bits().is_none() {
        return Err(ServiceError::field(
            path,
            format!(
                "{path}: a certificate imports as an RSA PUBLIC_KEY, not {} {}.",
                attrs.key_algorithm, attrs.key_class
            ),
        ));
    }
    if let Some(u) = usage
        && attrs.key_usage != u
    {
        return Err(ServiceError::field(
            path,
            format!("{path}: KeyUsage must be {u}, not {}.", attrs.key_usage),
        ));
    }
    Ok(())
}

/// The stored material of an imported certificate: its PEM, checked against the attributes' size.
fn certificate_material(
    path: &str,
    attrs: &KeyAttributes,
    cert: &Certificate,
) -> Result<Imported, ServiceError> {
    let public = cert.public_key().map_err(|e| pki_field(path, &e))?;
    let bits = attrs.key_algorithm.rsa_bits().unwrap_or(0);
    if public.bits() != bits {
        return Err(ServiceError::field(
            path,
            format!(
                "{path} holds a {}-bit RSA key; KeyAlgorithm {} needs {bits} bits.",
                public.bits(),
                attrs.key_algorithm
            ),
        ));
    }
    Ok(Imported {
        attributes: *attrs,
        material: KeyMaterial::RsaPem(Zeroizing::new(cert.to_pem())),
        exportable: false,
    })
}
