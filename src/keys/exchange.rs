//! The key-exchange parameters a store keeps: the RSA key pairs and certificates behind
//! `GetParametersForImport` (an import token names a key pair that receives keys: TR-34 blocks and
//! RSA key cryptograms are wrapped to its certificate) and `GetParametersForExport` (an export token
//! names a key pair that signs TR-34 blocks), and the local certificate authority that issues those
//! certificates and the ones `GetPublicKeyCertificate` returns.
//!
//! Like a key, a record is metadata in the clear (certificates, validity) and a secret (the private
//! key, PEM) that a persistent store seals under its master key.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::keys::{KeyAlgorithm, Timestamp};

/// What a key-exchange record is for.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, Serialize, Deserialize)]
pub enum ExchangePurpose {
    /// Receives keys (`GetParametersForImport`): the private key unwraps what is sent to its certificate.
    #[serde(rename = "IMPORT")]
    Import,
    /// Signs exported TR-34 key blocks (`GetParametersForExport`).
    #[serde(rename = "EXPORT")]
    Export,
    /// The local certificate authority that issues the other records' certificates.
    #[serde(rename = "CERTIFICATE_AUTHORITY")]
    CertificateAuthority,
}

/// The name of the local certificate authority's record.
pub const AUTHORITY_RECORD: &str = "certificate-authority";

/// A key-exchange record's metadata, which a store keeps in the clear.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExchangeParameters {
    /// The token (`import-token-…`, `export-token-…`) or [`AUTHORITY_RECORD`].
    pub name: String,
    /// What it is for.
    pub purpose: ExchangePurpose,
    /// AWS's `KeyMaterialType` it was made for (`TR34_KEY_BLOCK`, `KEY_CRYPTOGRAM`); empty for the
    /// certificate authority.
    pub key_material_type: String,
    /// The key pair's algorithm (`RSA_2048`, …).
    pub key_algorithm: KeyAlgorithm,
    /// The key pair's certificate, PEM.
    pub certificate: String,
    /// The certificates above it, PEM (the authority's, for a token).
    pub certificate_chain: String,
    /// When it was made.
    pub created: Timestamp,
    /// Until when it may be used.
    pub valid_until: Timestamp,
}

/// A key-exchange record with its private key.
#[derive(Clone)]
pub struct StoredExchange {
    /// The metadata.
    pub parameters: ExchangeParameters,
    /// The private key, PEM.
    pub private_key: Zeroizing<String>,
}

impl fmt::Debug for StoredExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredExchange")
            .field("parameters", &self.parameters)
            .field("private_key", &"<redacted>")
            .finish()
    }
}
