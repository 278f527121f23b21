//! The footer of signing suites: a u16 length and a DER ECDSA signature over the SHA-256 (P-256) or
//! SHA-384 (P-384) hash of the header and body. The verification key travels in the encryption
//! context as base64 of the SEC1 compressed point.

use base64ct::{Base64, Encoding};
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use sha2::{Digest, Sha256, Sha384};
use zeroize::Zeroizing;

use crate::esdk::EsdkError;
use crate::esdk::suite::Signing;

/// The running hash of the signed bytes.
enum Hash {
    Sha256(Sha256),
    Sha384(Sha384),
}

impl Hash {
    fn new(signing: Signing) -> Self {
        match signing {
            Signing::P256 => Hash::Sha256(Sha256::new()),
            Signing::P384 => Hash::Sha384(Sha384::new()),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hash::Sha256(h) => h.update(bytes),
            Hash::Sha384(h) => h.update(bytes),
        }
    }
}

/// A fresh per-message ECDSA key and the hash of what has been written so far.
pub(crate) struct Signer {
    key: SigningKey,
    hash: Hash,
}

enum SigningKey {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
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
                    let point = k.verifying_key().to_sec1_point(true);
                    (SigningKey::P256(k), Base64::encode_string(point.as_bytes()))
                }),
                Signing::P384 => p384::ecdsa::SigningKey::from_slice(&bytes).ok().map(|k| {
                    let point = k.verifying_key().to_sec1_point(true);
                    (SigningKey::P384(k), Base64::encode_string(point.as_bytes()))
                }),
            };
            if let Some((key, public)) = made {
                return Ok((Signer { key, hash: Hash::new(signing) }, public));
            }
        }
        Err(EsdkError::Random("no valid ECDSA scalar in 16 attempts".to_owned()))
    }

    /// Adds `bytes` (header or body) to the signed data.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.hash.update(bytes);
    }

    /// The footer: u16 length and DER signature over everything added.
    pub(crate) fn footer(self) -> Result<Vec<u8>, EsdkError> {
        let fail = |_| EsdkError::Random("ECDSA signing failed".to_owned());
        let der: Vec<u8> = match (self.key, self.hash) {
            (SigningKey::P256(k), Hash::Sha256(h)) => {
                let sig: p256::ecdsa::Signature = k.sign_prehash(&h.finalize()).map_err(fail)?;
                sig.to_der().as_bytes().to_vec()
            }
            (SigningKey::P384(k), Hash::Sha384(h)) => {
                let sig: p384::ecdsa::Signature = k.sign_prehash(&h.finalize()).map_err(fail)?;
                sig.to_der().as_bytes().to_vec()
            }
            _ => return Err(EsdkError::Random("ECDSA key and hash do not match".to_owned())),
        };
        let len = u16::try_from(der.len()).map_err(|_| EsdkError::BadFooter)?;
        let mut footer = len.to_be_bytes().to_vec();
        footer.extend_from_slice(&der);
        Ok(footer)
    }
}

/// A message's verification key and the hash of what has been read so far.
pub(crate) struct Verifier {
    key: VerifyingKey,
    hash: Hash,
}

enum VerifyingKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
}

impl Verifier {
    /// The verifier of `public_key` (the context's base64 compressed point) for `signing`.
    pub(crate) fn new(signing: Signing, public_key: &str) -> Result<Verifier, EsdkError> {
        let point = Base64::decode_vec(public_key).map_err(|_| EsdkError::BadPublicKey)?;
        let compressed = matches!(point.first(), Some(2 | 3));
        let key = match signing {
            Signing::P256 if compressed && point.len() == 33 => {
                p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).map(VerifyingKey::P256)
            }
            Signing::P384 if compressed && point.len() == 49 => {
                p384::ecdsa::VerifyingKey::from_sec1_bytes(&point).map(VerifyingKey::P384)
            }
            _ => return Err(EsdkError::BadPublicKey),
        }
        .map_err(|_| EsdkError::BadPublicKey)?;
        Ok(Verifier { key, hash: Hash::new(signing) })
    }

    /// Adds `bytes` (header or body) to the signed data.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.hash.update(bytes);
    }

    /// Checks `der` (the footer's signature, DER of any valid length) over everything added.
    ///
    /// # Errors
    /// [`EsdkError::BadFooter`] when `der` is not a DER ECDSA signature for the curve;
    /// [`EsdkError::Authentication`] when it does not verify.
    pub(crate) fn verify(self, der: &[u8]) -> Result<(), EsdkError> {
        let ok = match (self.key, self.hash) {
            (VerifyingKey::P256(k), Hash::Sha256(h)) => {
                let sig = p256::ecdsa::DerSignature::from_bytes(der).map_err(|_| EsdkError::BadFooter)?;
                k.verify_prehash(&h.finalize(), &sig).is_ok()
            }
            (VerifyingKey::P384(k), Hash::Sha384(h)) => {
                let sig = p384::ecdsa::DerSignature::from_bytes(der).map_err(|_| EsdkError::BadFooter)?;
                k.verify_prehash(&h.finalize(), &sig).is_ok()
            }
            _ => false,
        };
        if ok { Ok(()) } else { Err(EsdkError::Authentication) }
    }
}
