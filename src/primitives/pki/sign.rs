//! RSASSA-PKCS1-v1_5 signatures over SHA-256/384/512, as certificates and CMS signer infos carry them.

use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};
use sha2::{Sha256, Sha384, Sha512};

use crate::primitives::rsa::{RsaPrivateKey, RsaPublicKey};

/// The digest under a PKCS#1 v1.5 signature.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Digest {
    Sha256,
    Sha384,
    Sha512,
}

/// Whether `signature` is a valid RSASSA-PKCS1-v1_5 signature of `message` under `key`.
pub(crate) fn verify(key: &RsaPublicKey, digest: Digest, message: &[u8], signature: &[u8]) -> bool {
    let Ok(signature) = Signature::try_from(signature) else { return false };
    let inner = key.inner.clone();
    match digest {
        Digest::Sha256 => VerifyingKey::<Sha256>::new(inner).verify(message, &signature).is_ok(),
        Digest::Sha384 => VerifyingKey::<Sha384>::new(inner).verify(message, &signature).is_ok(),
        Digest::Sha512 => VerifyingKey::<Sha512>::new(inner).verify(message, &signature).is_ok(),
    }
}

/// An RSASSA-PKCS1-v1_5 signature with SHA-256 of `message` (blinded private-key operation).
/// Fails only if the random number generator does.
pub(crate) fn sign_sha256(key: &RsaPrivateKey, message: &[u8]) -> Result<Vec<u8>, rsa::signature::Error> {
    let signer = SigningKey::<Sha256>::new(key.inner.clone());
    Ok(signer.try_sign_with_rng(&mut getrandom::SysRng, message)?.to_vec())
}
