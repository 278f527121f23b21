//! X.509 certificates for key exchange: read (PEM, DER, and the base64-of-PEM that AWS Payment
//! Cryptography passes), issue (a self-signed CA and the leaves it signs), and check (issuer,
//! signature, validity, chains).
//!
//! Built on RustCrypto's `x509-cert` (parsing and the certificate builder) and `der`, over the
//! same `rsa` crate as [`crate::primitives::rsa`]. RSA keys only; signatures are
//! sha256/384/512WithRSAEncryption. No revocation checks (no CRL or OCSP: nothing here does I/O).
//!
//! # Examples
//! ```
//! use paycrypt::primitives::pki::{self, Certificate, LeafUsage};
//! use paycrypt::rsa::RsaPrivateKey;
//!
//! let now = 1_767_225_600; // 2026-01-01T00:00:00Z
//! let ca_key = RsaPrivateKey::generate(2048)?;
//! let ca = pki::issue_ca(&ca_key, "Test CA", 365, now)?;
//! let krd_key = RsaPrivateKey::generate(2048)?;
//! let krd = pki::issue_leaf(krd_key.as_public_key(), "KRD", LeafUsage::KeyEncipherment, &ca, &ca_key, 30, now)?;
//! pki::verify_chain(&krd, &[], &ca, now + 60)?;
//!
//! let wire = Certificate::to_aws_base64(&[krd.clone()]);
//! assert_eq!(Certificate::from_aws_base64(&wire)?, vec![krd]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod certificate;
mod error;
mod issue;
pub(crate) mod sign;
pub(crate) mod tlv;

pub use certificate::Certificate;
pub use error::PkiError;
pub use issue::{LeafUsage, issue_ca, issue_leaf, verify_chain};
