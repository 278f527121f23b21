//! Key exchange: the control-plane operations that move keys in and out wrapped (`GetParametersForImport`,
//! `GetParametersForExport`, `GetPublicKeyCertificate`, and the `ImportKey`/`ExportKey` members other
//! than paycrypt's `ClearKey`), with AWS's shapes.
//!
//! - `params`: the import and export tokens (an RSA key pair with a certificate from the local
//!   certificate authority, kept in the store's exchange table until it expires) and that authority;
//! - `header`: TR-31/TR-34 key block headers ↔ AWS key attributes;
//! - `import`: `RootCertificatePublicKey`, `TrustedCertificatePublicKey`, `Tr31KeyBlock`,
//!   `Tr34KeyBlock`, `KeyCryptogram`;
//! - `export`: `ExportKey` as a TR-31 block, a TR-34 block or an RSA key cryptogram.
//!
//! Certificates travel as AWS sends them: base64 of the PEM text.

mod export;
pub(crate) mod header;
mod import;
mod params;

pub use export::{
    ExportAttributes, ExportDukptInitialKey, ExportKeyCryptogram, ExportKeyInput, ExportKeyMaterial,
    ExportKeyOutput, ExportTr31KeyBlock, ExportTr34KeyBlock, KeyBlockHeaders, KeyExportability,
    WrappedKeyMaterialFormat, WrappedKeyOutput,
};
pub use import::{
    ImportKeyCryptogram, ImportTr31KeyBlock, ImportTr34KeyBlock, RootCertificatePublicKey,
    TrustedCertificatePublicKey, WrappingKeySpec,
};
pub(crate) use import::{Member, import_member, unwrap_tr31_under};
pub use params::{
    GetParametersForExportInput, GetParametersForExportOutput, GetParametersForImportInput,
    GetParametersForImportOutput, GetPublicKeyCertificateInput, GetPublicKeyCertificateOutput,
    KeyMaterialType,
};

use crate::primitives::pki::{Certificate, PkiError};
use crate::service::ServiceError;

/// The certificates in `text` (base64 of PEM, as AWS passes them), or a ValidationException naming
/// the member at `path`.
pub(crate) fn certificates(path: &str, text: &str) -> Result<Vec<Certificate>, ServiceError> {
    let certs = Certificate::from_aws_base64(text.trim()).map_err(|e| pki_field(path, &e))?;
    if certs.is_empty() {
        return Err(ServiceError::field(path, format!("{path} holds no certificate.")));
    }
    Ok(certs)
}

/// A certificate problem as a ValidationException on the member at `path`.
pub(crate) fn pki_field(path: &str, e: &PkiError) -> ServiceError {
    ServiceError::field(path, format!("{path}: {e}"))
}

/// Seconds since the Unix epoch, for certificate validity.
pub(crate) fn unix_now() -> i64 {
    crate::keys::Timestamp::now().0.div_euclid(1000)
}
