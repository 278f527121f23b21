//! The footer of signing suites: a u16 length and a DER ECDSA signature over the SHA-256 (P-256) or
//! SHA-384 (P-384) hash of the header and body. The verification key travels in the encryption
//! context as base64 of the SEC1 compressed point.

use base64ct::{Base64, Encoding};
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use sha2::{Digest, Sha256, Sha384};
use zeroize::Zeroizing;

use crate::esdk::EsdkError;
use crate::esdk::suite::Signing;

/// A fresh per-message ECDSA key and the hash of what has been written so far.
pub(crate) enum Signer {
    P256(p256::ecdsa::SigningKey, Sha256),
    P384(p384::ecdsa::SigningKey, Sha384),
}

impl Signer {
    /// A new random key for `signing`, and its public key as the context carries it (base64 of the
    /// compressed point).
    pub(crate) fn generate(signing: Signing) -> Result<(Signer, String), EsdkError> {
        let len = match signing {
            Signing::P256 => 32,
            Signing::P384 => 48,
        };
        // A uniformly random scalar is in range except with probability below 2^-32 (P-256) or
        // 2^-190 (P-384): a few attempts always suffice.
        for _ in 0..16 {
            let mut bytes = Zeroizing::new(vec![0u8; len]);
            getrandom::fill(&mut bytes).map_err(|e| EsdkError::Random(e.to_string()))?;
            let made = match signing {
                Signing::P256 => p256::ecdsa::SigningKey::from_slice(&bytes).ok().map(|k| {
                    let public = Base64::encode_string(k.verifying_key().to_sec1_point(true).as_bytes());
                    (Signer::P256(k, Sha256::new()), public)
                }),
                Signing::P384 => p384::ecdsa::SigningKey::from_slice(&bytes).ok().map(|k| {
                    let public = Base64::encode_string(k.verifying_key().to_sec1_point(true).as_bytes());
                    (Signer::P384(k, Sha384::new()), public)
                }),
            };
            if let Some(made) = made {
                return Ok(made);
            }
        }
        Err(EsdkError::Random("no valid ECDSA scalar in 16 attempts".to_owned()))
    }

    /// Adds `bytes` (header or body) to the signed data.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Signer::P256(_, h) => h.update(bytes),
            Signer::P384(_, h) => h.update(bytes),
        }
    }

    /// The footer: u16 length and DER signature over everything added.
    ///
    /// # Errors
    /// [`EsdkError::Signing`] if ECDSA fails, which a valid key and a hash do not make it do.
    pub(crate) fn footer(self) -> Result<Vec<u8>, EsdkError> {
        let der: Vec<u8> = match self {
            Signer::P256(k, h) => {
                let sig: p256::ecdsa::Signature =
                    k.sign_prehash(&h.finalize()).map_err(|_| EsdkError::Signing)?;
                sig.to_der().as_bytes().to_vec()
            }
            Signer::P384(k, h) => {
                let sig: p384::ecdsa::Signature =
                    k.sign_prehash(&h.finalize()).map_err(|_| EsdkError::Signing)?;
                sig.to_der().as_bytes().to_vec()
            }
        };
        let len = u16::try_from(der.len()).map_err(|_| EsdkError::Signing)?;
        let mut footer = len.to_be_bytes().to_vec();
        footer.extend_from_slice(&der);
        Ok(footer)
    }
}

/// A message's verification key and the hash of what has been read so far.
pub(crate) enum Verifier {
    P256(p256::ecdsa::VerifyingKey, Sha256),
    P384(p384::ecdsa::VerifyingKey, Sha384),
}

impl Verifier {
    /// The verifier of `public_key` (the context's base64 compressed point) for `signing`.
    ///
    /// # Errors
    /// [`EsdkError::BadPublicKey`] unless it is base64 of a compressed point on the suite's curve.
    pub(crate) fn new(signing: Signing, public_key: &str) -> Result<Verifier, EsdkError> {
        let point = Base64::decode_vec(public_key).map_err(|_| EsdkError::BadPublicKey)?;
        let compressed = matches!(point.first(), Some(2 | 3));
        match signing {
            Signing::P256 if compressed && point.len() == 33 => {
                p256::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                    .map(|k| Verifier::P256(k, Sha256::new()))
                    .map_err(|_| EsdkError::BadPublicKey)
            }
            Signing::P384 if compressed && point.len() == 49 => {
                p384::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                    .map(|k| Verifier::P384(k, Sha384::new()))
                    .map_err(|_| EsdkError::BadPublicKey)
            }
            _ => Err(EsdkError::BadPublicKey),
        }
    }

    /// Adds `bytes` (header or body) to the signed data.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Verifier::P256(_, h) => h.update(bytes),
            Verifier::P384(_, h) => h.update(bytes),
        }
    }

    /// Checks `der` (the footer's signature, DER of any valid length) over everything added.
    ///
    /// # Errors
    /// [`EsdkError::BadFooter`] when `der` is not a DER ECDSA signature for the curve;
    /// [`EsdkError::Authentication`] when it does not verify.
    pub(crate) fn verify(self, der: &[u8]) -> Result<(), EsdkError> {
        let ok = match self {
            Verifier::P256(k, h) => {
                let sig = p256::ecdsa::DerSignature::from_bytes(der).map_err(|_| EsdkError::BadFooter)?;
                k.verify_prehash(&h.finalize(), &sig).is_ok()
            }
            Verifier::P384(k, h) => {
                let sig = p384::ecdsa::DerSignature::from_bytes(der).map_err(|_| EsdkError::BadFooter)?;
                k.verify_prehash(&h.finalize(), &sig).is_ok()
            }
        };
        if ok { Ok(()) } else { Err(EsdkError::Authentication) }
    }
}
