//! Issuing certificates: a self-signed CA, and leaves it signs. RSA keys, sha256WithRSAEncryption,
//! basicConstraints and keyUsage critical, subject and authority key identifiers (RFC 5280 4.2.1.2
//! method 1: SHA-1 of the subjectPublicKey bits).

use std::str::FromStr;
use std::time::Duration;

use der::asn1::{BitString, OctetString};
use der::oid::AssociatedOid;
use der::{DateTime, Decode, Encode};
use rsa::pkcs1v15::SigningKey;
use rsa::signature::RandomizedSigner;
use sha1::{Digest as _, Sha1};
use sha2::Sha256;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SignatureBitStringEncoding, SubjectPublicKeyInfo, SubjectPublicKeyInfoRef};
use x509_cert::time::{Time, Validity};

use crate::primitives::pki::{Certificate, PkiError};
use crate::primitives::rsa::{RsaPrivateKey, RsaPublicKey};

/// What a leaf certificate's key is for (its keyUsage extension).
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum LeafUsage {
    /// keyEncipherment: a key that receives wrapped keys (a TR-34 KRD, an import wrapping key).
    KeyEncipherment,
    /// digitalSignature: a key that signs (a TR-34 KDH).
    DigitalSignature,
}

/// Issues a self-signed CA certificate for `key`: subject and issuer `CN=<common_name>`,
/// basicConstraints cA, keyUsage keyCertSign, cRLSign and digitalSignature, valid from `now_unix`
/// for `validity_days`.
///
/// # Errors
/// [`PkiError::Issue`] for an empty name, a time out of range, or a signing failure.
pub fn issue_ca(
    key: &RsaPrivateKey,
    common_name: &str,
    validity_days: u32,
    now_unix: i64,
) -> Result<Certificate, PkiError> {
    let name = common_name_to_name(common_name)?;
    let profile = Profile {
        subject: name.clone(),
        issuer: name,
        ca: true,
        usage: KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign | KeyUsages::DigitalSignature),
        issuer_key_id: None,
    };
    build(profile, key.as_public_key(), key, validity_days, now_unix)
}

/// Issues a leaf certificate for `subject_key`, `CN=<common_name>`, signed by `issuer_key` under
/// `issuer_cert`: basicConstraints not a CA, keyUsage from `key_usage`, valid from `now_unix` for
/// `validity_days`.
///
/// # Errors
/// [`PkiError::NotCa`] if `issuer_cert` may not issue certificates; [`PkiError::Issue`] if
/// `issuer_key` is not the key of `issuer_cert`, for an empty name, a time out of range, or a
/// signing failure.
pub fn issue_leaf(
    subject_key: &RsaPublicKey,
    common_name: &str,
    key_usage: LeafUsage,
    issuer_cert: &Certificate,
    issuer_key: &RsaPrivateKey,
    validity_days: u32,
    now_unix: i64,
) -> Result<Certificate, PkiError> {
    if !issuer_cert.is_ca() {
        return Err(PkiError::NotCa { subject: issuer_cert.subject() });
    }
    if issuer_cert.public_key()? != *issuer_key.as_public_key() {
        return Err(issue_error("the issuer key is not the key of the issuer certificate"));
    }
    let issuer_tbs = issuer_cert.inner().tbs_certificate();
    let issuer_key_id = match issuer_tbs.get_extension::<SubjectKeyIdentifier>() {
        Ok(Some((_, ski))) => Some(ski.0),
        _ => None,
    };
    let usage = match key_usage {
        LeafUsage::KeyEncipherment => KeyUsage(KeyUsages::KeyEncipherment.into()),
        LeafUsage::DigitalSignature => KeyUsage(KeyUsages::DigitalSignature.into()),
    };
    let profile = Profile {
        subject: common_name_to_name(common_name)?,
        issuer: issuer_tbs.subject().clone(),
        ca: false,
        usage,
        issuer_key_id,
    };
    build(profile, subject_key, issuer_key, validity_days, now_unix)
}

/// Checks a chain: `leaf` issued by the first of `intermediates` (or by `root` if there are none),
/// each intermediate by the next, the last by `root`; every certificate, `root` included, valid
/// at `now_unix`. `root` is trusted as given (its own signature is not checked).
///
/// # Errors
/// The first [`PkiError`] found, from [`Certificate::verify_issued_by`] or
/// [`Certificate::check_validity`].
pub fn verify_chain(
    leaf: &Certificate,
    intermediates: &[Certificate],
    root: &Certificate,
    now_unix: i64,
) -> Result<(), PkiError> {
    let mut child = leaf;
    for parent in intermediates.iter().chain(std::iter::once(root)) {
        child.check_validity(now_unix)?;
        child.verify_issued_by(parent)?;
        child = parent;
    }
    root.check_validity(now_unix)
}

struct Profile {
    subject: Name,
    issuer: Name,
    ca: bool,
    usage: KeyUsage,
    issuer_key_id: Option<OctetString>,
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let key_id = |spki: SubjectPublicKeyInfoRef<'_>| {
            OctetString::new(Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec())
        };
        let authority = match &self.issuer_key_id {
            Some(id) => id.clone(),
            None => key_id(issuer_spk)?,
        };
        let basic = BasicConstraints { ca: self.ca, path_len_constraint: None };
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(authority),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        };
        Ok(vec![
            extension(BasicConstraints::OID, true, &basic)?,
            extension(KeyUsage::OID, true, &self.usage)?,
            extension(SubjectKeyIdentifier::OID, false, &SubjectKeyIdentifier(key_id(spk)?))?,
            extension(AuthorityKeyIdentifier::OID, false, &aki)?,
        ])
    }
}

fn extension(oid: der::oid::ObjectIdentifier, critical: bool, value: &impl Encode) -> der::Result<Extension> {
    Ok(Extension { extn_id: oid, critical, extn_value: OctetString::new(value.to_der()?)? })
}

fn build(
    profile: Profile,
    subject_key: &RsaPublicKey,
    issuer_key: &RsaPrivateKey,
    validity_days: u32,
    now_unix: i64,
) -> Result<Certificate, PkiError> {
    let start = u64::try_from(now_unix).map_err(|_| issue_error("the start time is before 1970"))?;
    let end = start
        .checked_add(u64::from(validity_days) * 86_400)
        .ok_or_else(|| issue_error("the end time is out of range"))?;
    let time = |secs: u64| {
        DateTime::from_unix_duration(Duration::from_secs(secs))
            .map(Time::from)
            .map_err(|e| issue_error(&format!("time {secs} cannot be encoded: {e}")))
    };
    let validity = Validity::new(time(start)?, time(end)?);
    let spki_der = subject_key.to_der().map_err(|e| issue_error(&e.to_string()))?;
    let spki = SubjectPublicKeyInfo::from_der(&spki_der).map_err(|e| issue_error(&e.to_string()))?;
    let builder_error = |e: x509_cert::builder::Error| issue_error(&e.to_string());
    let mut builder =
        CertificateBuilder::new(profile, random_serial()?, validity, spki).map_err(builder_error)?;
    let signer = SigningKey::<Sha256>::new(issuer_key.inner.clone());
    let blob = builder.finalize(&signer).map_err(builder_error)?;
    let signature: BitString = signer
        .try_sign_with_rng(&mut getrandom::SysRng, &blob)
        .map_err(|_| issue_error("signing failed"))?
        .to_bitstring()
        .map_err(|e| issue_error(&e.to_string()))?;
    let cert = builder.assemble(signature, &signer).map_err(builder_error)?;
    Certificate::from_der(&cert.to_der().map_err(|e| issue_error(&e.to_string()))?)
}

/// A positive 16-byte serial number from the system's random number generator (RFC 5280: at most
/// 20 bytes, positive).
fn random_serial() -> Result<SerialNumber, PkiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| issue_error("the random number generator failed"))?;
    bytes[0] = (bytes[0] & 0x7F) | 0x40;
    SerialNumber::new(&bytes).map_err(|e| issue_error(&e.to_string()))
}

/// `CN=<common_name>`, the value escaped as RFC 4514 says.
fn common_name_to_name(common_name: &str) -> Result<Name, PkiError> {
    if common_name.trim().is_empty() {
        return Err(issue_error("the common name is empty"));
    }
    let mut text = String::from("CN=");
    let last = common_name.chars().count().saturating_sub(1);
    for (i, c) in common_name.chars().enumerate() {
        let leading = i == 0 && (c == '#' || c == ' ');
        if leading || (i == last && c == ' ') || matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
            text.push('\\');
        }
        text.push(c);
    }
    Name::from_str(&text).map_err(|e| issue_error(&format!("common name '{common_name}': {e}")))
}

fn issue_error(detail: &str) -> PkiError {
    PkiError::Issue { detail: detail.to_owned() }
}
