//! The RSA engines: the pure-Rust `rsa` crate always, and AWS-LC (through aws-lc-rs) for OAEP and
//! PKCS#1 v1.5 encryption when the `aws-lc` feature is on.
//!
//! OAEP decryption on the pure-Rust path is ours: the private-key operation (`private.rs`) and the
//! decoding (`oaep.rs`). PKCS#1 v1.5 *decryption* always goes through the `rsa` crate, whose
//! implicit rejection AWS-LC does not offer and whose decoding step the crate does not expose (so it
//! cannot run over our private operation): the feature changes speed, never behaviour. Keys AWS-LC
//! refuses (under 2048 or over 8192 bits) also stay on the pure-Rust path.

use rsa::{Oaep, Pkcs1v15Encrypt};
use sha1::Sha1;
use sha2::digest::{Digest, FixedOutputReset};
use sha2::{Sha256, Sha512};
use zeroize::Zeroizing;

use crate::primitives::DecryptError;
use crate::rsa::{KeyError, RsaPadding, RsaPrivateKey, RsaPublicKey, oaep};

pub(crate) use engine::{LcPrivate, LcPublic};

/// Encrypts with `padding` under `key`; the caller has checked sizes and the label.
pub(crate) fn encrypt(
    key: &RsaPublicKey,
    padding: RsaPadding,
    label: Option<&[u8]>,
    message: &[u8],
) -> Result<Vec<u8>, KeyError> {
    if let Some(out) = key.lc.encrypt(padding, label, message) {
        return out;
    }
    let rng = &mut getrandom::SysRng;
    let inner = &key.inner;
    let result = match padding {
        RsaPadding::Pkcs1 => inner.encrypt(rng, Pkcs1v15Encrypt, message),
        RsaPadding::OaepSha1 => inner.encrypt(rng, oaep::<Sha1>(label), message),
        RsaPadding::OaepSha256 => inner.encrypt(rng, oaep::<Sha256>(label), message),
        RsaPadding::OaepSha512 => inner.encrypt(rng, oaep::<Sha512>(label), message),
    };
    result.map_err(|e| KeyError::Operation { detail: e.to_string() })
}

/// Decrypts with `padding` under `key`; the caller has checked the ciphertext length.
pub(crate) fn decrypt(
    key: &RsaPrivateKey,
    padding: RsaPadding,
    label: Option<&[u8]>,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    if let Some(out) = key.lc.decrypt(padding, label, ciphertext) {
        return out;
    }
    let rng = &mut getrandom::SysRng;
    let inner = &key.inner;
    let result = match padding {
        RsaPadding::Pkcs1 => inner.pkcs1v15_decrypt_with_rng(rng, ciphertext),
        RsaPadding::OaepSha1 => return oaep::decrypt::<Sha1>(key, label.unwrap_or_default(), ciphertext),
        RsaPadding::OaepSha256 => {
            return oaep::decrypt::<Sha256>(key, label.unwrap_or_default(), ciphertext);
        }
        RsaPadding::OaepSha512 => {
            return oaep::decrypt::<Sha512>(key, label.unwrap_or_default(), ciphertext);
        }
    };
    result.map(Zeroizing::new).map_err(|_| DecryptError)
}

/// OAEP with `D` for the label hash and MGF1.
fn oaep<D: Digest + FixedOutputReset>(label: Option<&[u8]>) -> Oaep<D> {
    match label {
        Some(label) => Oaep::new_with_label(label.to_vec()),
        None => Oaep::new(),
    }
}

#[cfg(not(feature = "aws-lc"))]
mod engine {
    //! Without `aws-lc`: no second engine; every call falls through to the `rsa` crate.

    use zeroize::Zeroizing;

    use crate::primitives::DecryptError;
    use crate::rsa::{KeyError, RsaPadding};

    /// No AWS-LC public key.
    #[derive(Clone, Copy)]
    pub(crate) struct LcPublic;

    impl LcPublic {
        pub(crate) fn new(_: &rsa::PublicKey) -> Self {
            LcPublic
        }

        pub(crate) fn encrypt(
            &self,
            _: RsaPadding,
            _: Option<&[u8]>,
            _: &[u8],
        ) -> Option<Result<Vec<u8>, KeyError>> {
            None
        }
    }

    /// No AWS-LC private key.
    #[derive(Clone, Copy)]
    pub(crate) struct LcPrivate;

    impl LcPrivate {
        pub(crate) fn new(_: &rsa::PrivateKey) -> Self {
            LcPrivate
        }

        pub(crate) fn decrypt(
            &self,
            _: RsaPadding,
            _: Option<&[u8]>,
            _: &[u8],
        ) -> Option<Result<Zeroizing<Vec<u8>>, DecryptError>> {
            None
        }
    }
}

#[cfg(feature = "aws-lc")]
mod engine {
    //! With `aws-lc`: the key parsed once more into AWS-LC, from the DER the `rsa` crate writes.

    use std::sync::Arc;

    use aws_lc_rs::rsa::{
        OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OAEP_SHA512_MGF1SHA512, OaepAlgorithm,
        OaepPrivateDecryptingKey, OaepPublicEncryptingKey, Pkcs1PublicEncryptingKey, PrivateDecryptingKey,
        PublicEncryptingKey,
    };
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
    use zeroize::Zeroizing;

    use crate::primitives::DecryptError;
    use crate::rsa::{KeyError, RsaPadding};

    struct PublicKeys {
        oaep: OaepPublicEncryptingKey,
        pkcs1: Pkcs1PublicEncryptingKey,
    }

    /// The AWS-LC public key, when AWS-LC accepts the key.
    #[derive(Clone)]
    pub(crate) struct LcPublic(Option<Arc<PublicKeys>>);

    impl LcPublic {
        pub(crate) fn new(key: &rsa::PublicKey) -> Self {
            let keys = key.to_public_key_der().ok().and_then(|der| {
                let public = PublicEncryptingKey::from_der(der.as_bytes()).ok()?;
                let oaep = OaepPublicEncryptingKey::new(public.clone()).ok()?;
                let pkcs1 = Pkcs1PublicEncryptingKey::new(public).ok()?;
                Some(Arc::new(PublicKeys { oaep, pkcs1 }))
            });
            LcPublic(keys)
        }

        pub(crate) fn encrypt(
            &self,
            padding: RsaPadding,
            label: Option<&[u8]>,
            message: &[u8],
        ) -> Option<Result<Vec<u8>, KeyError>> {
            let keys = self.0.as_ref()?;
            let failed = |_| KeyError::Operation { detail: "AWS-LC encryption failed".to_owned() };
            let mut out = vec![0u8; keys.oaep.ciphertext_size()];
            let result = match algorithm(padding) {
                Some(alg) => keys.oaep.encrypt(alg, message, &mut out, label).map(|ct| ct.len()),
                None => keys.pkcs1.encrypt(message, &mut out).map(|ct| ct.len()),
            };
            Some(result.map_err(failed).map(|len| {
                out.truncate(len);
                out
            }))
        }
    }

    /// The AWS-LC OAEP private key, when AWS-LC accepts the key.
    #[derive(Clone)]
    pub(crate) struct LcPrivate(Option<Arc<OaepPrivateDecryptingKey>>);

    impl LcPrivate {
        pub(crate) fn new(key: &rsa::PrivateKey) -> Self {
            let keys = key.to_pkcs8_der().ok().and_then(|der| {
                let private = PrivateDecryptingKey::from_pkcs8(der.as_bytes()).ok()?;
                OaepPrivateDecryptingKey::new(private).ok().map(Arc::new)
            });
            LcPrivate(keys)
        }

        /// `None` for PKCS#1 v1.5, which stays on the `rsa` crate for its implicit rejection.
        pub(crate) fn decrypt(
            &self,
            padding: RsaPadding,
            label: Option<&[u8]>,
            ciphertext: &[u8],
        ) -> Option<Result<Zeroizing<Vec<u8>>, DecryptError>> {
            let key = self.0.as_ref()?;
            let alg = algorithm(padding)?;
            let mut out = Zeroizing::new(vec![0u8; key.min_output_size()]);
            let len = match key.decrypt(alg, ciphertext, &mut out, label) {
                Ok(pt) => pt.len(),
                Err(_) => return Some(Err(DecryptError)),
            };
            out.truncate(len);
            Some(Ok(out))
        }
    }

    fn algorithm(padding: RsaPadding) -> Option<&'static OaepAlgorithm> {
        match padding {
            RsaPadding::Pkcs1 => None,
            RsaPadding::OaepSha1 => Some(&OAEP_SHA1_MGF1SHA1),
            RsaPadding::OaepSha256 => Some(&OAEP_SHA256_MGF1SHA256),
            RsaPadding::OaepSha512 => Some(&OAEP_SHA512_MGF1SHA512),
        }
    }
}
