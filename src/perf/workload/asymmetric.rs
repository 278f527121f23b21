//! `rsa` and `jwe`: RSA encryption and decryption of a 32-byte message (2048, 3072 and 4096 bits, each
//! padding), and a compact JWE (RSA-OAEP-256 + A256GCM) of a 200-byte JSON payload under a 2048-bit
//! key. Keys are generated once, when a first instance needs them, and shared by every instance.

use std::hint::black_box;
use std::sync::{Arc, OnceLock};

use crate::jwe::{self, AllowList, EncryptOptions};
use crate::perf::workload::{Direction, Workload, WorkloadError};
use crate::rsa::{Jwk, Jwks, RsaPadding, RsaPrivateKey};

/// The key sizes measured.
pub const BITS: [usize; 3] = [2048, 3072, 4096];

/// The message RSA encrypts: 32 bytes, a data key's length.
pub const MESSAGE: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

/// A 200-byte JSON request body, as a banking API would encrypt.
pub const PAYLOAD: &[u8; 200] = br#"{"login":"jean.dupont@example.com","password":"correct horse battery staple","otp":"123456","device":"3f2c9a1e-7d4b-4e8a-9c61-5b0f2d8e4a17","ts":1732368000,"lang":"fr","note":"end to end encrypted k"}"#;

/// An RSA key of a given size, generated on first use and shared by the workloads (and threads) given
/// it. Clones share the key.
#[derive(Clone)]
pub struct SharedRsaKey {
    bits: usize,
    key: Arc<OnceLock<Result<RsaPrivateKey, WorkloadError>>>,
}

impl SharedRsaKey {
    /// A `bits`-bit key, not generated yet.
    pub fn new(bits: usize) -> Self {
        SharedRsaKey { bits, key: Arc::new(OnceLock::new()) }
    }

    /// The key, generated now if it was not yet.
    ///
    /// # Errors
    /// When generation fails (e.g. an unsupported size).
    pub fn key(&self) -> Result<&RsaPrivateKey, WorkloadError> {
        let bits = self.bits;
        self.key
            .get_or_init(|| {
                RsaPrivateKey::generate(bits).map_err(WorkloadError::because("RSA key generation"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// `padding` in a workload name: `PKCS1`, `OAEP-SHA256`.
pub const fn padding_name(padding: RsaPadding) -> &'static str {
    match padding {
        RsaPadding::Pkcs1 => "PKCS1",
        RsaPadding::OaepSha1 => "OAEP-SHA1",
        RsaPadding::OaepSha256 => "OAEP-SHA256",
        RsaPadding::OaepSha512 => "OAEP-SHA512",
    }
}

/// RSA encryption (public key) or decryption (private key) of [`MESSAGE`] under `key` with `padding`.
/// Decryption checks each result against the message.
pub fn rsa(key: &SharedRsaKey, padding: RsaPadding, direction: Direction) -> Workload {
    let name = format!("RSA-{} {} {}", key.bits, padding_name(padding), direction.name());
    let key = key.clone();
    Workload::new("rsa", name, None, move || {
        let private = key.key()?;
        let public = private.public_key();
        let ciphertext =
            public.encrypt(padding, None, MESSAGE).map_err(WorkloadError::because("RSA encrypt"))?;
        Ok(match direction {
            Direction::Encrypt => Box::new(move || {
                black_box(public.encrypt(padding, None, black_box(MESSAGE)))
                    .map(drop)
                    .map_err(WorkloadError::because("RSA encrypt"))
            }),
            Direction::Decrypt => {
                let private = private.clone();
                Box::new(move || {
                    let plain = private
                        .decrypt(padding, None, black_box(&ciphertext))
                        .map_err(WorkloadError::because("RSA decrypt"))?;
                    match plain.as_slice() == MESSAGE {
                        true => Ok(()),
                        false => Err(WorkloadError::new("RSA decryption did not give back the message")),
                    }
                })
            }
        })
    })
}

/// A compact JWE, RSA-OAEP-256 + A256GCM, of [`PAYLOAD`] under `key` (kid `bench`): encryption, or
/// decryption of a token made once (checked against the payload).
pub fn jwe(key: &SharedRsaKey, direction: Direction) -> Workload {
    let name = format!("JWE RSA-OAEP-256 A256GCM {} (200 B)", direction.name());
    let key = key.clone();
    Workload::new("jwe", name, None, move || {
        let jwk = Jwk::from_private(key.key()?.clone()).with_kid("bench");
        let options = EncryptOptions::default();
        let token = jwe::encrypt(PAYLOAD, &jwk, &options).map_err(WorkloadError::because("JWE encrypt"))?;
        Ok(match direction {
            Direction::Encrypt => Box::new(move || {
                black_box(jwe::encrypt(black_box(PAYLOAD), &jwk, &options))
                    .map(drop)
                    .map_err(WorkloadError::because("JWE encrypt"))
            }),
            Direction::Decrypt => {
                let keys = Jwks::new(vec![jwk]);
                let allow = AllowList::default();
                Box::new(move || {
                    let out = jwe::decrypt(black_box(&token), &keys, &allow)
                        .map_err(WorkloadError::because("JWE decrypt"))?;
                    match out.payload.as_slice() == PAYLOAD {
                        true => Ok(()),
                        false => Err(WorkloadError::new("JWE decryption did not give back the payload")),
                    }
                })
            }
        })
    })
}

/// Every RSA workload (each size, padding and direction), then JWE encrypt and decrypt under the
/// RSA-2048 key.
pub fn all() -> Vec<Workload> {
    let keys = BITS.map(SharedRsaKey::new);
    let mut out = Vec::new();
    for key in &keys {
        for padding in RsaPadding::ALL {
            out.extend(Direction::BOTH.map(|d| rsa(key, padding, d)));
        }
    }
    out.extend(Direction::BOTH.map(|d| jwe(&keys[0], d)));
    out
}
