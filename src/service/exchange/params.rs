//! `GetParametersForImport`, `GetParametersForExport` and `GetPublicKeyCertificate`, and the local
//! certificate authority behind their certificates.
//!
//! A token is an RSA key pair of the requested size with a certificate the authority issued (key
//! encipherment for import, digital signature for export), valid for 30 days as AWS's are; the store
//! keeps it, private key sealed, until then and removes it after. The authority is made on first use
//! and kept in the store (RSA 2048, self-signed, valid ten years).

use serde::{Deserialize, Serialize};

use crate::keys::{
    AUTHORITY_RECORD, ExchangeParameters, ExchangePurpose, KeyAlgorithm, KeyClass, KeyId, KeyStore, KeyUsage,
    StoreError, StoredExchange, Timestamp,
};
use crate::primitives::pki::{self, Certificate, LeafUsage};
use crate::primitives::rsa::{RsaPrivateKey, RsaPublicKey};
use crate::service::data::{RsaKey, rsa_key};
use crate::service::exchange::unix_now;
use crate::service::{PaymentCryptography, ServiceError};

/// How long a token is valid, in days.
const TOKEN_DAYS: u32 = 30;
/// How long the authority's certificate is valid, in days.
const AUTHORITY_DAYS: u32 = 3650;

/// AWS `KeyMaterialType`.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize, Deserialize)]
pub enum KeyMaterialType {
    /// A TR-34 key block.
    #[serde(rename = "TR34_KEY_BLOCK")]
    Tr34KeyBlock,
    /// A TR-31 key block (needs no parameters).
    #[serde(rename = "TR31_KEY_BLOCK")]
    Tr31KeyBlock,
    /// A root certificate (needs no parameters).
    #[serde(rename = "ROOT_PUBLIC_KEY_CERTIFICATE")]
    RootPublicKeyCertificate,
    /// A trusted certificate (needs no parameters).
    #[serde(rename = "TRUSTED_PUBLIC_KEY_CERTIFICATE")]
    TrustedPublicKeyCertificate,
    /// An RSA-wrapped key cryptogram.
    #[serde(rename = "KEY_CRYPTOGRAM")]
    KeyCryptogram,
}

impl KeyMaterialType {
    /// AWS's name.
    pub const fn name(self) -> &'static str {
        match self {
            KeyMaterialType::Tr34KeyBlock => "TR34_KEY_BLOCK",
            KeyMaterialType::Tr31KeyBlock => "TR31_KEY_BLOCK",
            KeyMaterialType::RootPublicKeyCertificate => "ROOT_PUBLIC_KEY_CERTIFICATE",
            KeyMaterialType::TrustedPublicKeyCertificate => "TRUSTED_PUBLIC_KEY_CERTIFICATE",
            KeyMaterialType::KeyCryptogram => "KEY_CRYPTOGRAM",
        }
    }
}

/// GetParametersForImport request.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct GetParametersForImportInput {
    /// `TR34_KEY_BLOCK` or `KEY_CRYPTOGRAM`.
    pub key_material_type: KeyMaterialType,
    /// The wrapping key pair's algorithm: `RSA_2048`, `RSA_3072` or `RSA_4096`.
    pub wrapping_key_algorithm: KeyAlgorithm,
    /// Return the last token made for the same type and algorithm while it is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_last_generated_token: Option<bool>,
}

/// GetParametersForImport response.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetParametersForImportOutput {
    /// The certificate to wrap keys to (base64 of PEM).
    pub wrapping_key_certificate: String,
    /// The authority's certificate (base64 of PEM).
    pub wrapping_key_certificate_chain: String,
    /// The wrapping key pair's algorithm.
    pub wrapping_key_algorithm: KeyAlgorithm,
    /// The token ImportKey takes.
    pub import_token: String,
    /// When the token expires.
    pub parameters_valid_until_timestamp: Timestamp,
}

/// GetParametersForExport request.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct GetParametersForExportInput {
    /// `TR34_KEY_BLOCK`.
    pub key_material_type: KeyMaterialType,
    /// The signing key pair's algorithm: `RSA_2048`, `RSA_3072` or `RSA_4096`.
    pub signing_key_algorithm: KeyAlgorithm,
    /// Return the last token made for the same type and algorithm while it is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_last_generated_token: Option<bool>,
}

/// GetParametersForExport response.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetParametersForExportOutput {
    /// The certificate of the key that signs exported TR-34 blocks (base64 of PEM).
    pub signing_key_certificate: String,
    /// The authority's certificate (base64 of PEM).
    pub signing_key_certificate_chain: String,
    /// The signing key pair's algorithm.
    pub signing_key_algorithm: KeyAlgorithm,
    /// The token ExportKey takes.
    pub export_token: String,
    /// When the token expires.
    pub parameters_valid_until_timestamp: Timestamp,
}

/// GetPublicKeyCertificate request.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct GetPublicKeyCertificateInput {
    /// An asymmetric key pair (ARN or alias).
    pub key_identifier: String,
}

/// GetPublicKeyCertificate response.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetPublicKeyCertificateOutput {
    /// The key's certificate (base64 of PEM).
    pub key_certificate: String,
    /// The authority's certificate (base64 of PEM).
    pub key_certificate_chain: String,
}

/// A token's key pair and certificate, loaded from the store.
pub(crate) struct Token {
    /// Its private key.
    pub key: RsaPrivateKey,
    /// Its certificate.
    pub certificate: Certificate,
}

impl<S: KeyStore> PaymentCryptography<S> {
    /// GetParametersForImport: a key pair to wrap keys to (TR-34 or an RSA key cryptogram), its
    /// certificate and chain, and the import token that names it.
    ///
    /// # Errors
    /// `ValidationException` for a material type that needs no parameters or a non-RSA algorithm.
    pub fn get_parameters_for_import(
        &self,
        input: GetParametersForImportInput,
    ) -> Result<GetParametersForImportOutput, ServiceError> {
        match input.key_material_type {
            KeyMaterialType::Tr34KeyBlock | KeyMaterialType::KeyCryptogram => {}
            other => {
                return Err(ServiceError::field(
                    "KeyMaterialType",
                    format!(
                        "KeyMaterialType {} needs no import parameters; use TR34_KEY_BLOCK or KEY_CRYPTOGRAM.",
                        other.name()
                    ),
                ));
            }
        }
        let record = self.token(
            ExchangePurpose::Import,
            input.key_material_type,
            "WrappingKeyAlgorithm",
            input.wrapping_key_algorithm,
            input.reuse_last_generated_token.unwrap_or(false),
        )?;
        let p = record.parameters;
        Ok(GetParametersForImportOutput {
            wrapping_key_certificate: pem_to_aws(&p.certificate),
            wrapping_key_certificate_chain: pem_to_aws(&p.certificate_chain),
            wrapping_key_algorithm: p.key_algorithm,
            import_token: p.name,
            parameters_valid_until_timestamp: p.valid_until,
        })
    }

    /// GetParametersForExport: a key pair that signs exported TR-34 blocks, its certificate and chain,
    /// and the export token that names it.
    ///
    /// # Errors
    /// `ValidationException` for a material type other than `TR34_KEY_BLOCK` or a non-RSA algorithm.
    pub fn get_parameters_for_export(
        &self,
        input: GetParametersForExportInput,
    ) -> Result<GetParametersForExportOutput, ServiceError> {
        if input.key_material_type != KeyMaterialType::Tr34KeyBlock {
            return Err(ServiceError::field(
                "KeyMaterialType",
                format!(
                    "KeyMaterialType {} needs no export parameters; use TR34_KEY_BLOCK.",
                    input.key_material_type.name()
                ),
            ));
        }
        let record = self.token(
            ExchangePurpose::Export,
            input.key_material_type,
            "SigningKeyAlgorithm",
            input.signing_key_algorithm,
            input.reuse_last_generated_token.unwrap_or(false),
        )?;
        let p = record.parameters;
        Ok(GetParametersForExportOutput {
            signing_key_certificate: pem_to_aws(&p.certificate),
            signing_key_certificate_chain: pem_to_aws(&p.certificate_chain),
            signing_key_algorithm: p.key_algorithm,
            export_token: p.name,
            parameters_valid_until_timestamp: p.valid_until,
        })
    }

    /// GetPublicKeyCertificate: a certificate for an asymmetric key pair's public key, issued by the
    /// local authority, and the authority's certificate.
    ///
    /// # Errors
    /// `ValidationException` for a key that is not an RSA key pair; `ResourceNotFoundException`.
    pub fn get_public_key_certificate(
        &self,
        input: GetPublicKeyCertificateInput,
    ) -> Result<GetPublicKeyCertificateOutput, ServiceError> {
        let stored = self.usable_key("KeyIdentifier", &input.key_identifier)?;
        let attrs = stored.key.key_attributes;
        if attrs.key_class != KeyClass::AsymmetricKeyPair || attrs.key_algorithm.rsa_bits().is_none() {
            return Err(ServiceError::field(
                "KeyIdentifier",
                format!(
                    "Key {} is a {} {} key; GetPublicKeyCertificate needs an RSA ASYMMETRIC_KEY_PAIR.",
                    stored.key.key_arn, attrs.key_algorithm, attrs.key_class
                ),
            ));
        }
        let public: RsaPublicKey = match rsa_key(&attrs, &stored.material)? {
            RsaKey::Private(k) => k.public_key(),
            RsaKey::Public(k) => k,
        };
        let usage = if attrs.key_usage == KeyUsage::S0AsymmetricKeyForDigitalSignature {
            LeafUsage::DigitalSignature
        } else {
            LeafUsage::KeyEncipherment
        };
        let (ca_cert, ca_key) = self.authority()?;
        let cert = pki::issue_leaf(
            &public,
            stored.key.key_arn.as_str(),
            usage,
            &ca_cert,
            &ca_key,
            AUTHORITY_DAYS,
            unix_now(),
        )
        .map_err(internal)?;
        Ok(GetPublicKeyCertificateOutput {
            key_certificate: Certificate::to_aws_base64(std::slice::from_ref(&cert)),
            key_certificate_chain: Certificate::to_aws_base64(std::slice::from_ref(&ca_cert)),
        })
    }

    /// The token named `name` for `purpose`, checked unexpired; `path` names the member that gave it.
    pub(crate) fn load_token(
        &self,
        path: &str,
        name: &str,
        purpose: ExchangePurpose,
        types: &[KeyMaterialType],
    ) -> Result<Token, ServiceError> {
        let unknown = || {
            ServiceError::field(
                path,
                format!("{path} {name} is not a token GetParametersFor{} gave.", word(purpose)),
            )
        };
        if name == AUTHORITY_RECORD {
            return Err(unknown());
        }
        let record = self.store().get_exchange(name)?.ok_or_else(unknown)?;
        let p = &record.parameters;
        if p.purpose != purpose || !types.iter().any(|t| t.name() == p.key_material_type) {
            return Err(ServiceError::field(
                path,
                format!("{path} {name} was made for {}, not for this key material.", p.key_material_type),
            ));
        }
        if p.valid_until <= Timestamp::now() {
            return Err(ServiceError::field(
                path,
                format!("{path} {name} expired at {}.", p.valid_until.to_iso8601()),
            ));
        }
        let key = RsaPrivateKey::from_pem(&record.private_key).map_err(internal)?;
        let certificate = Certificate::from_pem(&p.certificate).map_err(internal)?;
        Ok(Token { key, certificate })
    }

    /// A new token, or the newest valid one of the same kind when `reuse`.
    fn token(
        &self,
        purpose: ExchangePurpose,
        material: KeyMaterialType,
        path: &str,
        algorithm: KeyAlgorithm,
        reuse: bool,
    ) -> Result<StoredExchange, ServiceError> {
        let bits = algorithm.rsa_bits().ok_or_else(|| {
            ServiceError::field(path, format!("{path} {algorithm} is not RSA_2048, RSA_3072 or RSA_4096."))
        })?;
        let now = Timestamp::now();
        if reuse {
            let newest = self
                .store()
                .list_exchange()?
                .into_iter()
                .filter(|p| {
                    p.purpose == purpose
                        && p.key_material_type == material.name()
                        && p.key_algorithm == algorithm
                        && p.valid_until > now
                })
                .max_by_key(|p| p.created);
            if let Some(p) = newest
                && let Some(record) = self.store().get_exchange(&p.name)?
            {
                return Ok(record);
            }
        }
        let (ca_cert, ca_key) = self.authority()?;
        let key = RsaPrivateKey::generate(bits).map_err(internal)?;
        let id = KeyId::random().map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
        let name = match purpose {
            ExchangePurpose::Export => format!("export-token-{id}"),
            _ => format!("import-token-{id}"),
        };
        let usage = match purpose {
            ExchangePurpose::Export => LeafUsage::DigitalSignature,
            _ => LeafUsage::KeyEncipherment,
        };
        let cert =
            pki::issue_leaf(&key.public_key(), &name, usage, &ca_cert, &ca_key, TOKEN_DAYS, unix_now())
                .map_err(internal)?;
        let record = StoredExchange {
            parameters: ExchangeParameters {
                name,
                purpose,
                key_material_type: material.name().to_owned(),
                key_algorithm: algorithm,
                certificate: cert.to_pem(),
                certificate_chain: ca_cert.to_pem(),
                created: now,
                valid_until: now.plus_days(TOKEN_DAYS),
            },
            private_key: key.to_pem().map_err(internal)?,
        };
        self.store().insert_exchange(&record)?;
        Ok(record)
    }

    /// The local certificate authority: made and stored on first use.
    pub(crate) fn authority(&self) -> Result<(Certificate, RsaPrivateKey), ServiceError> {
        let record = match self.store().get_exchange(AUTHORITY_RECORD)? {
            Some(record) => record,
            None => {
                let key = RsaPrivateKey::generate(2048).map_err(internal)?;
                let cert =
                    pki::issue_ca(&key, "paycrypt local certificate authority", AUTHORITY_DAYS, unix_now())
                        .map_err(internal)?;
                let now = Timestamp::now();
                let record = StoredExchange {
                    parameters: ExchangeParameters {
                        name: AUTHORITY_RECORD.to_owned(),
                        purpose: ExchangePurpose::CertificateAuthority,
                        key_material_type: String::new(),
                        key_algorithm: KeyAlgorithm::Rsa2048,
                        certificate: cert.to_pem(),
                        certificate_chain: String::new(),
                        created: now,
                        valid_until: now.plus_days(AUTHORITY_DAYS),
                    },
                    private_key: key.to_pem().map_err(internal)?,
                };
                match self.store().insert_exchange(&record) {
                    Ok(()) => record,
                    // Another request made it first: use theirs.
                    Err(StoreError::Exists(_)) => {
                        self.store().get_exchange(AUTHORITY_RECORD)?.ok_or_else(|| {
                            ServiceError::Internal("the certificate authority vanished".to_owned())
                        })?
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        let key = RsaPrivateKey::from_pem(&record.private_key).map_err(internal)?;
        let cert = Certificate::from_pem(&record.parameters.certificate).map_err(internal)?;
        Ok((cert, key))
    }
}

/// PEM text as AWS passes certificates: base64 of the text.
fn pem_to_aws(pem: &str) -> String {
    use base64ct::{Base64, Encoding};
    Base64::encode_string(pem.as_bytes())
}

fn word(purpose: ExchangePurpose) -> &'static str {
    match purpose {
        ExchangePurpose::Export => "Export",
        _ => "Import",
    }
}

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
}
