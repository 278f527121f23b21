//! `ExportKey`: a key leaves wrapped, as a TR-31 block under a KEK in the store, as a TR-34 block
//! signed by an export token's key pair and wrapped to the receiver's certificate, or as an RSA-OAEP
//! key cryptogram to a certificate. Only an exportable key leaves, and only under a wrapping key at
//! least as strong (TR-31).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::keys::{
    ExchangePurpose, KeyArn, KeyCheckValueAlgorithm, KeyMaterial, KeyModesOfUse, KeyStore, KeyUsage,
    StoredKey,
};
use crate::primitives::{SymmetricKey, tr31, tr34};
use crate::primitives::{dukpt, pki};
use crate::service::control::check_value;
use crate::service::exchange::header::{KekUse, algorithm_letter, kbpk, mode_letter, usage_code};
use crate::service::exchange::import::{Tr34KeyBlockFormat, WrappingKeySpec};
use crate::service::exchange::params::KeyMaterialType;
use crate::service::exchange::{certificates, pki_field, unix_now};
use crate::service::validate::{hex_member, one_member, upper_hex};
use crate::service::{PaymentCryptography, ServiceError};

/// ExportKey request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ExportKeyInput {
    /// How to wrap the key.
    pub key_material: ExportKeyMaterial,
    /// The key to export (ARN or alias).
    pub export_key_identifier: String,
    /// The check value's algorithm, and a DUKPT initial key instead of the BDK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_attributes: Option<ExportAttributes>,
}

/// AWS `ExportKeyMaterial` (a union).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ExportKeyMaterial {
    /// A TR-31 block under a KEK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tr31_key_block: Option<ExportTr31KeyBlock>,
    /// A TR-34 block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tr34_key_block: Option<ExportTr34KeyBlock>,
    /// An RSA key cryptogram.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_cryptogram: Option<ExportKeyCryptogram>,
    /// Refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diffie_hellman_tr31_key_block: Option<Value>,
    /// Refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as2805_key_cryptogram: Option<Value>,
}

/// `ExportKeyMaterial.Tr31KeyBlock`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ExportTr31KeyBlock {
    /// The KEK (`TR31_K0_…`/`TR31_K1_…`, allowed to wrap).
    pub wrapping_key_identifier: String,
    /// Header fields to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_block_headers: Option<KeyBlockHeaders>,
}

/// AWS `KeyBlockHeaders`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct KeyBlockHeaders {
    /// The modes of use the receiver gets (a subset of the key's; default the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_modes_of_use: Option<KeyModesOfUse>,
    /// Whether the receiver may export it again (default `EXPORTABLE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_exportability: Option<KeyExportability>,
    /// The key version number, two characters (default `00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_version: Option<String>,
    /// Optional blocks by ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional_blocks: Option<BTreeMap<String, String>>,
}

/// AWS `KeyExportability`.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize, Deserialize)]
pub enum KeyExportability {
    /// `E`.
    #[serde(rename = "EXPORTABLE")]
    Exportable,
    /// `N`.
    #[serde(rename = "NON_EXPORTABLE")]
    NonExportable,
    /// `S`.
    #[serde(rename = "SENSITIVE")]
    Sensitive,
}

impl KeyExportability {
    fn letter(self) -> char {
        match self {
            KeyExportability::Exportable => 'E',
            KeyExportability::NonExportable => 'N',
            KeyExportability::Sensitive => 'S',
        }
    }
}

/// `ExportKeyMaterial.Tr34KeyBlock`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ExportTr34KeyBlock {
    /// The imported root certificate the receiver's certificate chains to.
    pub certificate_authority_public_key_identifier: String,
    /// The receiver's certificate (base64 of PEM).
    pub wrapping_key_certificate: String,
    /// The token from GetParametersForExport.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_token: Option<String>,
    /// A stored signing key (refused: paycrypt takes the `ExportToken` form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key_identifier: Option<String>,
    /// The signing key's certificate (with `SigningKeyIdentifier`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key_certificate: Option<String>,
    /// `X9_TR34_2012`.
    pub key_block_format: Tr34KeyBlockFormat,
    /// The receiver's nonce (hex, 8 to 16 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_nonce: Option<String>,
    /// Header fields to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_block_headers: Option<KeyBlockHeaders>,
}

/// `ExportKeyMaterial.KeyCryptogram`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ExportKeyCryptogram {
    /// The imported root certificate the receiver's certificate chains to.
    pub certificate_authority_public_key_identifier: String,
    /// The receiver's certificate (base64 of PEM).
    pub wrapping_key_certificate: String,
    /// The OAEP hash (default SHA-256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapping_spec: Option<WrappingKeySpec>,
}

/// AWS `ExportAttributes`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ExportAttributes {
    /// Export the DUKPT initial key of this KSN instead of the BDK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_dukpt_initial_key: Option<ExportDukptInitialKey>,
    /// The check value's algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_check_value_algorithm: Option<KeyCheckValueAlgorithm>,
}

/// AWS `ExportDukptInitialKey`.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ExportDukptInitialKey {
    /// The KSN (20 hex for TDES, 24 for AES DUKPT).
    pub key_serial_number: String,
}

/// ExportKey response.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExportKeyOutput {
    /// The wrapped key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapped_key: Option<WrappedKeyOutput>,
}

/// AWS `WrappedKeyMaterialFormat`.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize, Deserialize)]
pub enum WrappedKeyMaterialFormat {
    /// An RSA key cryptogram.
    #[serde(rename = "KEY_CRYPTOGRAM")]
    KeyCryptogram,
    /// A TR-31 block.
    #[serde(rename = "TR31_KEY_BLOCK")]
    Tr31KeyBlock,
    /// A TR-34 block.
    #[serde(rename = "TR34_KEY_BLOCK")]
    Tr34KeyBlock,
}

/// AWS `WrappedKey` (the ExportKey response's).
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WrappedKeyOutput {
    /// The wrapping key (the KEK, or the root certificate the receiver chains to).
    pub wrapping_key_arn: KeyArn,
    /// The format.
    pub wrapped_key_material_format: WrappedKeyMaterialFormat,
    /// The wrapped key: a TR-31 block, or hex.
    pub key_material: String,
    /// The exported key's check value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_check_value: Option<String>,
    /// Its algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_check_value_algorithm: Option<KeyCheckValueAlgorithm>,
}

impl<S: KeyStore> PaymentCryptography<S> {
    /// ExportKey.
    ///
    /// # Errors
    /// `ValidationException` for a union without exactly one member, a key that is not exportable,
    /// a wrapping key that may not wrap it, a certificate that does not chain to the named root, an
    /// unknown or expired export token; `ResourceNotFoundException`; `AccessDeniedException` for a
    /// disabled key.
    pub fn export_key(&self, input: ExportKeyInput) -> Result<ExportKeyOutput, ServiceError> {
        let m = &input.key_material;
        let set = [
            ("Tr31KeyBlock", m.tr31_key_block.as_ref().map(|_| ())),
            ("Tr34KeyBlock", m.tr34_key_block.as_ref().map(|_| ())),
            ("KeyCryptogram", m.key_cryptogram.as_ref().map(|_| ())),
            ("DiffieHellmanTr31KeyBlock", m.diffie_hellman_tr31_key_block.as_ref().map(|_| ())),
            ("As2805KeyCryptogram", m.as2805_key_cryptogram.as_ref().map(|_| ())),
        ];
        let (member, ()) = one_member("KeyMaterial", set)?;
        let stored = self.usable_key("ExportKeyIdentifier", &input.export_key_identifier)?;
        if !stored.key.exportable {
            return Err(ServiceError::field(
                "ExportKeyIdentifier",
                format!("Key {} is not exportable.", stored.key.key_arn),
            ));
        }
        let attributes = input.export_attributes.clone().unwrap_or_default();
        let (stored, usage_code_override) = match &attributes.export_dukpt_initial_key {
            Some(ik) => {
                let (key, block) = initial_key(&stored, &ik.key_serial_number)?;
                (key, Some(block))
            }
            None => (stored, None),
        };
        let KeyMaterial::Symmetric(key) = &stored.material else {
            return Err(ServiceError::field(
                "ExportKeyIdentifier",
                format!(
                    "Key {} is an {} key; paycrypt exports TDES and AES keys.",
                    stored.key.key_arn, stored.key.key_attributes.key_algorithm
                ),
            ));
        };
        let (kcv, kcv_algorithm) =
            check_value(&stored.key.key_attributes, &stored.material, attributes.key_check_value_algorithm)?;
        let (wrapping_key_arn, format, key_material) = if let Some(t) = &m.tr31_key_block {
            let path = "KeyMaterial.Tr31KeyBlock.WrappingKeyIdentifier";
            let kek = self.usable_key(path, &t.wrapping_key_identifier)?;
            let block = wrap_tr31_under(
                &kek,
                path,
                &stored,
                key,
                usage_code_override.as_ref(),
                t.key_block_headers.as_ref(),
            )?;
            (kek.key.key_arn, WrappedKeyMaterialFormat::Tr31KeyBlock, block)
        } else if let Some(t) = &m.tr34_key_block {
            let block = self.export_tr34(t, &stored, key, usage_code_override.as_ref())?;
            let (ca, _) = self.root_certificate(
                "KeyMaterial.Tr34KeyBlock.CertificateAuthorityPublicKeyIdentifier",
                &t.certificate_authority_public_key_identifier,
            )?;
            (ca.key.key_arn, WrappedKeyMaterialFormat::Tr34KeyBlock, block)
        } else if let Some(c) = &m.key_cryptogram {
            let base = "KeyMaterial.KeyCryptogram";
            let (ca_key, ca) = self.root_certificate(
                &format!("{base}.CertificateAuthorityPublicKeyIdentifier"),
                &c.certificate_authority_public_key_identifier,
            )?;
            let path = format!("{base}.WrappingKeyCertificate");
            let certs = certificates(&path, &c.wrapping_key_certificate)?;
            let (leaf, rest) =
                certs.split_first().ok_or_else(|| ServiceError::field(&path, "no certificate"))?;
            pki::verify_chain(leaf, rest, &ca, unix_now()).map_err(|e| pki_field(&path, &e))?;
            let public = leaf.public_key().map_err(|e| pki_field(&path, &e))?;
            let padding = c.wrapping_spec.unwrap_or_default().padding();
            let cryptogram = public
                .encrypt(padding, None, key.as_bytes())
                .map_err(|e| ServiceError::field(&path, format!("{path}: {e}")))?;
            (ca_key.key.key_arn, WrappedKeyMaterialFormat::KeyCryptogram, upper_hex(&cryptogram))
        } else {
            return Err(ServiceError::field(
                format!("KeyMaterial.{member}"),
                format!("KeyMaterial.{member} is not supported by paycrypt."),
            ));
        };
        Ok(ExportKeyOutput {
            wrapped_key: Some(WrappedKeyOutput {
                wrapping_key_arn,
                wrapped_key_material_format: format,
                key_material,
                key_check_value: Some(kcv),
                key_check_value_algorithm: Some(kcv_algorithm),
            }),
        })
    }

    fn export_tr34(
        &self,
        t: &ExportTr34KeyBlock,
        stored: &StoredKey,
        key: &SymmetricKey,
        initial_key: Option<&tr31::OptionalBlock>,
    ) -> Result<String, ServiceError> {
        let base = "KeyMaterial.Tr34KeyBlock";
        let (_, ca) = self.root_certificate(
            &format!("{base}.CertificateAuthorityPublicKeyIdentifier"),
            &t.certificate_authority_public_key_identifier,
        )?;
        let path = format!("{base}.WrappingKeyCertificate");
        let certs = certificates(&path, &t.wrapping_key_certificate)?;
        let (krd, rest) = certs.split_first().ok_or_else(|| ServiceError::field(&path, "no certificate"))?;
        pki::verify_chain(krd, rest, &ca, unix_now()).map_err(|e| pki_field(&path, &e))?;
        if t.signing_key_identifier.is_some() || t.signing_key_certificate.is_some() {
            let p = format!("{base}.SigningKeyIdentifier");
            return Err(ServiceError::field(
                &p,
                format!(
                    "{p} is not supported by paycrypt; pass the ExportToken from GetParametersForExport."
                ),
            ));
        }
        let token_path = format!("{base}.ExportToken");
        let name = t
            .export_token
            .as_deref()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| ServiceError::field(&token_path, format!("{token_path} is required.")))?;
        let token =
            self.load_token(&token_path, name, ExchangePurpose::Export, &[KeyMaterialType::Tr34KeyBlock])?;
        let nonce = match &t.random_nonce {
            Some(n) => Some(hex_member(&format!("{base}.RandomNonce"), n, 16, 32)?),
            None => None,
        };
        let version = if key.algorithm().is_tdes() { tr31::Version::B } else { tr31::Version::D };
        let header = header_for(base, version, stored, key, initial_key, t.key_block_headers.as_ref())?;
        let der = tr34::build(
            key.as_bytes(),
            &header.to_string(),
            &token.key,
            &token.certificate,
            krd,
            nonce.as_deref(),
        )
        .map_err(|e| ServiceError::Internal(format!("cannot build the TR-34 block: {e}")))?;
        Ok(upper_hex(&der))
    }
}

/// The TR-31 block of `key` (the stored key `stored`) under the KEK `kek` (named at `kek_path`).
pub(crate) fn wrap_tr31_under(
    kek: &StoredKey,
    kek_path: &str,
    stored: &StoredKey,
    key: &SymmetricKey,
    initial_key: Option<&tr31::OptionalBlock>,
    headers: Option<&KeyBlockHeaders>,
) -> Result<String, ServiceError> {
    let kbpk = kbpk(kek, kek_path, KekUse::Wrap, Some(key.algorithm()))?;
    let version = if kbpk.algorithm().is_tdes() { tr31::Version::B } else { tr31::Version::D };
    let header = header_for("KeyMaterial.Tr31KeyBlock", version, stored, key, initial_key, headers)?;
    tr31::wrap(kbpk.as_bytes(), &header, key.as_bytes())
        .map_err(|e| ServiceError::field("KeyMaterial.Tr31KeyBlock.KeyBlockHeaders", format!("{e}")))
}

/// The key block header for exporting `stored` (`key`): its usage, algorithm and modes, narrowed by
/// `headers`.
fn header_for(
    base: &str,
    version: tr31::Version,
    stored: &StoredKey,
    key: &SymmetricKey,
    initial_key: Option<&tr31::OptionalBlock>,
    headers: Option<&KeyBlockHeaders>,
) -> Result<tr31::Header, ServiceError> {
    let attrs = stored.key.key_attributes;
    let path = format!("{base}.KeyBlockHeaders");
    let default = KeyBlockHeaders::default();
    let h = headers.unwrap_or(&default);
    let modes = match h.key_modes_of_use {
        Some(m) => {
            let own = attrs.key_modes_of_use;
            let subset = own.no_restrictions
                || [
                    (m.encrypt, own.encrypt),
                    (m.decrypt, own.decrypt),
                    (m.wrap, own.wrap),
                    (m.unwrap, own.unwrap),
                    (m.generate, own.generate),
                    (m.sign, own.sign),
                    (m.verify, own.verify),
                    (m.derive_key, own.derive_key),
                    (m.no_restrictions, own.no_restrictions),
                ]
                .iter()
                .all(|(asked, has)| !asked || *has);
            if !subset {
                return Err(ServiceError::field(
                    format!("{path}.KeyModesOfUse"),
                    format!("{path}.KeyModesOfUse {m} is not within the key's {own}."),
                ));
            }
            m
        }
        None => attrs.key_modes_of_use,
    };
    let mode_of_use = mode_letter(modes).ok_or_else(|| {
        ServiceError::field(
            format!("{path}.KeyModesOfUse"),
            format!("KeyModesOfUse {modes} has no TR-31 mode of use."),
        )
    })?;
    let key_version = h.key_version.clone().unwrap_or_else(|| "00".to_owned());
    let mut optional_blocks: Vec<tr31::OptionalBlock> = h
        .optional_blocks
        .iter()
        .flatten()
        .map(|(id, data)| tr31::OptionalBlock { id: id.clone(), data: data.clone() })
        .collect();
    // A DUKPT initial key carries its KSN (TDES, `KS`) or initial key ID (AES, `IK`).
    if let Some(block) = initial_key
        && !optional_blocks.iter().any(|b| b.id == block.id)
    {
        optional_blocks.insert(0, block.clone());
    }
    Ok(tr31::Header {
        version,
        key_usage: if initial_key.is_some() { "B1" } else { usage_code(attrs.key_usage) }.to_owned(),
        algorithm: algorithm_letter(key.algorithm()),
        mode_of_use,
        key_version,
        exportability: h.key_exportability.map_or('E', KeyExportability::letter),
        optional_blocks,
    })
}

/// The DUKPT initial key of the BDK `bdk` for `ksn`, as a key to export, and the optional block that
/// names it: `KS` with the initial KSN (TDES) or `IK` with the initial key ID (AES).
fn initial_key(bdk: &StoredKey, ksn: &str) -> Result<(StoredKey, tr31::OptionalBlock), ServiceError> {
    let path = "ExportAttributes.ExportDukptInitialKey.KeySerialNumber";
    if bdk.key.key_attributes.key_usage != KeyUsage::B0BaseDerivationKey {
        return Err(ServiceError::field(
            path,
            format!(
                "Key {} is not a BDK (TR31_B0_BASE_DERIVATION_KEY); only a BDK has DUKPT initial keys.",
                bdk.key.key_arn
            ),
        ));
    }
    let KeyMaterial::Symmetric(material) = &bdk.material else {
        return Err(ServiceError::Internal("a BDK is not symmetric".to_owned()));
    };
    let ksn_bytes = hex_member(path, ksn, 20, 24)?;
    let ksn =
        dukpt::Ksn::from_slice(&ksn_bytes).map_err(|e| ServiceError::field(path, format!("{path}: {e}")))?;
    let initial =
        |k: Result<_, dukpt::Error>| k.map_err(|e| ServiceError::field(path, format!("{path}: {e}")));
    let (derived, block) = match &ksn {
        dukpt::Ksn::Tdes(k) if material.algorithm().is_tdes() => {
            let iksn = initial(k.with_counter(0))?;
            (
                dukpt::tdes::derive_ipek(material, k),
                tr31::OptionalBlock::new("KS", hex::encode_upper(iksn.as_bytes())),
            )
        }
        dukpt::Ksn::Aes(k) if !material.algorithm().is_tdes() => (
            dukpt::aes::derive_initial_key(material, &k.initial_key_id()),
            tr31::OptionalBlock::new("IK", hex::encode_upper(k.initial_key_id())),
        ),
        _ => {
            return Err(ServiceError::field(
                path,
                format!(
                    "{path} has {} hex characters, which does not fit a {} BDK (20 for TDES, 24 for AES).",
                    ksn_bytes.len() * 2,
                    material.algorithm()
                ),
            ));
        }
    };
    let ik = derived.map_err(|e| ServiceError::field(path, format!("{path}: {e}")))?;
    let mut key = bdk.key.clone();
    key.key_attributes.key_algorithm = ik.algorithm().into();
    Ok((StoredKey { key, material: KeyMaterial::Symmetric(ik) }, block))
}
