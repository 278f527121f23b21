//! RSA keys in the service: importing PEM material, check values, and `Asymmetric` encryption (the
//! public half encrypts, the private half decrypts).

use sha1::{Digest, Sha1};

use crate::keys::{KeyAttributes, KeyClass, KeyMaterial};
use crate::primitives::pki::Certificate;
use crate::primitives::rsa::{RsaPadding, RsaPrivateKey, RsaPublicKey};
use crate::service::ServiceError;
use crate::service::data::shapes::{AsymmetricEncryptionAttributes, Direction};

/// A parsed RSA key: a private key (which also encrypts) or a public key.
pub(crate) enum RsaKey {
    /// A private key or key pair.
    Private(Box<RsaPrivateKey>),
    /// A public key.
    Public(RsaPublicKey),
}

impl RsaKey {
    fn public(&self) -> &RsaPublicKey {
        match self {
            RsaKey::Private(k) => k.as_public_key(),
            RsaKey::Public(k) => k,
        }
    }
}

/// Parses PEM material for an RSA key of `attrs` (a `PUBLIC_KEY` takes a public key, the other classes
/// a private key) and checks its size against the algorithm. `path` names the member.
pub(crate) fn parse_rsa(attrs: &KeyAttributes, pem: &str, path: &str) -> Result<RsaKey, ServiceError> {
    let bits = attrs.key_algorithm.rsa_bits().unwrap_or(0);
    let key = match attrs.key_class {
        // An imported certificate (RootCertificatePublicKey, TrustedCertificatePublicKey) is kept whole.
        KeyClass::PublicKey if pem.contains("-----BEGIN CERTIFICATE-----") => {
            return Certificate::from_pem(pem)
                .and_then(|c| c.public_key())
                .map(RsaKey::Public)
                .map_err(|e| ServiceError::field(path, format!("{path}: {e}")));
        }
        KeyClass::PublicKey => RsaPublicKey::from_pem(pem).map(RsaKey::Public),
        _ => RsaPrivateKey::from_pem(pem).map(|k| RsaKey::Private(Box::new(k))),
    }
    .map_err(|e| ServiceError::field(path, format!("{path}: {e}")).with_reason(e))?;
    let got = key.public().bits();
    if got != bits {
        return Err(ServiceError::field(
            path,
            format!("{path} is a {got}-bit RSA key; KeyAlgorithm {} needs {bits} bits.", attrs.key_algorithm),
        ));
    }
    Ok(key)
}

/// The RSA key in stored material.
pub(crate) fn rsa_key(attrs: &KeyAttributes, material: &KeyMaterial) -> Result<RsaKey, ServiceError> {
    match material {
        KeyMaterial::RsaPem(pem) => parse_rsa(attrs, pem, "KeyIdentifier")
            .map_err(|_| ServiceError::Internal("stored RSA key does not parse".to_owned())),
        KeyMaterial::Symmetric(_) => Err(ServiceError::Internal("stored key is not an RSA key".to_owned())),
    }
}

/// paycrypt's check value for an RSA key: SHA-1 of the public key's DER (SubjectPublicKeyInfo), first
/// 4 bytes, upper-case hex.
pub(crate) fn rsa_check_value(key: &RsaKey) -> Result<String, ServiceError> {
    let der = key.public().to_der().map_err(|e| ServiceError::Internal(e.to_string()))?;
    let digest = Sha1::digest(&der);
    Ok(hex::encode_upper(&digest[..4]))
}

/// `Asymmetric` encryption or decryption. `PaddingType` is required.
pub(super) fn rsa_crypt(
    key: &RsaKey,
    attrs: &AsymmetricEncryptionAttributes,
    path: &str,
    data_path: &str,
    data: &[u8],
    direction: Direction,
) -> Result<Vec<u8>, ServiceError> {
    let padding_path = format!("{path}.PaddingType");
    let padding: RsaPadding = attrs.padding_type.ok_or_else(|| {
        ServiceError::field(
            &padding_path,
            format!("{padding_path} is required: PKCS1, OAEP_SHA1, OAEP_SHA256 or OAEP_SHA512."),
        )
    })?;
    match direction {
        Direction::Encrypt => key
            .public()
            .encrypt(padding, None, data)
            .map_err(|e| ServiceError::field(data_path, e.to_string()).with_reason(e)),
        Direction::Decrypt => {
            let RsaKey::Private(private) = key else {
                return Err(ServiceError::field(
                    "KeyIdentifier",
                    "Decryption needs the private key; this is a PUBLIC_KEY.",
                ));
            };
            // One opaque error: no detail that could become a padding oracle.
            private.decrypt(padding, None, data).map(|plain| plain.to_vec()).map_err(|_| {
                ServiceError::field(
                    data_path,
                    format!("{data_path} does not decrypt under this key and padding."),
                )
            })
        }
    }
}
