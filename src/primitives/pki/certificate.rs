//! [`Certificate`]: an X.509 certificate read from PEM, DER or AWS's base64-of-PEM, with the checks
//! a chain of trust needs.

use std::fmt;

use base64ct::{Base64, Encoding};
use der::oid::ObjectIdentifier;
use der::{Decode, Encode};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};

use crate::primitives::pki::PkiError;
use crate::primitives::pki::sign::{self, Digest};
use crate::primitives::pki::tlv::{self, tag};
use crate::primitives::rsa::RsaPublicKey;

/// rsaEncryption (RFC 8017).
pub(crate) const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");

const PEM_LABEL: &str = "CERTIFICATE";

/// An X.509 certificate: parsed, with the DER it was read from kept byte for byte.
#[derive(Clone)]
pub struct Certificate {
    inner: x509_cert::Certificate,
    der: Vec<u8>,
    /// The encoded TBSCertificate, what the issuer's signature covers.
    tbs: Vec<u8>,
    /// `IssuerAndSerialNumber` (RFC 5652) naming this certificate, as encoded.
    issuer_and_serial: Vec<u8>,
}

impl Certificate {
    /// Reads one certificate from DER.
    ///
    /// # Errors
    /// [`PkiError::Malformed`] if the bytes are not exactly one X.509 certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, PkiError> {
        let inner = x509_cert::Certificate::from_der(der).map_err(|e| malformed(e.to_string()))?;
        let parts = tlv::cert_parts(der).map_err(|e| malformed(format!("cannot read its {}", e.0)))?;
        let issuer_and_serial = tlv::encode(tag::SEQUENCE, &[parts.issuer, parts.serial]);
        Ok(Certificate { inner, der: der.to_vec(), tbs: parts.tbs.to_vec(), issuer_and_serial })
    }

    /// Reads one certificate from a PEM `CERTIFICATE` block (text around the block is ignored).
    ///
    /// # Errors
    /// [`PkiError::Encoding`] if there is no single PEM certificate block, [`PkiError::Malformed`] if
    /// its contents are not a certificate.
    pub fn from_pem(text: &str) -> Result<Self, PkiError> {
        let mut certs = Self::from_pem_chain(text)?;
        match (certs.pop(), certs.is_empty()) {
            (Some(cert), true) => Ok(cert),
            _ => Err(PkiError::Encoding {
                format: "PEM",
                detail: "expected one certificate, found several".into(),
            }),
        }
    }

    /// Reads every PEM `CERTIFICATE` block in `text`, in order.
    ///
    /// # Errors
    /// [`PkiError::Empty`] if there is none, [`PkiError::Encoding`] for a broken block or one with
    /// another label, [`PkiError::Malformed`] for a block that is not a certificate.
    pub fn from_pem_chain(text: &str) -> Result<Vec<Self>, PkiError> {
        let mut certs = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("-----BEGIN ") {
            let block = &rest[start..];
            let end_marker =
                block.find("-----END ").ok_or_else(|| pem_error("a BEGIN line has no END line"))?;
            let after_end = &block[end_marker + "-----END ".len()..];
            let close = after_end.find("-----").ok_or_else(|| pem_error("an END line is not closed"))?;
            let block_len = end_marker + "-----END ".len() + close + "-----".len();
            let (label, der) = der::pem::decode_vec(&block.as_bytes()[..block_len])
                .map_err(|e| pem_error(&e.to_string()))?;
            if label != PEM_LABEL {
                return Err(pem_error(&format!("block labelled '{label}', expected '{PEM_LABEL}'")));
            }
            certs.push(Self::from_der(&der)?);
            rest = &block[block_len..];
        }
        if certs.is_empty() {
            return Err(PkiError::Empty);
        }
        Ok(certs)
    }

    /// Reads certificates as AWS Payment Cryptography passes them (`WrappingKeyCertificate`,
    /// `PublicKeyCertificate`, certificate chains): base64 of the PEM text of one or more
    /// certificates. Base64 of DER (one or more certificates back to back) and plain PEM text are
    /// accepted too.
    ///
    /// # Errors
    /// [`PkiError::Encoding`] if the text is neither base64 nor PEM, [`PkiError::Empty`] if it holds
    /// no certificate, [`PkiError::Malformed`] for one that is not a certificate.
    pub fn from_aws_base64(b64: &str) -> Result<Vec<Self>, PkiError> {
        if b64.contains("-----BEGIN ") {
            return Self::from_pem_chain(b64);
        }
        let compact: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let bytes = Base64::decode_vec(&compact)
            .map_err(|e| PkiError::Encoding { format: "base64", detail: e.to_string() })?;
        if bytes.first() == Some(&tag::SEQUENCE) {
            let mut reader = tlv::Reader::new(&bytes);
            let mut certs = Vec::new();
            while !reader.is_empty() {
                let item = reader.tlv(tag::SEQUENCE, "Certificate").map_err(|e| malformed(e.0.into()))?;
                certs.push(Self::from_der(item.raw)?);
            }
            return Ok(certs);
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| pem_error("the decoded text is not UTF-8"))?;
        Self::from_pem_chain(text)
    }

    /// The certificate as a PEM `CERTIFICATE` block (LF line ends, 64-character lines).
    pub fn to_pem(&self) -> String {
        let body = Base64::encode_string(&self.der);
        let mut out = String::with_capacity(body.len() + body.len() / 64 + 60);
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in body.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(line).unwrap_or_default());
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
        out
    }

    /// Certificates as AWS passes them: base64 of their PEM blocks, concatenated in order.
    pub fn to_aws_base64(certs: &[Certificate]) -> String {
        let pem: String = certs.iter().map(Certificate::to_pem).collect();
        Base64::encode_string(pem.as_bytes())
    }

    /// The DER encoding, as read or issued.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The subject's RSA public key.
    ///
    /// # Errors
    /// [`PkiError::UnsupportedKey`] if the key is not RSA, [`PkiError::Malformed`] if it cannot be read.
    pub fn public_key(&self) -> Result<RsaPublicKey, PkiError> {
        let spki = self.inner.tbs_certificate().subject_public_key_info();
        if spki.algorithm.oid != RSA_ENCRYPTION {
            return Err(PkiError::UnsupportedKey {
                subject: self.subject(),
                oid: spki.algorithm.oid.to_string(),
            });
        }
        let der = spki.to_der().map_err(|e| malformed(e.to_string()))?;
        RsaPublicKey::from_der(&der).map_err(|e| malformed(format!("its RSA public key: {e}")))
    }

    /// Whether basicConstraints marks the certificate as a CA.
    pub fn is_ca(&self) -> bool {
        matches!(self.inner.tbs_certificate().get_extension::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca)
    }

    /// Whether the certificate may sign certificates: a CA, with keyCertSign if keyUsage is present.
    fn can_issue(&self) -> bool {
        let cert_sign = match self.inner.tbs_certificate().get_extension::<KeyUsage>() {
            Ok(Some((_, usage))) => usage.key_cert_sign(),
            Ok(None) => true,
            Err(_) => false,
        };
        self.is_ca() && cert_sign
    }

    /// Checks that `issuer` issued this certificate: the names chain, `issuer` is a CA, and the
    /// signature (sha256/384/512WithRSAEncryption) verifies under its key.
    ///
    /// # Errors
    /// [`PkiError::IssuerMismatch`], [`PkiError::NotCa`], [`PkiError::UnsupportedSignature`],
    /// [`PkiError::BadSignature`]; [`PkiError::UnsupportedKey`] if the issuer's key is not RSA.
    pub fn verify_issued_by(&self, issuer: &Certificate) -> Result<(), PkiError> {
        let tbs = self.inner.tbs_certificate();
        if tbs.issuer() != issuer.inner.tbs_certificate().subject() {
            return Err(PkiError::IssuerMismatch {
                subject: self.subject(),
                issuer: tbs.issuer().to_string(),
                candidate: issuer.subject(),
            });
        }
        if !issuer.can_issue() {
            return Err(PkiError::NotCa { subject: issuer.subject() });
        }
        let algorithm = self.inner.signature_algorithm();
        let unsupported =
            || PkiError::UnsupportedSignature { subject: self.subject(), oid: algorithm.oid.to_string() };
        let digest = match algorithm.oid {
            SHA256_WITH_RSA => Digest::Sha256,
            SHA384_WITH_RSA => Digest::Sha384,
            SHA512_WITH_RSA => Digest::Sha512,
            _ => return Err(unsupported()),
        };
        if algorithm != tbs.signature() {
            return Err(malformed("its two signature algorithm fields differ".into()));
        }
        let key = issuer.public_key()?;
        let signature =
            self.inner.signature().as_bytes().ok_or_else(|| malformed("signature has unused bits".into()))?;
        if sign::verify(&key, digest, &self.tbs, signature) {
            Ok(())
        } else {
            Err(PkiError::BadSignature { subject: self.subject(), issuer: issuer.subject() })
        }
    }

    /// Checks that `now_unix` (seconds) lies within the validity period, both ends included.
    ///
    /// # Errors
    /// [`PkiError::OutsideValidity`].
    pub fn check_validity(&self, now_unix: i64) -> Result<(), PkiError> {
        let (not_before, not_after) = self.validity_unix();
        if now_unix < not_before || now_unix > not_after {
            return Err(PkiError::OutsideValidity {
                subject: self.subject(),
                now: now_unix,
                not_before,
                not_after,
            });
        }
        Ok(())
    }

    /// The validity period, `(notBefore, notAfter)` in Unix seconds.
    pub fn validity_unix(&self) -> (i64, i64) {
        let validity = self.inner.tbs_certificate().validity();
        let secs =
            |t: x509_cert::time::Time| i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
        (secs(validity.not_before), secs(validity.not_after))
    }

    /// The subject name, RFC 4514 style (`CN=KDH,O=Example`), for messages.
    pub fn subject(&self) -> String {
        self.inner.tbs_certificate().subject().to_string()
    }

    /// The issuer name, RFC 4514 style.
    pub fn issuer(&self) -> String {
        self.inner.tbs_certificate().issuer().to_string()
    }

    /// The serial number in upper-case hex, as encoded (a leading `00` kept if present).
    pub fn serial_hex(&self) -> String {
        hex::encode_upper(self.inner.tbs_certificate().serial_number().as_bytes())
    }

    /// `IssuerAndSerialNumber` (RFC 5652 section 10.2.4) naming this certificate, DER.
    pub(crate) fn issuer_and_serial(&self) -> &[u8] {
        &self.issuer_and_serial
    }

    pub(crate) fn inner(&self) -> &x509_cert::Certificate {
        &self.inner
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject())
            .field("issuer", &self.issuer())
            .field("serial", &self.serial_hex())
            .finish()
    }
}

fn malformed(detail: String) -> PkiError {
    PkiError::Malformed { detail }
}

fn pem_error(detail: &str) -> PkiError {
    PkiError::Encoding { format: "PEM", detail: detail.to_owned() }
}
